import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isInside } from './root-path.ts';

export type WriteOutcome =
  /** Written; `unchanged` when the file already held exactly these bytes. */
  { ok: true; unchanged: boolean } | { ok: false; reason: 'exists' | 'is-directory' | 'escapes' | 'invalid' };

/**
 * Writes `bytes` to `absolute` (inside `root`, both real paths) so that no reader ever sees half a
 * file: a temporary file in the same directory, flushed, then renamed over the target (`force`) or
 * hard-linked to it, which fails if the target appeared meanwhile. Missing parent folders are created
 * and checked again afterwards, so a symlink swapped in between the check and the write is caught.
 * A target that already holds these exact bytes counts as written: a redelivered upload is not an error.
 *
 * @example
 *   await writeFileAtomic('/src/app', '/src/app/docs/spec.pdf', bytes, { force: false }) // { ok: true, unchanged: false }
 */
export async function writeFileAtomic(
  root: string,
  absolute: string,
  bytes: Uint8Array,
  options: { force: boolean },
): Promise<WriteOutcome> {
  const name = basename(absolute);
  try {
    await mkdir(dirname(absolute), { recursive: true });
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parent = await realpath(dirname(absolute)).catch(() => undefined);
  if (parent === undefined) return { ok: false, reason: 'invalid' };
  if (!isInside(root, parent)) return { ok: false, reason: 'escapes' };
  const target = join(parent, name);

  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isDirectory()) return { ok: false, reason: 'is-directory' };
  if (existing && !options.force)
    return (await holds(target, bytes)) ? same : { ok: false, reason: 'exists' };

  const temp = join(parent, `.tentacle-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.force) {
      await rename(temp, target);
      return { ok: true, unchanged: false };
    }
    try {
      await link(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return (await holds(target, bytes)) ? same : { ok: false, reason: 'exists' };
      // Filesystems without hard links: check, then rename (a narrow race, as good as it gets there).
      if (await lstat(target).catch(() => undefined)) return { ok: false, reason: 'exists' };
      await rename(temp, target);
    }
    return { ok: true, unchanged: false };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

const same: WriteOutcome = { ok: true, unchanged: true };

async function holds(path: string, bytes: Uint8Array): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  if (!stats?.isFile() || stats.size !== bytes.byteLength) return false;
  return Buffer.from(await readFile(path)).equals(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
}
