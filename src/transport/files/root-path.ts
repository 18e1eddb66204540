import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { deniedBy } from './deny-globs.ts';
import { GIT_RULE, isGitSegment } from './relative-path.ts';

/** Where a checked relative path lands on disk, with every symlink on the way resolved. */
export type RootTarget =
  | {
      ok: true;
      /** The project root, symlinks resolved. */
      root: string;
      /** The target's real path (its parent directories resolved; the last segment as found). */
      absolute: string;
      /** `absolute` relative to `root`, POSIX separators. */
      relative: string;
      /** What is there now. `symlink`: a link that points nowhere (inside the root). */
      kind: 'file' | 'directory' | 'symlink' | 'other' | 'missing';
    }
  | { ok: false; reason: 'escapes' | 'invalid' | 'root-missing' }
  | { ok: false; reason: 'denied'; rule: string };

/**
 * Resolves `segments` (from `relativePath`) under `root`, one segment at a time, so that a symlink
 * anywhere on the way (a linked parent folder included) is followed and refused when it leads out of
 * the root. The resolved path is checked against `.git` and the deny rules again: a link inside the
 * root may still point at `.git/config` or `secrets.pem`.
 *
 * @example
 *   await resolveInRoot('/src/app', ['docs', 'spec.pdf'], ['*.pem'])
 *   // → { ok: true, root: '/src/app', absolute: '/src/app/docs/spec.pdf', relative: 'docs/spec.pdf', kind: 'missing' }
 */
export async function resolveInRoot(
  root: string,
  segments: readonly string[],
  denyGlobs: readonly string[],
): Promise<RootTarget> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch {
    return { ok: false, reason: 'root-missing' };
  }
  let current = rootReal;
  let kind: Extract<RootTarget, { ok: true }>['kind'] | undefined;
  for (let i = 0; i < segments.length; i++) {
    const next = join(current, segments[i]!);
    const stats = await lstat(next).catch((error: NodeJS.ErrnoException) => error);
    if (stats instanceof Error) {
      if (stats.code === 'ENOENT') {
        current = join(current, ...segments.slice(i));
        kind = 'missing';
        break;
      }
      // ENOTDIR: a parent is a file.
      return { ok: false, reason: 'invalid' };
    }
    if (!stats.isSymbolicLink()) {
      current = next;
      continue;
    }
    const real = await realpath(next).catch(() => undefined);
    if (real === undefined) {
      // A dangling (or looping) link: judge it by where it points.
      const pointsTo = resolve(dirname(next), await readlink(next));
      if (!isInside(rootReal, pointsTo)) return { ok: false, reason: 'escapes' };
      if (i < segments.length - 1) return { ok: false, reason: 'invalid' };
      current = next;
      kind = 'symlink';
      break;
    }
    if (!isInside(rootReal, real)) return { ok: false, reason: 'escapes' };
    current = real;
  }
  const rel = relative(rootReal, current);
  if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return { ok: false, reason: 'escapes' };
  const posix = rel.split(sep).join('/');
  if (posix.split('/').some(isGitSegment)) return { ok: false, reason: 'denied', rule: GIT_RULE };
  const rule = deniedBy(posix, denyGlobs);
  if (rule !== undefined) return { ok: false, reason: 'denied', rule };
  if (kind === undefined) {
    const stats = await lstat(current);
    kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  }
  return { ok: true, root: rootReal, absolute: current, relative: posix, kind };
}

/** Whether `path` is `root` or below it (both absolute and normalized). */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}
