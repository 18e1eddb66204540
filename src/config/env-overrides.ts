import { parse as parseToml } from 'smol-toml';

const PREFIX = 'TENTACLE__';

/**
 * Applies `TENTACLE__SECTION__KEY=value` variables on top of the parsed TOML: nested keys are
 * joined by `__` and lowercased (`TENTACLE__TRANSPORTS__TELEGRAM__CHAT_ID=-100123`). The value is
 * read as a TOML literal when it parses as one (numbers, booleans, arrays, quoted strings), else as
 * a plain string, so `TENTACLE__DEFAULT_ENGINE=claude` works unquoted. The environment wins over
 * the file.
 *
 * @returns the keys that were overridden, for logging.
 */
export function applyEnvOverrides(config: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const path = name
      .slice(PREFIX.length)
      .split('__')
      .map((part) => part.toLowerCase());
    if (path.some((part) => part === '')) continue;
    setPath(config, path, parseLiteral(raw));
    applied.push(path.join('.'));
  }
  return applied;
}

/** A TOML literal (`42`, `true`, `["a"]`, `"x"`), or the raw text when it is not one. */
export function parseLiteral(raw: string): unknown {
  try {
    return (parseToml(`v = ${raw}`) as { v: unknown }).v;
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
