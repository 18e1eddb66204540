import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/transport/files/atomic-write.ts';
import { useTempDir } from '../../support/temp-dir.ts';

const tempDir = useTempDir();
const bytes = (text: string) => new TextEncoder().encode(text);

describe('writeFileAtomic', () => {
  it('creates missing folders and leaves only the target behind', async () => {
    const root = tempDir();
    const target = join(root, 'a', 'b', 'c.txt');
    expect(await writeFileAtomic(root, target, bytes('hello'), { force: false })).toEqual({
      ok: true,
      unchanged: false,
    });
    expect(readFileSync(target, 'utf8')).toBe('hello');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['c.txt']);
  });

  it.each([
    [false, 'other', { ok: false, reason: 'exists' }, 'old'],
    [false, 'old', { ok: true, unchanged: true }, 'old'],
    [true, 'other', { ok: true, unchanged: false }, 'other'],
  ])('over an existing file, force %s with %j → %j, file holds %j', async (force, text, outcome, after) => {
    const root = tempDir();
    const target = join(root, 'f.txt');
    writeFileSync(target, 'old');
    expect(await writeFileAtomic(root, target, bytes(text), { force })).toEqual(outcome);
    expect(readFileSync(target, 'utf8')).toBe(after);
    expect(readdirSync(root)).toEqual(['f.txt']);
  });

  it('refuses a folder as the target, even with force', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'dir'));
    expect(await writeFileAtomic(root, join(root, 'dir'), bytes('x'), { force: true })).toEqual({
      ok: false,
      reason: 'is-directory',
    });
  });

  it('refuses a path whose parent is a file', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), 'x');
    expect(await writeFileAtomic(root, join(root, 'file', 'x.txt'), bytes('x'), { force: true })).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('lets exactly one of two racing writers create the file without force', async () => {
    const root = tempDir();
    const target = join(root, 'race.txt');
    const outcomes = await Promise.all(
      ['first', 'second', 'third'].map((text) =>
        writeFileAtomic(root, target, bytes(text), { force: false }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok)).toEqual([
      { ok: false, reason: 'exists' },
      { ok: false, reason: 'exists' },
    ]);
    expect(['first', 'second', 'third']).toContain(readFileSync(target, 'utf8'));
    expect(readdirSync(root)).toEqual(['race.txt']);
  });
});
