import type { RenderedText } from '../../../src/transport/render/rendered-text.ts';

/**
 * Entities as `[type, covered text, extra]` so tables of expectations read like the message.
 * `extra` is the language of a `pre` or the url of a `text_link`, when there is one.
 */
export function entityView(rendered: RenderedText): Array<[string, string] | [string, string, string]> {
  return rendered.entities.map((entity) => {
    const covered = rendered.text.slice(entity.offset, entity.offset + entity.length);
    if (entity.type === 'pre' && entity.language) return [entity.type, covered, entity.language];
    if (entity.type === 'text_link') return [entity.type, covered, entity.url];
    return [entity.type, covered];
  });
}

/** Telegram's count: Unicode code points. */
export function codePoints(text: string): number {
  return [...text].length;
}
