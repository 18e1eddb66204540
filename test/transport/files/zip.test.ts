import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY_GLOBS } from '../../../src/config/schema.ts';
import { crc32ByTable } from '../../../src/transport/files/crc32.ts';
import { zipDirectory } from '../../../src/transport/files/zip-directory.ts';
import { ZipTooLargeError, ZipWriter } from '../../../src/transport/files/zip-writer.ts';
import { useTempDir } from '../../support/temp-dir.ts';
import { readZip } from './read-zip.ts';

const tempDir = useTempDir();
const hasUnzip = (() => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const readZipFile = (path: string) => readZip(readFileSync(path));

function project() {
  const base = tempDir();
  const root = join(base, 'repo');
  mkdirSync(join(root, 'docs', 'deep', 'er'), { recursive: true });
  mkdirSync(join(root, '.git'), { recursive: true });
  mkdirSync(join(root, 'docs', '.ssh'), { recursive: true });
  writeFileSync(join(base, 'outside.txt'), 'outside');
  writeFileSync(join(root, '.git', 'config'), '[core]');
  writeFileSync(join(root, 'readme.md'), '# repo');
  writeFileSync(join(root, '.env'), 'TOKEN=1');
  writeFileSync(join(root, 'docs', 'a.md'), 'a'.repeat(5000));
  writeFileSync(join(root, 'docs', 'ü-名前.txt'), 'unicode');
  writeFileSync(join(root, 'docs', 'deep', 'er', 'b.txt'), 'b');
  writeFileSync(join(root, 'docs', 'empty.txt'), '');
  writeFileSync(join(root, 'docs', 'key.pem'), 'PRIVATE');
  writeFileSync(join(root, 'docs', '.ssh', 'id'), 'PRIVATE');
  symlinkSync('../../outside.txt', join(root, 'docs', 'link.txt'));
  symlinkSync('../..', join(root, 'docs', 'up'));
  return { base, root };
}

describe('zipDirectory', () => {
  it('stores every regular file under the folder name, deflated, and nothing a link or a rule hides', async () => {
    const { base, root } = project();
    const output = join(base, 'docs.zip');
    const result = await zipDirectory(join(root, 'docs'), output, {
      relative: 'docs',
      prefix: 'docs',
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1024 * 1024,
    });
    expect(readZipFile(output)).toEqual({
      'docs/a.md': 'a'.repeat(5000),
      'docs/deep/er/b.txt': 'b',
      'docs/empty.txt': '',
      'docs/ü-名前.txt': 'unicode',
    });
    expect(result.entries).toBe(4);
    // Deflated: 5000 repeated bytes take far less room than stored.
    expect(result.bytes).toBeLessThan(1500);
  });

  it('zips the project root without .git, denied files or links', async () => {
    const { base, root } = project();
    const output = join(base, 'repo.zip');
    await zipDirectory(root, output, {
      relative: '',
      prefix: 'repo',
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1 << 20,
    });
    expect(Object.keys(readZipFile(output)).sort()).toEqual([
      'repo/docs/a.md',
      'repo/docs/deep/er/b.txt',
      'repo/docs/empty.txt',
      'repo/docs/ü-名前.txt',
      'repo/readme.md',
    ]);
  });

  it.skipIf(!hasUnzip)('writes an archive that unzip lists and tests as sound', async () => {
    const { base, root } = project();
    const output = join(base, 'docs.zip');
    await zipDirectory(join(root, 'docs'), output, {
      relative: 'docs',
      prefix: 'docs',
      denyGlobs: DEFAULT_DENY_GLOBS,
      maxBytes: 1 << 20,
    });
    const listing = execFileSync('unzip', ['-Z1', output], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual(['docs/a.md', 'docs/deep/er/b.txt', 'docs/empty.txt', 'docs/ü-名前.txt']);
    expect(execFileSync('unzip', ['-t', output], { encoding: 'utf8' })).toContain('No errors detected');
    expect(execFileSync('unzip', ['-p', output, 'docs/deep/er/b.txt'], { encoding: 'utf8' })).toBe('b');
  });

  it('stops once the archive passes the limit and removes the partial file', async () => {
    const { base, root } = project();
    const output = join(base, 'docs.zip');
    await expect(
      zipDirectory(join(root, 'docs'), output, {
        relative: 'docs',
        prefix: 'docs',
        denyGlobs: DEFAULT_DENY_GLOBS,
        maxBytes: 100,
      }),
    ).rejects.toBeInstanceOf(ZipTooLargeError);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(base).sort()).toEqual(['outside.txt', 'repo']);
  });
});

describe('ZipWriter', () => {
  it('writes an empty archive that is still a valid zip', async () => {
    const output = join(tempDir(), 'empty.zip');
    const zip = await ZipWriter.create(output);
    expect(await zip.finish()).toBe(22);
    expect(readZipFile(output)).toEqual({});
  });
});

describe('crc32', () => {
  it.each([[''], ['hello'], ['The quick brown fox jumps over the lazy dog']])(
    'the table fallback agrees with zlib on %j, also when continued',
    (text) => {
      const data = Buffer.from(text);
      expect(crc32ByTable(data)).toBe(zlibCrc32(data));
      const half = Math.floor(data.length / 2);
      expect(crc32ByTable(data.subarray(half), crc32ByTable(data.subarray(0, half)))).toBe(zlibCrc32(data));
    },
  );
});
