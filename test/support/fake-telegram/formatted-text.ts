import type { MessageEntity } from 'grammy/types';
import { badRequest, ERR } from './api-error.ts';
import { parseWithMode } from './parse-mode.ts';

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

export interface TextLimits {
  /** Message text limit in Unicode code points after parsing (Telegram: 4096). */
  textMaxCodePoints: number;
  /** Caption limit in Unicode code points (Telegram: 1024). */
  captionMaxCodePoints: number;
  /** Raw `text` parameter limit in UTF-8 bytes, checked before parsing (Telegram: 32 KiB). */
  rawTextMaxBytes: number;
  /** Entities beyond this many are refused (Telegram silently drops them, which renders wrong). */
  maxEntities: number;
}

export const ENTITY_TYPES = new Set([
  'mention',
  'hashtag',
  'cashtag',
  'bot_command',
  'url',
  'email',
  'phone_number',
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'blockquote',
  'expandable_blockquote',
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
  'date_time',
]);
const FORMATTING = new Set(['bold', 'italic', 'underline', 'strikethrough', 'spoiler']);
const BLOCKQUOTES = new Set(['blockquote', 'expandable_blockquote']);
const CODE = new Set(['pre', 'code']);
/** TDLib refuses text made only of these (spaces, zero-width and direction marks, tag characters). */
const INVISIBLE_ONLY =
  /^[ \n\u00a0\u1680\u180e\u2000-\u200f\u202e\u202f\u205f\u2800\u3000\ufeff\ufffc\u{e0000}-\u{e007f}]*$/u;

/**
 * Turns the `text`/`entities`/`parse_mode` (or `caption`…) parameters into what Telegram stores, refusing what
 * Telegram refuses and, stricter than Telegram, what it would silently mangle:
 * - the 4096 limit counts **code points** of the parsed, trimmed text; entity offsets count **UTF-16 units**;
 * - with `parse_mode` set, `entities` are ignored (as the real server does);
 * - leading and trailing spaces and newlines are trimmed (entities cut to fit), so `"a\n"` and `"a"` are the
 *   same text and editing one into the other is "not modified";
 * - entities must lie inside the text, not split a surrogate pair, be of a known type and nest properly.
 *
 * @example
 * prepareText('hi 👋', [{ type: 'bold', offset: 0, length: 2 }], undefined, 'text', limits);
 */
export function prepareText(
  raw: string,
  entitiesParam: unknown,
  parseMode: string | undefined,
  kind: 'text' | 'caption',
  limits: TextLimits,
): FormattedText {
  if (kind === 'text' && Buffer.byteLength(raw, 'utf8') > limits.rawTextMaxBytes) {
    throw badRequest(ERR.rawTextTooLong);
  }
  const parsed =
    parseMode !== undefined && parseMode !== '' && raw !== ''
      ? parseWithMode(raw, parseMode)
      : { text: raw, entities: validateEntities(raw, entitiesParam, limits.maxEntities) };
  const trimmed = trim(parsed);
  if (trimmed.text === '' || INVISIBLE_ONLY.test(trimmed.text)) {
    if (kind === 'text') throw badRequest(ERR.textEmpty);
    return { text: '', entities: [] };
  }
  const max = kind === 'text' ? limits.textMaxCodePoints : limits.captionMaxCodePoints;
  if (countCodePoints(trimmed.text) > max) {
    throw badRequest(kind === 'text' ? ERR.messageTooLong : ERR.captionTooLong);
  }
  return trimmed;
}

export function countCodePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Checks client-supplied entities against `text` and returns them sorted and reduced to their own fields. */
export function validateEntities(text: string, param: unknown, maxEntities: number): MessageEntity[] {
  if (param === undefined) return [];
  if (!Array.isArray(param)) throw badRequest("can't parse entities: Expected an Array of MessageEntity");
  if (param.length > maxEntities) {
    throw badRequest(`can't parse entities: too many entities (${param.length}, at most ${maxEntities})`);
  }
  const entities = param.map((e) => readEntity(e));
  for (const e of entities) checkBounds(text, e);
  const sorted = entities
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.offset - b.e.offset || b.e.length - a.e.length || a.i - b.i)
    .map(({ e }) => e);
  checkNesting(sorted);
  return sorted;
}

function readEntity(value: unknown): MessageEntity {
  if (typeof value !== 'object' || value === null)
    throw badRequest("can't parse MessageEntity: Object expected");
  const v = value as Record<string, unknown>;
  const field = (name: string): unknown => {
    if (v[name] === undefined) throw badRequest(`can't parse MessageEntity: Can't find field "${name}"`);
    return v[name];
  };
  const type = field('type');
  if (typeof type !== 'string' || !ENTITY_TYPES.has(type)) {
    throw badRequest("can't parse MessageEntity: Unsupported type specified");
  }
  const offset = field('offset');
  const length = field('length');
  for (const [name, n] of [
    ['offset', offset],
    ['length', length],
  ] as const) {
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw badRequest(`can't parse MessageEntity: Field "${name}" must be of type Number`);
    }
  }
  const out: Record<string, unknown> = { type, offset, length };
  if (type === 'text_link') {
    const url = field('url');
    if (typeof url !== 'string' || url === '') {
      throw badRequest(`can't parse MessageEntity: Field "url" must be of type String`);
    }
    out.url = url;
  }
  if (type === 'text_mention') {
    const user = field('user') as { id?: unknown };
    if (typeof user !== 'object' || user === null || typeof user.id !== 'number') {
      throw badRequest(`can't parse MessageEntity: Field "user" must be of type Object`);
    }
    out.user = user;
  }
  if (type === 'pre' && v.language !== undefined) {
    if (typeof v.language !== 'string') {
      throw badRequest(`can't parse MessageEntity: Field "language" must be of type String`);
    }
    if (v.language !== '') out.language = v.language;
  }
  if (type === 'custom_emoji') {
    const id = field('custom_emoji_id');
    if (typeof id !== 'string' || !/^\d+$/.test(id)) {
      throw badRequest(`can't parse MessageEntity: Field "custom_emoji_id" must be a valid Number`);
    }
    out.custom_emoji_id = id;
  }
  if (type === 'date_time') {
    out.unix_time = field('unix_time');
    if (v.date_time_format !== undefined) out.date_time_format = v.date_time_format;
  }
  return out as unknown as MessageEntity;
}

function checkBounds(text: string, e: MessageEntity): void {
  if (e.offset < 0) throw badRequest(`can't parse entities: entity offset ${e.offset} is negative`);
  if (e.length <= 0) {
    throw badRequest(
      `can't parse entities: ${e.type} entity at UTF-16 offset ${e.offset} has length ${e.length}`,
    );
  }
  if (e.offset > text.length) {
    throw badRequest(`entity begins after the end of the text at UTF-16 offset ${e.offset}`);
  }
  const end = e.offset + e.length;
  if (end > text.length) {
    throw badRequest(
      `entity beginning at UTF-16 offset ${e.offset} ends after the end of the text at UTF-16 offset ${end}`,
    );
  }
  if (splitsSurrogatePair(text, e.offset)) {
    throw badRequest(
      `entity begins in a middle of a UTF-16 symbol at byte offset ${utf8OffsetAfter(text, e.offset)}`,
    );
  }
  if (splitsSurrogatePair(text, end)) {
    throw badRequest(
      `entity beginning at UTF-16 offset ${e.offset} ends in a middle of a UTF-16 symbol at byte offset ${utf8OffsetAfter(text, end)}`,
    );
  }
}

function splitsSurrogatePair(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false;
  const before = text.charCodeAt(index - 1);
  const at = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && at >= 0xdc00 && at <= 0xdfff;
}

/** UTF-8 length of the text up to and including the character that `index` falls inside. */
function utf8OffsetAfter(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index + 1), 'utf8');
}

function checkNesting(sorted: MessageEntity[]): void {
  const open: MessageEntity[] = [];
  for (const e of sorted) {
    while (open.length > 0 && end(open[open.length - 1]!) <= e.offset) open.pop();
    const parent = open[open.length - 1];
    if (parent && end(e) > end(parent)) {
      throw badRequest(
        `can't parse entities: ${describe(parent)} and ${describe(e)} overlap without one containing the other`,
      );
    }
    for (const ancestor of open) {
      const problem = containmentProblem(ancestor, e);
      if (problem) throw badRequest(`can't parse entities: ${problem}`);
    }
    open.push(e);
  }
}

function containmentProblem(outer: MessageEntity, inner: MessageEntity): string | undefined {
  const o = outer.type;
  const i = inner.type;
  if (CODE.has(o)) return `${describe(outer)} can't contain other entities (${describe(inner)})`;
  if (CODE.has(i) && !BLOCKQUOTES.has(o)) return `${describe(inner)} can't be inside ${describe(outer)}`;
  if (o === i) return `${describe(inner)} is nested in another ${o}`;
  if (BLOCKQUOTES.has(o) && BLOCKQUOTES.has(i)) return `blockquotes can't be nested (${describe(inner)})`;
  if (FORMATTING.has(o) || FORMATTING.has(i) || BLOCKQUOTES.has(o)) return undefined;
  return `${describe(outer)} and ${describe(inner)} can't contain each other`;
}

function describe(e: MessageEntity): string {
  return `${e.type} at UTF-16 offset ${e.offset}`;
}

function end(e: MessageEntity): number {
  return e.offset + e.length;
}

/** Telegram trims spaces and newlines at both ends; the end cut shortens entities, the start never eats one. */
function trim(ft: FormattedText): FormattedText {
  let stop = ft.text.length;
  while (stop > 0 && (ft.text[stop - 1] === ' ' || ft.text[stop - 1] === '\n')) stop--;
  const firstEntity = ft.entities.reduce((min, e) => Math.min(min, e.offset), stop);
  let start = 0;
  while (start < firstEntity && start < stop && (ft.text[start] === ' ' || ft.text[start] === '\n')) start++;
  const entities = ft.entities
    .filter((e) => e.offset < stop)
    .map((e) => ({ ...e, offset: e.offset - start, length: Math.min(end(e), stop) - e.offset }));
  return { text: ft.text.slice(start, stop), entities };
}
