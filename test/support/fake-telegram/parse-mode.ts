import type { MessageEntity } from 'grammy/types';
import { badRequest } from './api-error.ts';

interface Parsed {
  text: string;
  entities: MessageEntity[];
}

/**
 * Parses `text` the way the server does when `parse_mode` is set. Covers the markup a bridge plausibly sends
 * (bold, italic, underline, strikethrough, spoiler, code, pre with language, links, blockquotes) and refuses
 * bad markup with a `can't parse entities: …` description naming a UTF-8 byte offset, as Telegram does.
 *
 * @example
 * parseWithMode('<b>hi</b> there', 'HTML'); // { text: 'hi there', entities: [{ type: 'bold', offset: 0, length: 2 }] }
 */
export function parseWithMode(raw: string, mode: string): Parsed {
  switch (mode.toLowerCase()) {
    case 'html':
      return parseHtml(raw);
    case 'markdownv2':
      return parseMarkdownV2(raw);
    case 'markdown':
      return parseMarkdown(raw);
    default:
      throw badRequest(`unsupported parse_mode "${mode}"`);
  }
}

function byteOffset(raw: string, index: number): number {
  return Buffer.byteLength(raw.slice(0, index), 'utf8');
}

function fail(detail: string): never {
  throw badRequest(`can't parse entities: ${detail}`);
}

function finish(text: string, entities: MessageEntity[]): Parsed {
  const kept = entities.filter((e) => e.length > 0);
  kept.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities: kept };
}

// --- HTML ---

const HTML_TAGS: Record<string, MessageEntity['type']> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  code: 'code',
  pre: 'pre',
  a: 'text_link',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

interface OpenTag {
  tag: string;
  start: number;
  attrs: Record<string, string>;
}

function parseHtml(raw: string): Parsed {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#(\d+)|#x([0-9a-fA-F]+));/.exec(raw.slice(i, i + 12));
      if (m) {
        const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
        const code = m[2] ? Number(m[2]) : m[3] ? Number.parseInt(m[3], 16) : undefined;
        text += code !== undefined ? String.fromCodePoint(code) : named[m[1]!]!;
        i += m[0].length;
      } else {
        text += c;
        i++;
      }
      continue;
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const at = byteOffset(raw, i);
    const close = raw.indexOf('>', i);
    if (close < 0) fail(`Unclosed start tag at byte offset ${at}`);
    const inner = raw.slice(i + 1, close);
    i = close + 1;
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const top = open.pop();
      if (!top) fail(`Unexpected end tag at byte offset ${at}`);
      if (top.tag !== name)
        fail(`Unmatched end tag at byte offset ${at}, expected "</${top.tag}>", found "</${name}>"`);
      closeHtml(top, text, entities);
      continue;
    }
    const nameMatch = /^([a-zA-Z][a-zA-Z0-9-]*)/.exec(inner);
    const name = nameMatch?.[1]?.toLowerCase() ?? '';
    if (!(name in HTML_TAGS)) fail(`Unsupported start tag "${name}" at byte offset ${at}`);
    const attrs: Record<string, string> = {};
    for (const a of inner
      .slice(name.length)
      .matchAll(/([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?/g)) {
      attrs[a[1]!.toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
    }
    if (name === 'span' && attrs.class !== 'tg-spoiler')
      fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
    if (name === 'a' && !attrs.href) fail(`Tag "a" must have attribute "href" at byte offset ${at}`);
    open.push({ tag: name, start: text.length, attrs });
  }
  const unclosed = open.pop();
  if (unclosed) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  // <pre><code class="language-x"> is one pre entity with a language.
  const pres = entities.filter((e) => e.type === 'pre');
  const merged = entities.filter((e) => {
    if (e.type !== 'code') return true;
    const pre = pres.find((p) => p.offset === e.offset && p.length === e.length);
    if (!pre) return true;
    const lang = (e as MessageEntity & { language?: string }).language;
    if (lang) (pre as MessageEntity.PreMessageEntity).language = lang;
    return false;
  });
  return finish(
    text,
    merged.map((e) => {
      if (e.type !== 'code') return e;
      const { language: _drop, ...rest } = e as MessageEntity & { language?: string };
      return rest as MessageEntity;
    }),
  );
}

function closeHtml(tag: OpenTag, text: string, entities: MessageEntity[]): void {
  const type = HTML_TAGS[tag.tag]!;
  const base = { offset: tag.start, length: text.length - tag.start };
  if (type === 'text_link') {
    entities.push({ type, ...base, url: tag.attrs.href! });
  } else if (type === 'custom_emoji') {
    entities.push({ type, ...base, custom_emoji_id: tag.attrs['emoji-id'] ?? '' });
  } else if (type === 'blockquote') {
    entities.push({ type: 'expandable' in tag.attrs ? 'expandable_blockquote' : 'blockquote', ...base });
  } else if (type === 'code') {
    const lang = /^language-(.+)$/.exec(tag.attrs.class ?? '')?.[1];
    entities.push({ type, ...base, ...(lang ? { language: lang } : {}) } as MessageEntity);
  } else {
    entities.push({ type, ...base } as MessageEntity);
  }
}

// --- MarkdownV2 ---

const V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));
const V2_NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  code: 'Code',
  pre: 'Pre',
  text_link: 'TextUrl',
  custom_emoji: 'CustomEmoji',
};

interface OpenV2 {
  type: MessageEntity['type'];
  start: number;
  rawIndex: number;
  language?: string;
}

function parseMarkdownV2(raw: string): Parsed {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: OpenV2[] = [];
  let quoteStart: number | undefined;
  let i = 0;
  const top = (): OpenV2 | undefined => open[open.length - 1];
  const toggle = (type: MessageEntity['type'], width: number): void => {
    const t = top();
    if (t?.type === type) {
      open.pop();
      entities.push({ type, offset: t.start, length: text.length - t.start } as MessageEntity);
    } else if (open.some((o) => o.type === type)) {
      const inner = top()!;
      fail(
        `Can't find end of ${V2_NAMES[inner.type]} entity at byte offset ${byteOffset(raw, inner.rawIndex)}`,
      );
    } else {
      open.push({ type, start: text.length, rawIndex: i });
    }
    i += width;
  };
  while (i < raw.length) {
    const c = raw[i]!;
    const inCode = top()?.type === 'code' || top()?.type === 'pre';
    if (c === '\\') {
      const next = raw.codePointAt(i + 1);
      if (next === undefined || next < 1 || next > 126) {
        fail(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      }
      text += raw[i + 1];
      i += 2;
      continue;
    }
    if (inCode) {
      const t = top()!;
      if (t.type === 'pre' && raw.startsWith('```', i)) {
        open.pop();
        entities.push({
          type: 'pre',
          offset: t.start,
          length: text.length - t.start,
          ...(t.language ? { language: t.language } : {}),
        });
        i += 3;
      } else if (t.type === 'code' && c === '`') {
        open.pop();
        entities.push({ type: 'code', offset: t.start, length: text.length - t.start });
        i++;
      } else {
        text += c;
        i++;
      }
      continue;
    }
    const atLineStart = i === 0 || raw[i - 1] === '\n';
    if (c === '\n' && quoteStart !== undefined && raw[i + 1] !== '>') {
      entities.push({ type: 'blockquote', offset: quoteStart, length: text.length - quoteStart });
      quoteStart = undefined;
    }
    if (!V2_RESERVED.has(c)) {
      text += c;
      i++;
      continue;
    }
    switch (c) {
      case '*':
        toggle('bold', 1);
        break;
      case '_':
        if (raw[i + 1] === '_') toggle('underline', 2);
        else toggle('italic', 1);
        break;
      case '~':
        toggle('strikethrough', 1);
        break;
      case '|':
        if (raw[i + 1] !== '|') fail(`Character '|' is reserved and must be escaped with the preceding '\\'`);
        toggle('spoiler', 2);
        break;
      case '`':
        if (raw.startsWith('```', i)) {
          const nl = raw.indexOf('\n', i + 3);
          const lang = nl >= 0 ? raw.slice(i + 3, nl) : '';
          const hasLang = nl >= 0 && /^[^\s`]*$/.test(lang);
          open.push({
            type: 'pre',
            start: text.length,
            rawIndex: i,
            ...(hasLang && lang ? { language: lang } : {}),
          });
          i = hasLang ? nl + 1 : i + 3;
        } else {
          open.push({ type: 'code', start: text.length, rawIndex: i });
          i++;
        }
        break;
      case '!':
        if (raw[i + 1] !== '[') fail(`Character '!' is reserved and must be escaped with the preceding '\\'`);
        open.push({ type: 'custom_emoji', start: text.length, rawIndex: i });
        i += 2;
        break;
      case '[':
        open.push({ type: 'text_link', start: text.length, rawIndex: i });
        i++;
        break;
      case ']': {
        const t = top();
        if (t?.type !== 'text_link' && t?.type !== 'custom_emoji') {
          fail(`Character ']' is reserved and must be escaped with the preceding '\\'`);
        }
        open.pop();
        if (raw[i + 1] !== '(')
          fail(`Can't find end of ${V2_NAMES[t.type]} entity at byte offset ${byteOffset(raw, t.rawIndex)}`);
        let j = i + 2;
        let url = '';
        while (j < raw.length && raw[j] !== ')') {
          if (raw[j] === '\\' && j + 1 < raw.length) j++;
          url += raw[j];
          j++;
        }
        if (j >= raw.length) fail(`Can't find end of a URL at byte offset ${byteOffset(raw, i + 2)}`);
        const base = { offset: t.start, length: text.length - t.start };
        if (t.type === 'custom_emoji') {
          const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
          if (!id) fail(`Custom emoji URL must have an emoji identifier`);
          entities.push({ type: 'custom_emoji', ...base, custom_emoji_id: id });
        } else {
          entities.push({ type: 'text_link', ...base, url });
        }
        i = j + 1;
        break;
      }
      case '>':
        if (!atLineStart) fail(`Character '>' is reserved and must be escaped with the preceding '\\'`);
        if (quoteStart === undefined) quoteStart = text.length;
        i++;
        break;
      default:
        fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
  }
  const unclosed = top();
  if (unclosed) {
    fail(
      `Can't find end of ${V2_NAMES[unclosed.type]} entity at byte offset ${byteOffset(raw, unclosed.rawIndex)}`,
    );
  }
  if (quoteStart !== undefined) {
    entities.push({ type: 'blockquote', offset: quoteStart, length: text.length - quoteStart });
  }
  return finish(text, entities);
}

// --- legacy Markdown ---

function parseMarkdown(raw: string): Parsed {
  let text = '';
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\' && '_*`['.includes(raw[i + 1] ?? '')) {
      text += raw[i + 1];
      i += 2;
      continue;
    }
    if (!'_*`['.includes(c)) {
      text += c;
      i++;
      continue;
    }
    const at = byteOffset(raw, i);
    const notClosed = (): never => fail(`Can't find end of the entity starting at byte offset ${at}`);
    if (c === '[') {
      const close = raw.indexOf(']', i + 1);
      if (close < 0 || raw[close + 1] !== '(') notClosed();
      const urlEnd = raw.indexOf(')', close + 2);
      if (urlEnd < 0) notClosed();
      const label = raw.slice(i + 1, close);
      entities.push({
        type: 'text_link',
        offset: text.length,
        length: label.length,
        url: raw.slice(close + 2, urlEnd),
      });
      text += label;
      i = urlEnd + 1;
      continue;
    }
    if (c === '`' && raw.startsWith('```', i)) {
      const close = raw.indexOf('```', i + 3);
      if (close < 0) notClosed();
      let body = raw.slice(i + 3, close);
      const nl = body.indexOf('\n');
      const lang = nl >= 0 ? body.slice(0, nl) : '';
      const hasLang = nl >= 0 && /^[^\s`]+$/.test(lang);
      if (hasLang) body = body.slice(nl + 1);
      entities.push({
        type: 'pre',
        offset: text.length,
        length: body.length,
        ...(hasLang ? { language: lang } : {}),
      });
      text += body;
      i = close + 3;
      continue;
    }
    const close = raw.indexOf(c, i + 1);
    if (close < 0) notClosed();
    const body = raw.slice(i + 1, close);
    const type = c === '*' ? 'bold' : c === '_' ? 'italic' : 'code';
    entities.push({ type, offset: text.length, length: body.length });
    text += body;
    i = close + 1;
  }
  return finish(text, entities);
}
