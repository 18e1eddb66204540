import { entityProblems, MAX_ENTITIES, sanitizeEntities } from './entity-rules.ts';
import {
  codePointLength,
  indexAfterCodePoints,
  joinTexts,
  type RenderedText,
  sliceText,
} from './rendered-text.ts';
import { graphemeCut } from './text-boundaries.ts';
import { BODY_LIMIT, ELLIPSIS, trimBody } from './trim.ts';

/** Telegram's limit for a message text, in Unicode code points after parsing. */
export const MESSAGE_LIMIT = 4096;

export interface MessageParts {
  header: RenderedText;
  body?: RenderedText | undefined;
  footer?: RenderedText | undefined;
}

export interface FitOptions {
  /** Most code points of body (default `BODY_LIMIT`); longer bodies are trimmed with `…`. */
  bodyLimit?: number | undefined;
  /** Hard limit of the whole message (default `MESSAGE_LIMIT`). */
  messageLimit?: number | undefined;
}

/**
 * Header, body and footer joined by blank lines into one message that Telegram accepts, whatever
 * the parts hold.
 *
 * The body is trimmed to `bodyLimit`, and further if header and footer leave less room: the
 * footer (ctx and resume line) is never cut to save the body. Body entities give way when the
 * message would carry more than `MAX_ENTITIES`. Only when header and footer alone are over the
 * limit is the message itself cut. A last check drops any entity that breaks Telegram's rules.
 *
 * @example
 * fitMessage({ header: renderHeader(h), body: renderMarkdown(answer), footer: renderFooter(f) });
 * // → { text: 'done · codex · 8s\n\n…\n\ncodex resume 019b', entities: [...] }
 */
export function fitMessage(parts: MessageParts, options: FitOptions = {}): RenderedText {
  const messageLimit = options.messageLimit ?? MESSAGE_LIMIT;
  const footer = parts.footer ?? { text: '', entities: [] };
  const fixedEntities = parts.header.entities.length + footer.entities.length;
  const fullBody = limitEntities(parts.body ?? { text: '', entities: [] }, MAX_ENTITIES - fixedEntities);

  let bodyLimit = options.bodyLimit ?? BODY_LIMIT;
  let message = joinTexts([parts.header, trimBody(fullBody, bodyLimit), footer], '\n\n');
  let over = codePointLength(message.text) - messageLimit;
  while (over > 0 && bodyLimit > 0) {
    const body = trimBody(fullBody, bodyLimit);
    bodyLimit = Math.max(0, Math.min(bodyLimit, codePointLength(body.text)) - over);
    message = joinTexts([parts.header, trimBody(fullBody, bodyLimit), footer], '\n\n');
    over = codePointLength(message.text) - messageLimit;
  }
  if (over > 0) message = cutMessage(message, messageLimit);
  const checked = entityProblems(message).length === 0 ? message : sanitizeEntities(message);
  return limitEntities(checked, MAX_ENTITIES);
}

/** The first `max` entities (in order) of `text`. Dropping some never breaks the nesting of the rest. */
function limitEntities(text: RenderedText, max: number): RenderedText {
  if (text.entities.length <= max) return text;
  return { text: text.text, entities: text.entities.slice(0, Math.max(0, max)) };
}

/** Last resort: the message itself cut at `limit` code points, ending in `…`. */
function cutMessage(message: RenderedText, limit: number): RenderedText {
  const cut = graphemeCut(message.text, 0, indexAfterCodePoints(message.text, Math.max(0, limit - 1)));
  const kept = sliceText(message, 0, cut);
  return { text: kept.text + ELLIPSIS, entities: kept.entities };
}
