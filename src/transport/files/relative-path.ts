/**
 * The lexical rules every transfer path passes before the filesystem is looked at: relative, no `~`,
 * no `..`, no `.git` anywhere, no NUL or backslash. Paths are POSIX and relative to the project root.
 */

export type RelativePath =
  | {
      ok: true;
      /** Normalized: no `.` or empty segments, no leading or trailing `/`; `''` is the root itself. */
      path: string;
      segments: string[];
      /** The path was written with a trailing `/`: it names a directory. */
      directory: boolean;
    }
  | { ok: false; reason: 'invalid' }
  /** `.git` is never read or written, whatever the deny rules say. */
  | { ok: false; reason: 'denied'; rule: string };

/** The rule shown when a path goes through a `.git` folder. */
export const GIT_RULE = '.git/**';

/**
 * Checks and normalizes a path a user typed.
 *
 * @example
 *   relativePath('docs//./spec.pdf') // { ok: true, path: 'docs/spec.pdf', segments: ['docs', 'spec.pdf'], directory: false }
 *   relativePath('../etc/passwd') // { ok: false, reason: 'invalid' }
 *   relativePath('a/.git/config') // { ok: false, reason: 'denied', rule: '.git/**' }
 */
export function relativePath(raw: string): RelativePath {
  const text = raw.trim();
  if (text === '' || text.includes('\0') || text.includes('\\')) return { ok: false, reason: 'invalid' };
  if (text.startsWith('/') || text.startsWith('~') || /^[A-Za-z]:/.test(text)) {
    return { ok: false, reason: 'invalid' };
  }
  const segments = text.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, reason: 'invalid' };
  if (segments.some(isGitSegment)) return { ok: false, reason: 'denied', rule: GIT_RULE };
  return { ok: true, path: segments.join('/'), segments, directory: text.endsWith('/') };
}

/** `.git`, in any letter case: a case-insensitive filesystem would treat `.GIT` as the same folder. */
export function isGitSegment(segment: string): boolean {
  return segment.toLowerCase() === '.git';
}
