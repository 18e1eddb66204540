import type { ActionKind, Json } from './events.ts';

/**
 * Tool name → action kind and progress title, shared by the engines whose JSONL reports tool calls
 * by name (claude, opencode, pi).
 *
 * Names are compared case-insensitively. Paths and commands are shown relative to the run's cwd so a
 * progress line reads `src/app.ts` rather than `/home/dev/project/src/app.ts`.
 */
export interface ToolActionOptions {
  /** The run's working directory; absolute paths under it are shown relative to it. */
  cwd?: string | undefined;
  /** Kind given to sub-agent tools (`task`, `agent`). Defaults to `subagent`. */
  taskKind?: ActionKind | undefined;
  /** Input keys that may hold the file path, first match wins. Defaults to `file_path`, `filePath`, `path`. */
  pathKeys?: readonly string[] | undefined;
}

export interface ToolKindAndTitle {
  kind: ActionKind;
  title: string;
}

export const DEFAULT_PATH_KEYS: readonly string[] = ['file_path', 'filePath', 'path'];

/**
 * Classifies one tool call for the progress message.
 *
 * @example
 * toolKindAndTitle('Bash', { command: '/repo/bin/test.sh -q' }, { cwd: '/repo' });
 * // → { kind: 'command', title: 'bin/test.sh -q' }
 * toolKindAndTitle('read', { path: '/repo/README.md' }, { cwd: '/repo', pathKeys: ['path'] });
 * // → { kind: 'tool', title: 'read: `README.md`' }
 */
export function toolKindAndTitle(
  name: string,
  input: Json | undefined,
  options: ToolActionOptions = {},
): ToolKindAndTitle {
  const args = isObject(input) ? input : {};
  const cwd = options.cwd;
  const pathKeys = options.pathKeys ?? DEFAULT_PATH_KEYS;
  const path = toolInputPath(args, pathKeys);
  const field = (key: string): string | undefined => displayValue(args[key]);

  switch (name.toLowerCase()) {
    case 'bash':
    case 'shell':
    case 'killshell': {
      const command = field('command');
      return { kind: 'command', title: command ? relativizeCommand(command, cwd) : name };
    }
    case 'edit':
    case 'write':
    case 'notebookedit':
    case 'multiedit':
      return { kind: 'file_change', title: path ? relativizePath(path, cwd) : name };
    case 'read':
      return { kind: 'tool', title: path ? `read: \`${relativizePath(path, cwd)}\`` : 'read' };
    case 'glob': {
      const pattern = field('pattern');
      return { kind: 'tool', title: pattern ? `glob: \`${pattern}\`` : 'glob' };
    }
    case 'grep': {
      const pattern = field('pattern');
      return { kind: 'tool', title: pattern ? `grep: ${pattern}` : 'grep' };
    }
    case 'find': {
      const pattern = field('pattern');
      return { kind: 'tool', title: pattern ? `find: ${pattern}` : 'find' };
    }
    case 'ls':
      return { kind: 'tool', title: path ? `ls: \`${relativizePath(path, cwd)}\`` : 'ls' };
    case 'websearch':
    case 'web_search':
      return { kind: 'web_search', title: field('query') || 'search' };
    case 'webfetch':
    case 'web_fetch':
      return { kind: 'web_search', title: field('url') || 'fetch' };
    case 'todowrite':
      return { kind: 'note', title: 'update todos' };
    case 'todoread':
      return { kind: 'note', title: 'read todos' };
    case 'askuserquestion':
      return { kind: 'note', title: 'ask user' };
    case 'task':
    case 'agent':
      return {
        kind: options.taskKind ?? 'subagent',
        title: field('description') || field('prompt') || name,
      };
    default:
      return { kind: 'tool', title: name };
  }
}

/** The first non-empty string among `pathKeys` in a tool's input, as the engine sent it. */
export function toolInputPath(
  input: Json | undefined,
  pathKeys: readonly string[] = DEFAULT_PATH_KEYS,
): string | undefined {
  if (!isObject(input)) return undefined;
  for (const key of pathKeys) {
    const value = input[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * A path relative to `cwd` when it lies under it (`cwd` itself becomes `.`); any other path as is.
 *
 * @example
 * relativizePath('/repo/src/a.ts', '/repo'); // → 'src/a.ts'
 */
export function relativizePath(value: string, cwd: string | undefined): string {
  if (value === '') return value;
  for (const base of baseVariants(cwd)) {
    if (value === base) return '.';
    for (const sep of ['/', '\\']) {
      const prefix = `${base}${sep}`;
      if (value.startsWith(prefix)) return (value.slice(prefix.length) || '.').replaceAll('\\', '/');
    }
  }
  return value;
}

/**
 * A command line with every `<cwd>/` removed, so paths inside the checkout read as relative ones.
 *
 * @example
 * relativizeCommand('cat /repo/a.txt /repo/b.txt', '/repo'); // → 'cat a.txt b.txt'
 */
export function relativizeCommand(value: string, cwd: string | undefined): string {
  let out = value;
  for (const base of baseVariants(cwd)) {
    for (const sep of ['/', '\\']) out = out.replaceAll(`${base}${sep}`, '');
  }
  return out;
}

/** The cwd without trailing separators, in its own, forward-slash and backslash spellings. */
function baseVariants(cwd: string | undefined): string[] {
  const trimmed = (cwd ?? '').replace(/[/\\]+$/, '');
  // The filesystem root is not a useful base: stripping `/` would mangle every absolute path.
  if (trimmed === '') return [];
  const variants = [trimmed, trimmed.replaceAll('\\', '/'), trimmed.replaceAll('/', '\\')];
  return [...new Set(variants)];
}

/** A tool input field as display text: strings as they are, argv arrays joined by spaces. */
function displayValue(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
  return undefined;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
