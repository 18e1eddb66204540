/**
 * Text plus Telegram entities: the shape every renderer in this folder returns and every
 * `sendMessage` / `editMessageText` call takes (`parse_mode` is never used).
 *
 * Telegram counts two different things: the 4096 limit is in Unicode code points of the parsed
 * text, while entity `offset` and `length` are UTF-16 code units, i.e. plain JS string indices.
 * Every helper here keeps offsets in UTF-16 units and never cuts between the two halves of a
 * surrogate pair.
 */

/** The entity types tentacle's renderers produce; a subset of the Bot API `MessageEntity`. */
export type FormattingEntityType = 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler';

export type TextEntity =
  | { type: FormattingEntityType | 'code' | 'blockquote'; offset: number; length: number }
  | { type: 'pre'; offset: number; length: number; language?: string }
  | { type: 'text_link'; offset: number; length: number; url: string };

export type TextEntityType = TextEntity['type'];

/** A message body ready for the Bot API: `{ text, entities }`. */
export interface RenderedText {
  text: string;
  entities: TextEntity[];
}

export const EMPTY_TEXT: RenderedText = Object.freeze({ text: '', entities: [] }) as RenderedText;

/**
 * Text without formatting.
 *
 * @example
 * plainText('done'); // → { text: 'done', entities: [] }
 */
export function plainText(text: string): RenderedText {
  return { text: toWellFormed(text), entities: [] };
}

/**
 * Text shown as inline code (monospace) as a whole.
 *
 * @example
 * codeText('cancelled'); // → { text: 'cancelled', entities: [{ type: 'code', offset: 0, length: 9 }] }
 */
export function codeText(text: string): RenderedText {
  const clean = toWellFormed(text);
  return { text: clean, entities: clean === '' ? [] : [{ type: 'code', offset: 0, length: clean.length }] };
}

/**
 * Joins parts with `separator`, shifting each part's entities; empty parts are skipped.
 *
 * @example
 * joinTexts([plainText('a'), codeText('b')], '\n\n');
 * // → { text: 'a\n\nb', entities: [{ type: 'code', offset: 3, length: 1 }] }
 */
export function joinTexts(parts: readonly RenderedText[], separator = ''): RenderedText {
  let text = '';
  const entities: TextEntity[] = [];
  for (const part of parts) {
    if (part.text === '') continue;
    if (text !== '') text += separator;
    const shift = text.length;
    for (const entity of part.entities) entities.push({ ...entity, offset: entity.offset + shift });
    text += part.text;
  }
  return { text, entities: sortEntities(entities) };
}

/**
 * The part of `source` between UTF-16 indices `start` and `end`, with entities clipped to it.
 * Entities cut by a bound end (or start) there: a code block cut in two stays a code block on
 * both sides, with the same language.
 *
 * @example
 * sliceText(codeText('abcdef'), 2, 4); // → { text: 'cd', entities: [{ type: 'code', offset: 0, length: 2 }] }
 */
export function sliceText(source: RenderedText, start: number, end: number): RenderedText {
  const from = Math.max(0, Math.min(start, source.text.length));
  const to = Math.max(from, Math.min(end, source.text.length));
  const entities: TextEntity[] = [];
  for (const entity of source.entities) {
    const a = Math.max(entity.offset, from);
    const b = Math.min(entity.offset + entity.length, to);
    if (b <= a) continue;
    entities.push({ ...entity, offset: a - from, length: b - a });
  }
  return { text: source.text.slice(from, to), entities };
}

/**
 * `source` without leading and trailing whitespace (entities clipped accordingly).
 *
 * @example
 * trimText(codeText(' x ')); // → { text: 'x', entities: [{ type: 'code', offset: 0, length: 1 }] }
 */
export function trimText(source: RenderedText): RenderedText {
  const start = source.text.length - source.text.trimStart().length;
  const end = source.text.trimEnd().length;
  if (start === 0 && end === source.text.length) return source;
  return sliceText(source, start, Math.max(start, end));
}

/**
 * Number of Unicode code points, the unit of Telegram's 4096 limit.
 *
 * @example
 * codePointLength('a😀'); // → 2 (while 'a😀'.length is 3)
 */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isHighSurrogate(unit) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) i++;
    count++;
  }
  return count;
}

/**
 * The UTF-16 index just after the first `count` code points of `text` starting at `from`
 * (or `text.length` when there are fewer).
 *
 * @example
 * indexAfterCodePoints('a😀b', 2); // → 3
 */
export function indexAfterCodePoints(text: string, count: number, from = 0): number {
  let i = from;
  for (let n = 0; n < count && i < text.length; n++) {
    const unit = text.charCodeAt(i);
    i += isHighSurrogate(unit) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/**
 * Whether a cut at UTF-16 index `index` would separate the halves of a surrogate pair.
 *
 * @example
 * splitsSurrogatePair('a😀', 2); // → true
 */
export function splitsSurrogatePair(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false;
  return isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));
}

/**
 * `text` with unpaired surrogates replaced by U+FFFD: they cannot be encoded as UTF-8, so the
 * Bot API would reject or mangle them, and they make offsets ambiguous.
 *
 * @example
 * toWellFormed('a\uD83D'); // → 'a\uFFFD'
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Sorts in place by offset, outer entities first at the same offset, so the list reads in
 * nesting order.
 *
 * @example
 * sortEntities([{ type: 'code', offset: 0, length: 1 }, { type: 'bold', offset: 0, length: 3 }]);
 * // → [{ type: 'bold', offset: 0, length: 3 }, { type: 'code', offset: 0, length: 1 }]
 */
export function sortEntities(entities: TextEntity[]): TextEntity[] {
  return entities.sort(
    (a, b) => a.offset - b.offset || b.length - a.length || NESTING_RANK[a.type] - NESTING_RANK[b.type],
  );
}

/** At equal ranges, the entity that may contain the other sorts first. */
const NESTING_RANK: Record<TextEntityType, number> = {
  blockquote: 0,
  text_link: 1,
  bold: 2,
  italic: 3,
  underline: 4,
  strikethrough: 5,
  spoiler: 6,
  pre: 7,
  code: 8,
};

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
