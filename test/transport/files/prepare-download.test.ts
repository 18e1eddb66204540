import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY_GLOBS } from '../../../src/config/schema.ts';
import { prepareDownload } from '../../../src/transport/files/prepare-download.ts';
import { useTempDir } from '../../support/temp-dir.ts';
import { readZip } from './read-zip.ts';

const tempDir = useTempDir();

function project() {
  const root = join(tempDir(), 'app');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'a.md'), 'a');
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(2048, 1));
  return { root, staging: tempDir() };
}

describe('prepareDownload', () => {
  it('stages a private copy of a file and removes it on cleanup', async () => {
    const { root, staging } = project();
    const ready = await prepareDownload(root, 'docs/a.md', {
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1024,
      tempDir: staging,
    });
    if (!ready.ok) throw new Error(ready.error);
    expect({ name: ready.fileName, bytes: ready.bytes, text: readFileSync(ready.path, 'utf8') }).toEqual({
      name: 'a.md',
      bytes: 1,
      text: 'a',
    });
    expect(ready.path.startsWith(staging)).toBe(true);
    await ready.cleanup();
    expect(readdirSync(staging)).toEqual([]);
    expect(readFileSync(join(root, 'docs', 'a.md'), 'utf8')).toBe('a');
  });

  it.each([
    ['docs', 'docs.zip', { 'docs/a.md': 'a' }],
    ['docs/', 'docs.zip', { 'docs/a.md': 'a' }],
  ])('zips the folder %s as %s', async (path, name, entries) => {
    const { root, staging } = project();
    const ready = await prepareDownload(root, path, {
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1 << 20,
      tempDir: staging,
    });
    if (!ready.ok) throw new Error(ready.error);
    expect(ready.fileName).toBe(name);
    expect(readZip(readFileSync(ready.path))).toEqual(entries);
    await ready.cleanup();
  });

  it('zips the whole project for "." under the project folder’s name', async () => {
    const { root, staging } = project();
    const ready = await prepareDownload(root, '.', {
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1 << 20,
      tempDir: staging,
    });
    if (!ready.ok) throw new Error(ready.error);
    expect(ready.fileName).toBe(`${basename(root)}.zip`);
    expect(Object.keys(readZip(readFileSync(ready.path))).sort()).toEqual(['app/big.bin', 'app/docs/a.md']);
    await ready.cleanup();
  });

  it.each([
    ['big.bin', 'a file over the limit'],
    ['.', 'a folder whose zip passes the limit'],
  ])('refuses %s (%s) as too large and leaves nothing staged', async (path) => {
    const { root, staging } = project();
    const ready = await prepareDownload(root, path, {
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 100,
      tempDir: staging,
    });
    expect(ready).toEqual({ ok: false, error: 'file is too large to send.' });
    expect(readdirSync(staging)).toEqual([]);
  });

  it('names a missing project folder', async () => {
    const staging = tempDir();
    const root = join(staging, 'gone');
    const ready = await prepareDownload(root, 'a.md', { denyGlobs: [], maxBytes: 100, tempDir: staging });
    expect(ready).toEqual({ ok: false, error: `the project folder \`${root}\` does not exist.` });
    expect(existsSync(root)).toBe(false);
  });
});
