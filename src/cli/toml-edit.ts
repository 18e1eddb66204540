import { tomlKey } from './toml-literal.ts';

/**
 * Line-level edits of a TOML document that keep everything else (comments, blank lines, key
 * order, quoting) byte for byte. smol-toml parses and writes data but drops comments, so
 * `tentacle config set` edits the text in place when it can and only rewrites the whole file when
 * it cannot.
 *
 * These functions never judge their own success: the caller re-parses the result and compares it
 * with the data it meant to write (see `config-file.ts`), so a layout this scanner misreads costs
 * the comments, never the config.
 */

interface Header {
  kind: 'table' | 'array';
  path: string[];
  /** Offset of the header's line start, and just past its line end. */
  start: number;
  end: number;
}

interface KeyValue {
  /** Full path: the section's path plus the (possibly dotted) key. */
  path: string[];
  /** The header path the pair sits under ([] for the root). */
  section: string[];
  /** The pair belongs to an `[[array]]` entry: never edited. */
  inArray: boolean;
  start: number;
  valueStart: number;
  valueEnd: number;
  /** Just past the newline that ends the pair (or the end of the text). */
  end: number;
}

interface Layout {
  headers: Header[];
  pairs: KeyValue[];
}

/**
 * Sets `path` to `literal`: replaces the value of an existing pair, or inserts a new pair next to
 * its siblings, under its table's header, or in a new `[table]` section at the end.
 *
 * @returns the edited text, or undefined when the document has a shape this scanner does not read.
 * @example
 *   setTomlValue('# bot\n[t]\nx = 1 # old\n', ['t', 'x'], '2') // '# bot\n[t]\nx = 2 # old\n'
 */
export function setTomlValue(text: string, path: readonly string[], literal: string): string | undefined {
  const layout = scan(text);
  if (!layout) return undefined;
  const existing = layout.pairs.find((pair) => !pair.inArray && samePath(pair.path, path));
  if (existing) return text.slice(0, existing.valueStart) + literal + text.slice(existing.valueEnd);

  const parent = path.slice(0, -1);
  const siblings = layout.pairs.filter((pair) => !pair.inArray && samePath(pair.path.slice(0, -1), parent));
  const last = siblings.at(-1);
  if (last) {
    const key = path.slice(last.section.length).map(tomlKey).join('.');
    return insertLine(text, last.end, `${key} = ${literal}`);
  }
  const header = layout.headers.find((h) => h.kind === 'table' && samePath(h.path, parent));
  if (header) return insertLine(text, header.end, `${tomlKey(path.at(-1)!)} = ${literal}`);
  if (parent.length === 0) {
    const first = layout.headers[0];
    const line = `${tomlKey(path[0]!)} = ${literal}`;
    if (!first) return insertLine(text, text.length, line);
    return `${text.slice(0, first.start)}${line}\n\n${text.slice(first.start)}`;
  }
  const section = `[${parent.map(tomlKey).join('.')}]\n${tomlKey(path.at(-1)!)} = ${literal}\n`;
  const body = text.length === 0 || text.endsWith('\n') ? text : `${text}\n`;
  return body.trim() === '' ? section : `${body}${body.endsWith('\n\n') ? '' : '\n'}${section}`;
}

/**
 * Removes the pair at `path`, then the headers of `emptied` tables whose sections hold no pair any
 * more (the caller prunes tables left empty, as takopi does).
 *
 * @returns the edited text, or undefined when the pair is not a plain line of the document.
 */
export function removeTomlValue(
  text: string,
  path: readonly string[],
  emptied: readonly (readonly string[])[] = [],
): string | undefined {
  const layout = scan(text);
  if (!layout) return undefined;
  const pair = layout.pairs.find((p) => !p.inArray && samePath(p.path, path));
  if (!pair) return undefined;
  let edited = text.slice(0, pair.start) + text.slice(pair.end);
  for (const table of emptied) {
    const next = scan(edited);
    if (!next) return undefined;
    const index = next.headers.findIndex((h) => h.kind === 'table' && samePath(h.path, table));
    const header = next.headers[index];
    if (!header) continue;
    const sectionEnd = next.headers[index + 1]?.start ?? edited.length;
    const hasPairs = next.pairs.some((p) => p.start >= header.end && p.start < sectionEnd);
    if (!hasPairs) edited = edited.slice(0, header.start) + edited.slice(header.end);
  }
  return edited;
}

function insertLine(text: string, at: number, line: string): string {
  const before = text.slice(0, at);
  const needsBreak = before.length > 0 && !before.endsWith('\n');
  return `${before}${needsBreak ? '\n' : ''}${line}\n${text.slice(at)}`;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

class ScanError extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const SCALAR = /[^\s,\]}#]+/y;
const SPACED_TIME = / \d{2}:[^\s,\]}#]*/y;

/** Finds headers and key/value pairs with their offsets; undefined when the text is not readable. */
function scan(text: string): Layout | undefined {
  try {
    return new Scanner(text).run();
  } catch (error) {
    if (error instanceof ScanError) return undefined;
    throw error;
  }
}

class Scanner {
  #i = 0;
  readonly #headers: Header[] = [];
  readonly #pairs: KeyValue[] = [];

  constructor(private readonly text: string) {}

  run(): Layout {
    let section: string[] = [];
    let inArray = false;
    const t = this.text;
    while (this.#i < t.length) {
      const lineStart = this.#i;
      this.#skipSpaces();
      const c = t[this.#i];
      if (c === undefined) break;
      if (c === '\n' || c === '\r') {
        this.#endOfLine();
        continue;
      }
      if (c === '#') {
        this.#skipComment();
        this.#endOfLine();
        continue;
      }
      if (c === '[') {
        const array = t[this.#i + 1] === '[';
        this.#i += array ? 2 : 1;
        const path = this.#key(array ? ']]' : ']');
        this.#expect(array ? ']]' : ']');
        this.#skipSpaces();
        this.#skipComment();
        this.#endOfLine();
        this.#headers.push({ kind: array ? 'array' : 'table', path, start: lineStart, end: this.#i });
        section = path;
        inArray = array;
        continue;
      }
      const key = this.#key('=');
      this.#expect('=');
      this.#skipSpaces();
      const valueStart = this.#i;
      this.#value();
      const valueEnd = this.#i;
      this.#skipSpaces();
      this.#skipComment();
      this.#endOfLine();
      this.#pairs.push({
        path: [...section, ...key],
        section,
        inArray,
        start: lineStart,
        valueStart,
        valueEnd,
        end: this.#i,
      });
    }
    return { headers: this.#headers, pairs: this.#pairs };
  }

  #skipSpaces(): void {
    while (this.text[this.#i] === ' ' || this.text[this.#i] === '\t') this.#i += 1;
  }

  #skipComment(): void {
    if (this.text[this.#i] !== '#') return;
    while (this.#i < this.text.length && this.text[this.#i] !== '\n') this.#i += 1;
  }

  /** Consumes the line break that must follow a header or a pair. */
  #endOfLine(): void {
    const t = this.text;
    if (t[this.#i] === '\r' && t[this.#i + 1] === '\n') this.#i += 2;
    else if (t[this.#i] === '\n') this.#i += 1;
    else if (this.#i < t.length) throw new ScanError('expected a line break');
  }

  #skipBlank(): void {
    for (;;) {
      this.#skipSpaces();
      const c = this.text[this.#i];
      if (c === '#') this.#skipComment();
      else if (c === '\n' || c === '\r') this.#i += 1;
      else return;
    }
  }

  #expect(token: string): void {
    if (!this.text.startsWith(token, this.#i)) throw new ScanError(`expected ${token}`);
    this.#i += token.length;
  }

  /** A dotted key up to (not including) `stop`. */
  #key(stop: string): string[] {
    const segments: string[] = [];
    for (;;) {
      this.#skipSpaces();
      const t = this.text;
      const c = t[this.#i];
      if (c === '"') {
        const start = this.#i;
        this.#basicString();
        try {
          segments.push(JSON.parse(t.slice(start, this.#i)) as string);
        } catch {
          throw new ScanError('unsupported escape in a key');
        }
      } else if (c === "'") {
        const start = this.#i;
        this.#literalString();
        segments.push(t.slice(start + 1, this.#i - 1));
      } else {
        const match = this.#match(BARE_KEY);
        if (!match) throw new ScanError('expected a key');
        segments.push(match[0]);
        this.#i += match[0].length;
      }
      this.#skipSpaces();
      if (t[this.#i] === '.') {
        this.#i += 1;
        continue;
      }
      if (t.startsWith(stop, this.#i)) return segments;
      throw new ScanError('unexpected character in a key');
    }
  }

  #value(): void {
    const t = this.text;
    const c = t[this.#i];
    if (t.startsWith('"""', this.#i)) this.#multiline('"""', true);
    else if (t.startsWith("'''", this.#i)) this.#multiline("'''", false);
    else if (c === '"') this.#basicString();
    else if (c === "'") this.#literalString();
    else if (c === '[') this.#array();
    else if (c === '{') this.#inlineTable();
    else this.#scalar();
  }

  #scalar(): void {
    const match = this.#match(SCALAR);
    if (!match) throw new ScanError('expected a value');
    this.#i += match[0].length;
    // A local date-time may separate date and time with one space: `1979-05-27 07:32:00`.
    if (/^\d{4}-\d{2}-\d{2}$/.test(match[0])) {
      const time = this.#match(SPACED_TIME);
      if (time) this.#i += time[0].length;
    }
  }

  #match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.#i;
    return pattern.exec(this.text);
  }

  #basicString(): void {
    const t = this.text;
    this.#i += 1;
    while (this.#i < t.length) {
      const c = t[this.#i];
      if (c === '\\') this.#i += 2;
      else if (c === '"') {
        this.#i += 1;
        return;
      } else if (c === '\n') throw new ScanError('unterminated string');
      else this.#i += 1;
    }
    throw new ScanError('unterminated string');
  }

  #literalString(): void {
    const end = this.text.indexOf("'", this.#i + 1);
    const newline = this.text.indexOf('\n', this.#i + 1);
    if (end < 0 || (newline >= 0 && newline < end)) throw new ScanError('unterminated string');
    this.#i = end + 1;
  }

  #multiline(quote: string, escapes: boolean): void {
    const t = this.text;
    this.#i += 3;
    while (this.#i < t.length) {
      if (escapes && t[this.#i] === '\\') {
        this.#i += 2;
        continue;
      }
      if (t.startsWith(quote, this.#i)) {
        this.#i += 3;
        // Up to two more quotes may belong to the content: `""""` ends with one quote inside.
        for (let extra = 0; extra < 2 && t[this.#i] === quote[0]; extra += 1) this.#i += 1;
        return;
      }
      this.#i += 1;
    }
    throw new ScanError('unterminated multi-line string');
  }

  #array(): void {
    this.#i += 1;
    for (;;) {
      this.#skipBlank();
      if (this.text[this.#i] === ']') {
        this.#i += 1;
        return;
      }
      this.#value();
      this.#skipBlank();
      const c = this.text[this.#i];
      if (c === ',') this.#i += 1;
      else if (c !== ']') throw new ScanError('expected , or ] in an array');
    }
  }

  #inlineTable(): void {
    this.#i += 1;
    this.#skipSpaces();
    if (this.text[this.#i] === '}') {
      this.#i += 1;
      return;
    }
    for (;;) {
      this.#key('=');
      this.#expect('=');
      this.#skipSpaces();
      this.#value();
      this.#skipSpaces();
      const c = this.text[this.#i];
      this.#i += 1;
      if (c === '}') return;
      if (c !== ',') throw new ScanError('expected , or } in an inline table');
    }
  }
}
