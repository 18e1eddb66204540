import { codePointLength, indexAfterCodePoints, splitsSurrogatePair } from './rendered-text.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * How far past a cut the segmenter looks so that a grapheme ending there is seen whole: long enough
 * for any emoji ZWJ or tag sequence, short enough to keep every cut cheap on huge texts.
 */
const LOOKAROUND = 64;

/**
 * The largest UTF-16 index in `(from, limit]` where `text` may be cut without splitting a grapheme
 * (a ZWJ family, a flag, a letter and its accents). When the grapheme at `limit` is too long to
 * fit (a pile of combining marks), falls back to the code point boundary at or before `limit`, and
 * as a last resort to the end of the first code point after `from`, so the result is always past
 * `from` when `from < text.length`.
 *
 * @example
 * graphemeCut('ab👩‍👩‍👧', 0, 5); // → 2 (the family emoji stays whole)
 */
export function graphemeCut(text: string, from: number, limit: number): number {
  const end = Math.min(limit, text.length);
  if (end <= from) return Math.min(text.length, indexAfterCodePoints(text, 1, from));
  if (end === text.length) return end;
  const windowStart = Math.max(from, end - LOOKAROUND);
  const window = text.slice(windowStart, Math.min(text.length, end + LOOKAROUND));
  let best = -1;
  for (const { index } of graphemes.segment(window)) {
    const at = windowStart + index;
    if (at > end) break;
    if (at > from) best = at;
  }
  // The window may start inside a grapheme; its first "boundary" is only trusted when it is `from`.
  if (best > from && !(best === windowStart && windowStart !== from)) return best;
  const fallback = splitsSurrogatePair(text, end) ? end - 1 : end;
  return fallback > from ? fallback : indexAfterCodePoints(text, 1, from);
}

/**
 * `text` on one line (runs of whitespace become one space) and at most `maxCodePoints` long,
 * ending in `…` when it was cut.
 *
 * @example
 * shortenLine('npm   test\n-- --watch', 9); // → 'npm test…'
 */
export function shortenLine(text: string, maxCodePoints: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (codePointLength(flat) <= maxCodePoints) return flat;
  if (maxCodePoints <= 1) return '…'.slice(0, Math.max(0, maxCodePoints));
  const limit = indexAfterCodePoints(flat, maxCodePoints - 1);
  return `${flat.slice(0, graphemeCut(flat, 0, limit)).trimEnd()}…`;
}
