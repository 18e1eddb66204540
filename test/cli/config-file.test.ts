import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigChange, renderConfigChange, writeFileAtomic } from '../../src/cli/config-file.ts';

function apply(text: string, change: ConfigChange): { text: string; preserved: boolean } {
  return applyWithData(text, change).result;
}

function applyWithData(text: string, change: ConfigChange) {
  const data = parse(text) as Record<string, unknown>;
  let node = data;
  for (const key of change.path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  if (change.kind === 'set') node[change.path.at(-1)!] = change.value;
  else {
    delete node[change.path.at(-1)!];
    for (const table of change.emptied) {
      let parent = data;
      for (const key of table.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
      delete parent[table.at(-1)!];
    }
  }
  return { result: renderConfigChange(text, data, change), data };
}

const set = (path: string, value: unknown): ConfigChange => ({ kind: 'set', path: path.split('.'), value });

describe('config text edits', () => {
  it.each([
    ['replaces a value and keeps its trailing comment', 'a = 1 # one\n', set('a', 2), 'a = 2 # one\n'],
    [
      'replaces a multi-line array',
      'x = [\n  1, # first\n  2,\n]\ny = 1\n',
      set('x', [3]),
      'x = [3]\ny = 1\n',
    ],
    ['replaces a quoted key', '[t]\n"odd key" = "a"\n', set('t.odd key', 'b'), '[t]\n"odd key" = "b"\n'],
    [
      'inserts after the last sibling of a section',
      '[t]\na = 1\n\n# next\n[u]\nb = 2\n',
      set('t.c', true),
      '[t]\na = 1\nc = true\n\n# next\n[u]\nb = 2\n',
    ],
    [
      'inserts a dotted sibling where the table is made of dotted keys',
      '[t]\nsub.a = 1\n',
      set('t.sub.b', 'x'),
      '[t]\nsub.a = 1\nsub.b = "x"\n',
    ],
    [
      'inserts under an empty header',
      '[t]\n# nothing yet\n[u]\n',
      set('t.a', 1),
      '[t]\na = 1\n# nothing yet\n[u]\n',
    ],
    [
      'inserts a root key before the first header',
      '# top\n[t]\na = 1\n',
      set('z', 1),
      '# top\nz = 1\n\n[t]\na = 1\n',
    ],
    [
      'appends a new section for a new table',
      'a = 1 # keep\n',
      set('p.q.r', 'v'),
      'a = 1 # keep\n\n[p.q]\nr = "v"\n',
    ],
    [
      'skips strings, comments and multi-line strings that look like keys',
      's = """\n[t]\nb = 0\n"""\nh = "# not a comment"\n[t]\nb = 1\n',
      set('t.b', 2),
      's = """\n[t]\nb = 0\n"""\nh = "# not a comment"\n[t]\nb = 2\n',
    ],
    [
      'keeps a local date-time with a space',
      'd = 1979-05-27 07:32:00 # when\nn = 1\n',
      set('n', 2),
      'd = 1979-05-27 07:32:00 # when\nn = 2\n',
    ],
    ['keeps CRLF line ends', 'a = 1\r\nb = 2\r\n', set('b', 3), 'a = 1\r\nb = 3\r\n'],
    [
      'removes a pair and the header of the table it empties',
      'a = 1\n\n[t]\nx = 1 # gone\n[u]\ny = 2\n',
      { kind: 'unset', path: ['t', 'x'], emptied: [['t']] } satisfies ConfigChange,
      'a = 1\n\n[u]\ny = 2\n',
    ],
  ])('%s', (_name, text, change, expected) => {
    expect(apply(text, change)).toEqual({ text: expected, preserved: true });
  });

  it.each([
    ['a value inside an inline table', 't = { a = 1 }\n', set('t.b', 2)],
    ['a table first defined by dotted keys', 'a.b.c = 1\n', set('a.d', 2)],
    ['a key escape the scanner does not decode', '"k\\U000000e9" = 1\na = 1\n', set('a', 3)],
  ])('falls back to a full rewrite with the intended data for %s', (_name, text, change) => {
    const { result, data } = applyWithData(text, change);
    expect(result.preserved).toBe(false);
    const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
    expect(plain(parse(result.text))).toEqual(plain(data));
  });
});

describe('writeFileAtomic', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the content, keeps the mode of an existing file, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tentacle-atomic-'));
    dirs.push(dir);
    const path = join(dir, 'tentacle.toml');
    writeFileSync(path, 'old', { mode: 0o640 });
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['tentacle.toml']);
  });

  it('creates a new file readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tentacle-atomic-'));
    dirs.push(dir);
    const path = join(dir, 'tentacle.toml');
    writeFileAtomic(path, 'x = 1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
