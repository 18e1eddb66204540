import type { Token } from 'markdown-it';
import MarkdownIt from 'markdown-it';
import { mayContain } from './entity-rules.ts';
import { type RenderedText, sortEntities, type TextEntity, toWellFormed } from './rendered-text.ts';

/**
 * CommonMark with raw HTML off, plus `~~strikethrough~~`. Tables, linkify and typographer stay
 * off: agents' pipes and quotes are shown as they wrote them.
 */
const parser = new MarkdownIt('commonmark', { html: false }).enable('strikethrough');

const BULLET = '- ';
const FORMATTING_TYPES: ReadonlySet<TextEntity['type']> = new Set([
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
]);
const RULE = '———';

/**
 * Markdown (an agent's answer, an action title) → Telegram text and entities.
 *
 * The markdown-it token stream is walked once: bold, italic, strikethrough, inline code, code
 * blocks (`pre` with the fence's language), links (`text_link`, only for http(s) URLs with a host
 * and `tg:` URLs; other links keep their text), headings (bold), blockquotes, lists (`- ` and
 * `1. `, nested ones indented under their parent's text), blank lines between blocks, line breaks
 * kept. Offsets are UTF-16 units; entities are sorted and nested the way Telegram accepts.
 *
 * @example
 * renderMarkdown('**done**: see `out.txt`');
 * // → { text: 'done: see out.txt',
 * //     entities: [{ type: 'bold', offset: 0, length: 4 }, { type: 'code', offset: 10, length: 7 }] }
 */
export function renderMarkdown(markdown: string): RenderedText {
  const writer = new EntityWriter();
  walkBlocks(parser.parse(toWellFormed(markdown), {}), writer);
  return writer.finish();
}

/**
 * `text` escaped so that markdown shows it literally: every ASCII punctuation character gets a
 * backslash, and leading spaces become no-break spaces (so indentation survives and never turns
 * a line into a code block). Used for error text and other strings that are not markdown.
 *
 * @example
 * escapeMarkdown('rc=1 *failed*'); // → 'rc\\=1 \\*failed\\*'
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[!-/:-@[-`{-~]/g, '\\$&')
    .replace(/^[ \t]+/gm, (lead) => '\u00A0'.repeat(lead.replaceAll('\t', '    ').length));
}

/**
 * Markdown for `text` as one inline code span, whatever backticks it holds; line breaks become
 * spaces. Empty text gives an empty string.
 *
 * @example
 * codeSpan('echo `id`'); // → '`` echo `id` ``'
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ');
  if (flat === '') return '';
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // CommonMark strips one space on each side when both are present, so pad when the content
  // touches a backtick or is itself wrapped in spaces.
  const pad = /^`|`$/.test(flat) || (/^ .*[^ ].* $/.test(flat) && flat.length > 2) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Whether a link target may become a `text_link`: http(s) with a host, or `tg:`. Relative paths,
 * `file:` and the like would be rejected by Telegram or mean nothing on a phone.
 *
 * @example
 * isAllowedLinkUrl('https://example.com/x'); // → true
 * isAllowedLinkUrl('./docs/readme.md'); // → false
 */
export function isAllowedLinkUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'tg:') return url.length > 'tg:'.length;
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
}

/** An entity before its position is known. */
type EntityShape = TextEntity extends infer E
  ? E extends TextEntity
    ? Omit<E, 'offset' | 'length'>
    : never
  : never;

interface OpenEntity {
  /** null: the construct has no entity here (a link Telegram would refuse, a nested quote). */
  entity: EntityShape | null;
  /** UTF-16 offset of its first character; null until something is written inside. */
  start: number | null;
}

interface ListFrame {
  /** Set by the open list item: the width of its marker, which its continuation lines indent by. */
  itemWidth: number;
}

/**
 * Accumulates text and entities. Block separators and list markers are written lazily, right
 * before the next visible character, so nothing dangles at the end of a block or of the text and
 * entities never start on a separator.
 */
class EntityWriter {
  private text = '';
  private readonly entities: TextEntity[] = [];
  private readonly open: OpenEntity[] = [];
  private readonly lists: ListFrame[] = [];
  private pendingBreaks = 0;
  private pendingMarker: string | null = null;
  /** How many of `open` were already open when the pending marker was set: they hold the marker. */
  private framesAroundMarker = 0;
  private atLineStart = true;

  /** Asks for `count` newlines before the next visible text (a blank line is 2). */
  breakBlock(count: number): void {
    this.pendingBreaks = Math.max(this.pendingBreaks, count);
  }

  /** A line break inside a block: continuation lines are indented under the list item's text. */
  newline(): void {
    this.flushPending();
    this.text += '\n';
    this.atLineStart = true;
  }

  /** Visible text; newlines in it are line breaks. */
  write(content: string): void {
    const lines = content.split('\n');
    lines.forEach((line, i) => {
      if (i > 0) this.newline();
      if (line === '') return;
      this.beginContent();
      this.text += line;
    });
  }

  /** Code block content: a `pre` entity, lines written as they are (no list indentation). */
  writePre(content: string, language: string | undefined): void {
    if (content === '') return;
    // Telegram shows `pre` as a block of its own: it starts at the beginning of a line, unindented,
    // and an item that opens with a code block keeps its marker on the line above.
    this.beginContent({ block: true });
    const withEntity = this.suspendAround('pre');
    const offset = this.text.length;
    this.text += content;
    if (withEntity) {
      this.entities.push({ type: 'pre', offset, length: content.length, ...(language ? { language } : {}) });
    }
  }

  /** Inline code: a `code` entity, except inside a link (which cannot hold one). */
  writeCode(content: string): void {
    if (content === '') return;
    this.beginContent();
    const withEntity = this.suspendAround('code');
    const offset = this.text.length;
    // Written directly: the suspended formatting must not restart inside the code.
    this.text += content.replace(/\n/g, ' ');
    if (withEntity) this.entities.push({ type: 'code', offset, length: content.length });
  }

  /**
   * Makes room for a code entity: formatting open around it (bold, italic…) cannot contain code,
   * so it ends before the code and starts again after it, and "**run `ls` now**" keeps both its
   * bold and its code. Returns false when something that cannot be interrupted (a link) is open:
   * the code is then written as plain text.
   */
  private suspendAround(type: 'code' | 'pre'): boolean {
    const blocking = this.open.some(
      (frame) =>
        frame.entity && !FORMATTING_TYPES.has(frame.entity.type) && !mayContain(frame.entity.type, type),
    );
    if (blocking) return false;
    for (const frame of this.open) {
      if (!frame.entity || !FORMATTING_TYPES.has(frame.entity.type)) continue;
      this.pushSegment(frame);
      frame.start = null;
    }
    return true;
  }

  openEntity(entity: OpenEntity['entity']): void {
    const allowed = entity !== null && this.allows(entity.type) ? entity : null;
    this.open.push({ entity: allowed, start: null });
  }

  closeEntity(): void {
    const frame = this.open.pop();
    if (frame) this.pushSegment(frame);
  }

  /** Records `frame`'s entity from its start to here. */
  private pushSegment(frame: OpenEntity): void {
    if (!frame.entity || frame.start === null) return;
    const length = this.text.length - frame.start;
    if (length > 0) this.entities.push({ ...frame.entity, offset: frame.start, length });
  }

  openList(): void {
    this.lists.push({ itemWidth: 0 });
  }

  closeList(): void {
    this.lists.pop();
    this.breakBlock(this.lists.length === 0 ? 2 : 1);
  }

  openItem(marker: string): void {
    this.breakBlock(1);
    const frame = this.lists.at(-1);
    if (frame) frame.itemWidth = marker.length;
    // An item whose first content is a nested list shows both markers on one line: "- - a".
    if (this.pendingMarker === null) {
      this.pendingMarker = this.indent(1) + marker;
      this.framesAroundMarker = this.open.length;
    } else {
      this.pendingMarker += marker;
    }
  }

  closeItem(): void {
    if (this.pendingMarker !== null) {
      // An empty item still shows its marker.
      this.flushPending();
      if (!this.atLineStart) this.newline();
      this.text += this.pendingMarker.trimEnd();
      this.pendingMarker = null;
      this.atLineStart = false;
    }
    const frame = this.lists.at(-1);
    if (frame) frame.itemWidth = 0;
    this.breakBlock(1);
  }

  finish(): RenderedText {
    return { text: this.text, entities: sortEntities(this.entities) };
  }

  /** Writes what waits for the next visible character: separators, list marker or indentation. */
  private beginContent(options: { block?: boolean } = {}): void {
    this.flushPending();
    if (this.atLineStart) {
      if (this.pendingMarker !== null) {
        // A quote around the list includes the marker; a quote inside the item starts after it.
        for (const frame of this.open.slice(0, this.framesAroundMarker)) frame.start ??= this.text.length;
        this.text += options.block ? `${this.pendingMarker.trimEnd()}\n` : this.pendingMarker;
        this.pendingMarker = null;
      } else if (!options.block) {
        this.text += this.indent();
      }
      this.atLineStart = false;
    } else if (options.block) {
      this.text += '\n';
    }
    for (const frame of this.open) frame.start ??= this.text.length;
  }

  private flushPending(): void {
    if (this.pendingBreaks > 0 && this.text !== '') {
      this.text += '\n'.repeat(this.pendingBreaks);
      this.atLineStart = true;
    }
    this.pendingBreaks = 0;
  }

  /** Spaces under the text of the open list items, leaving out the innermost `skip` of them. */
  private indent(skip = 0): string {
    const frames = this.lists.slice(0, Math.max(0, this.lists.length - skip));
    return ' '.repeat(frames.reduce((width, frame) => width + frame.itemWidth, 0));
  }

  private allows(type: TextEntity['type']): boolean {
    return this.open.every((frame) => frame.entity === null || mayContain(frame.entity.type, type));
  }
}

function walkBlocks(tokens: Token[], writer: EntityWriter): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'paragraph_open':
        break;
      case 'paragraph_close':
        // Paragraphs of tight lists are hidden: one newline between items, not a blank line.
        writer.breakBlock(token.hidden ? 1 : 2);
        break;
      case 'heading_open':
        writer.openEntity({ type: 'bold' });
        break;
      case 'heading_close':
        writer.closeEntity();
        writer.breakBlock(2);
        break;
      case 'blockquote_open':
        writer.openEntity({ type: 'blockquote' });
        break;
      case 'blockquote_close':
        writer.closeEntity();
        writer.breakBlock(2);
        break;
      case 'bullet_list_open':
      case 'ordered_list_open':
        writer.openList();
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        writer.closeList();
        break;
      case 'list_item_open':
        writer.openItem(
          token.markup === '-' || token.markup === '*' || token.markup === '+' ? BULLET : `${token.info}. `,
        );
        break;
      case 'list_item_close':
        writer.closeItem();
        break;
      case 'fence':
      case 'code_block':
        writer.writePre(token.content.replace(/\n+$/, ''), fenceLanguage(token));
        writer.breakBlock(2);
        break;
      case 'hr':
        writer.write(RULE);
        writer.breakBlock(2);
        break;
      case 'inline':
        walkInline(token.children ?? [], writer);
        break;
      default:
        if (token.content) {
          writer.write(token.content);
          writer.breakBlock(2);
        }
    }
  }
}

function walkInline(tokens: Token[], writer: EntityWriter): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'text_special':
        writer.write(token.content);
        break;
      case 'code_inline':
        writer.writeCode(token.content);
        break;
      case 'softbreak':
      case 'hardbreak':
        writer.newline();
        break;
      case 'strong_open':
        writer.openEntity({ type: 'bold' });
        break;
      case 'em_open':
        writer.openEntity({ type: 'italic' });
        break;
      case 's_open':
        writer.openEntity({ type: 'strikethrough' });
        break;
      case 'link_open': {
        const href = token.attrGet('href') ?? '';
        writer.openEntity(isAllowedLinkUrl(href) ? { type: 'text_link', url: href } : null);
        break;
      }
      case 'strong_close':
      case 'em_close':
      case 's_close':
      case 'link_close':
        writer.closeEntity();
        break;
      case 'image': {
        const src = token.attrGet('src') ?? '';
        const allowed = isAllowedLinkUrl(src);
        writer.openEntity(allowed ? { type: 'text_link', url: src } : null);
        if (token.children && token.children.length > 0) walkInline(token.children, writer);
        else if (allowed) writer.write(src);
        writer.closeEntity();
        break;
      }
      default:
        if (token.content) writer.write(token.content);
    }
  }
}

/** The first word of a fence's info string, when it looks like a language name. */
function fenceLanguage(token: Token): string | undefined {
  if (token.type !== 'fence') return undefined;
  const word = parser.utils.unescapeAll(token.info).trim().split(/\s+/)[0] ?? '';
  return /^[\w#+.-]{1,32}$/.test(word) ? word : undefined;
}
