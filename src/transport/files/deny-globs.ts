/**
 * Deny rules for file transfer (`files.deny_globs`). A rule is a POSIX path pattern matched against a
 * path relative to the project root, from the right: `*.pem` denies `key.pem` and `certs/prod/key.pem`,
 * `.ssh/**` denies `.ssh/id` and `home/.ssh/keys/id`. A rule starting with `/` is anchored at the root.
 *
 * Within a segment `*` matches any run of characters, `?` one character and `[…]` a class (`[!…]`
 * negates); `**` as a whole segment matches any number of segments, none included. A path is also
 * denied when one of its parent directories is: a rule naming a folder covers what it holds.
 */

/**
 * The first rule that denies `path` (a normalized relative POSIX path), or undefined.
 *
 * @example
 *   deniedBy('certs/prod/key.pem', ['.env', '*.pem']) // '*.pem'
 *   deniedBy('src/.ssh/config', ['.ssh/**']) // '.ssh/**'
 *   deniedBy('docs/readme.md', ['.env', '*.pem']) // undefined
 */
export function deniedBy(path: string, rules: readonly string[]): string | undefined {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return undefined;
  for (const rule of rules) {
    const compiled = compile(rule);
    if (!compiled) continue;
    // The path itself, then each parent directory.
    for (let end = segments.length; end > 0; end--) {
      if (matches(compiled, segments.slice(0, end))) return rule;
    }
  }
  return undefined;
}

type Segment = '**' | RegExp;

function compile(rule: string): Segment[] | undefined {
  const trimmed = rule.trim();
  if (trimmed === '') return undefined;
  const anchored = trimmed.startsWith('/');
  const parts = trimmed.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0) return undefined;
  const segments: Segment[] = parts.map((part) => (part === '**' ? '**' : segmentRegExp(part)));
  // Right-anchored: a relative rule may start at any depth.
  return anchored ? segments : ['**', ...segments];
}

function matches(pattern: readonly Segment[], segments: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const at = (p: number, s: number): boolean => {
    const key = `${p}:${s}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (p === pattern.length) result = s === segments.length;
    else {
      const part = pattern[p]!;
      if (part === '**') result = at(p + 1, s) || (s < segments.length && at(p, s + 1));
      else result = s < segments.length && part.test(segments[s]!) && at(p + 1, s + 1);
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** One segment of a glob as an anchored regular expression (fnmatch rules, no `/`). */
function segmentRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/\^/g, '\\^')}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
