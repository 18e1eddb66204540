import { describe, expect, it } from 'vitest';
import { relativePath } from '../../../src/transport/files/relative-path.ts';

describe('relativePath', () => {
  it.each([
    ['docs/spec.pdf', 'docs/spec.pdf', false],
    ['docs//./spec.pdf', 'docs/spec.pdf', false],
    ['./notes.md', 'notes.md', false],
    ['incoming/', 'incoming', true],
    ['.', '', false],
    ['./', '', true],
    ['a b/c d.txt', 'a b/c d.txt', false],
    ['.gitignore', '.gitignore', false],
    ['docs/.github/x.yml', 'docs/.github/x.yml', false],
  ])('accepts %j as %j', (raw, path, directory) => {
    expect(relativePath(raw)).toMatchObject({ ok: true, path, directory });
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['~/x', 'home'],
    ['~root/x', 'another home'],
    ['../x', 'parent'],
    ['a/../../x', 'parent in the middle'],
    ['a/..', 'parent at the end'],
    ['C:/x', 'a drive letter'],
    ['a\\..\\x', 'backslashes'],
    ['a\u0000b', 'a NUL byte'],
  ])('refuses %j (%s)', (raw) => {
    expect(relativePath(raw)).toEqual({ ok: false, reason: 'invalid' });
  });

  it.each([['.git'], ['.git/config'], ['a/.git/HEAD'], ['a/.GIT/config'], ['.git/']])(
    'denies %j as a .git path',
    (raw) => {
      expect(relativePath(raw)).toEqual({ ok: false, reason: 'denied', rule: '.git/**' });
    },
  );
});
