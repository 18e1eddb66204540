import type { EngineId } from '../../engines/events.ts';
import { parseDirectives } from '../routing/directives.ts';

export type FileCommand =
  | {
      ok: true;
      action: 'put' | 'get';
      /** `--force`: overwrite an existing file (put only). */
      force: boolean;
      /** The directives as written (`/proj @feat`), for resolving the project root. */
      directives: string;
      /** The path as typed, `''` when none was given. */
      path: string;
    }
  | { ok: false; error: string };

export const FILE_USAGE = 'usage: `/file put <path>` or `/file get <path>`';
export const PUT_USAGE = 'usage: `/file put <path>`';

/** Marks the end of the directive text, so that "nothing after the directives" is visible. */
const END = '\u0000';

/**
 * Reads the arguments of `/file`: `put [--force] [directives] <path>` or `get [directives] <path>`.
 * Flags and directives may come in any order before the path; the path runs to the end of the first
 * line, spaces included.
 *
 * @example
 *   parseFileCommand('put --force /app @feat docs/spec.pdf', { engines: [], projects: ['app'] })
 *   // → { ok: true, action: 'put', force: true, directives: '/app @feat', path: 'docs/spec.pdf' }
 *   parseFileCommand('get --all x', { engines: [], projects: [] }) // → { ok: false, error: 'unknown flag: --all' }
 */
export function parseFileCommand(
  args: string,
  options: { engines: readonly EngineId[]; projects: readonly string[]; botUsername?: string | undefined },
): FileCommand {
  const line = args.split(/\r?\n/, 1)[0] ?? '';
  const sub = /^\s*(\S+)/.exec(line);
  const action = sub?.[1]?.toLowerCase();
  if (action !== 'put' && action !== 'get') return { ok: false, error: FILE_USAGE };
  let force = false;
  const prefix: string[] = [];
  let tail = '';
  for (const token of line.slice(sub![0].length).matchAll(/\S+/g)) {
    const word = token[0];
    if (word.startsWith('--')) {
      if (action === 'put' && word === '--force') force = true;
      else return { ok: false, error: `unknown flag: ${word}` };
      continue;
    }
    if (word.startsWith('/') || word.startsWith('@')) {
      prefix.push(word);
      continue;
    }
    tail = line.slice(sub![0].length + token.index).trim();
    break;
  }
  const directives = prefix.join(' ');
  const parsed = parseDirectives(`${directives} ${END}`, {
    engines: options.engines,
    projects: options.projects,
    botUsername: options.botUsername,
  });
  if (!parsed.ok) return { ok: false, error: parsed.error };
  // Whatever the directives did not take (`/etc/passwd`) is the start of the path.
  const leftover = parsed.directives.prompt.replace(END, '').trim();
  const path = [leftover, tail].filter((part) => part !== '').join(' ');
  return { ok: true, action, force, directives, path };
}
