import { codePointLength, indexAfterCodePoints, type RenderedText, sliceText } from './rendered-text.ts';
import { graphemeCut } from './text-boundaries.ts';

/**
 * Most code points a message body gets before it is trimmed or split. Headers and footers are
 * small, so the whole message stays well under Telegram's 4096.
 */
export const BODY_LIMIT = 3500;
export const ELLIPSIS = '…';

/**
 * The body cut to at most `maxCodePoints` (the `…` included), or the body itself when it fits.
 *
 * The cut is made on the rendered text, which is what Telegram counts, at a grapheme boundary
 * (no half surrogate pair, no half emoji sequence). Entities crossing the cut end there: a code
 * block cut in the middle is closed at the cut, and nothing after it can be swallowed by it.
 *
 * @example
 * trimBody(renderMarkdown('x'.repeat(5000))).text.length; // → 3500, ending in '…'
 */
export function trimBody(body: RenderedText, maxCodePoints = BODY_LIMIT): RenderedText {
  if (codePointLength(body.text) <= maxCodePoints) return body;
  if (maxCodePoints < 1) return { text: '', entities: [] };
  if (maxCodePoints === 1) return { text: ELLIPSIS, entities: [] };
  const limit = indexAfterCodePoints(body.text, maxCodePoints - 1);
  const cut = graphemeCut(body.text, 0, limit);
  const kept = sliceText(body, 0, cut);
  const end = kept.text.trimEnd().length;
  const trimmed = end === kept.text.length ? kept : sliceText(kept, 0, end);
  return { text: trimmed.text + ELLIPSIS, entities: trimmed.entities };
}
