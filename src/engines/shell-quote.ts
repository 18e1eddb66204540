/**
 * Just enough POSIX shell word splitting to read the command lines engines report.
 *
 * codex reports every command it runs as the shell invocation it spawned, e.g.
 * `/bin/bash -lc 'npm test'`; the progress line should read `npm test`.
 */

/** Characters that make a command line more than a list of words when they appear unquoted. */
const SHELL_OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`']);
/** Inside double quotes a backslash escapes only these. */
const DOUBLE_QUOTE_ESCAPES = new Set(['$', '`', '"', '\\', '\n']);

/**
 * Splits a command line into words the way a POSIX shell would, honouring single quotes, double
 * quotes and backslashes. Returns undefined when the line is not a plain list of words: an
 * unterminated quote, or an unquoted operator, substitution or redirection.
 *
 * @example
 * splitShellWords(`/bin/bash -lc 'echo "hi there"'`); // → ['/bin/bash', '-lc', 'echo "hi there"']
 * splitShellWords('ls | wc -l'); // → undefined
 */
export function splitShellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '$' || c === '`') return undefined;
        if (c === '\\' && i + 1 < line.length && DOUBLE_QUOTE_ESCAPES.has(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        word += c;
        i++;
      }
      if (!closed) return undefined;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return undefined;
      if (line[i + 1] !== '\n') word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (SHELL_OPERATORS.has(ch)) {
      return undefined;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash']);

/**
 * The script of a `<shell> -c <script>` (or `-lc`) invocation, or undefined for any other command.
 *
 * @example
 * unwrapShellInvocation(`/bin/bash -lc 'echo hi'`); // → 'echo hi'
 * unwrapShellInvocation('pytest -q'); // → undefined
 */
export function unwrapShellInvocation(command: string): string | undefined {
  const words = splitShellWords(command.trim());
  if (words?.length !== 3) return undefined;
  const [shell, flag, script] = words as [string, string, string];
  const name = shell.slice(shell.lastIndexOf('/') + 1);
  if (!SHELLS.has(name) || (flag !== '-c' && flag !== '-lc')) return undefined;
  return script.trim() === '' ? undefined : script;
}
