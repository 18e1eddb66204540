import { TomlDate } from 'smol-toml';

/**
 * A value as one TOML literal, the way `tentacle config get` and `config list` print it and
 * `config set` writes it: `42`, `true`, `"text"`, `["a", "b"]`, `{ k = 1 }`.
 *
 * @example
 *   tomlLiteral(['-c', 'notify=[]']) // '["-c", "notify=[]"]'
 *   tomlLiteral({ q: 1 }) // '{ q = 1 }'
 */
export function tomlLiteral(value: unknown): string {
  if (typeof value === 'string') return basicString(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Number.POSITIVE_INFINITY) return 'inf';
    if (value === Number.NEGATIVE_INFINITY) return '-inf';
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof TomlDate) return value.toISOString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(tomlLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${tomlKey(key)} = ${tomlLiteral(item)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  throw new TypeError(`no TOML literal for ${String(value)}`);
}

/** A key segment: bare when it can be, quoted otherwise. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : basicString(key);
}

/**
 * Every leaf of a parsed config as `[dot.path, value]`, sorted by key at each level; arrays
 * (arrays of tables included) are leaves.
 *
 * @example
 *   flattenConfig({ b: 1, a: { c: true } }) // [['a.c', true], ['b', 1]]
 */
export function flattenConfig(config: Record<string, unknown>): [string, unknown][] {
  const items: [string, unknown][] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const key of Object.keys(node).sort()) {
      const value = node[key];
      const path = prefix ? `${prefix}.${key}` : key;
      if (isTable(value)) walk(value, path);
      else items.push([path, value]);
    }
  };
  walk(config, '');
  return items;
}

/** A TOML table as parsed (plain or null-prototype object), not an array or a date. */
export function isTable(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof TomlDate)
  );
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

function basicString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const escaped = ESCAPES[char];
    if (escaped) out += escaped;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
