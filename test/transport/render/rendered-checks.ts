import { expect } from 'vitest';
import { entityProblems, MAX_ENTITIES } from '../../../src/transport/render/entity-rules.ts';
import { MESSAGE_LIMIT } from '../../../src/transport/render/message-fit.ts';
import type { RenderedText } from '../../../src/transport/render/rendered-text.ts';
import { prepareText } from '../../support/fake-telegram/formatted-text.ts';

/** Telegram's limits as the fake Bot API enforces them. */
const TELEGRAM_LIMITS = {
  textMaxCodePoints: 4096,
  captionMaxCodePoints: 1024,
  rawTextMaxBytes: 32 * 1024,
  maxEntities: 100,
};

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

/**
 * Fails unless Telegram would take `message` as it is: 1–4096 code points, at most 100 entities,
 * each inside the text, on whole code points, sorted, and nested as the Bot API allows. Checked
 * twice: by the renderer's own rules and by the fake Bot API's independent validation of
 * `sendMessage` parameters.
 */
export function expectSendable(message: RenderedText): void {
  expect(message.text.trim()).not.toBe('');
  expect(codePoints(message.text)).toBeLessThanOrEqual(MESSAGE_LIMIT);
  expect(entityProblems(message)).toEqual([]);
  expect(message.entities.length).toBeLessThanOrEqual(MAX_ENTITIES);
  expect(() => prepareText(message.text, message.entities, undefined, 'text', TELEGRAM_LIMITS)).not.toThrow();
}
