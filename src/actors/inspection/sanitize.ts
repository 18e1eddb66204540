import { REDACTED, redactSecrets } from '../../logging/redact.ts';

/** How much of a value the inspector keeps: it shows what a topic is doing, not what it carries. */
export interface SanitizeLimits {
  /** Longer strings (prompts, answers, transcripts) are cut to this many characters. */
  maxString: number;
  /** Longer arrays keep their latest items (the recent end of a transcript is what explains "stuck"). */
  maxArray: number;
  /** Objects with more keys keep the first ones. */
  maxKeys: number;
  /** Deeper values are replaced by a marker. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: SanitizeLimits = { maxString: 240, maxArray: 20, maxKeys: 100, maxDepth: 10 };

/** Credentials by name: never shown, whatever their value. */
const SECRET_KEY =
  /^(bot_?token|api_?key|apikey|secret|client_?secret|password|passwd|authorization|cookie|access_?token|refresh_?token|env)$/i;
/** Places that hold file contents (uploads, downloads, attachments): shown as their size only. */
const FILE_KEY = /^(content|contents|data|bytes|base64|body|buffer|file_?data)$/i;
/** A short value under a file key (a callback's `data`, an empty body) says more than its size. */
const FILE_VALUE_SHOWN = 32;

/**
 * A JSON copy of `value` that is safe to show in a browser or write to a log: bot tokens and
 * credentials redacted, file contents replaced by their size, long strings and arrays cut, cycles
 * and depth bounded. Actor references become their `toJSON` form (`{ xstate$$type, id }`).
 *
 * Engine session tokens are kept: every final message shows them in its resume line, and the
 * inspector needs them to explain a session lock.
 *
 * @example
 *   sanitizeForInspection({ prompt: 'x'.repeat(1000), bot_token: '123:abc' })
 *   // { prompt: 'xxx…(240)… [+760 chars]', bot_token: '[REDACTED]' }
 */
export function sanitizeForInspection(value: unknown, limits: SanitizeLimits = DEFAULT_LIMITS): unknown {
  return walk(value, limits, 0, new WeakSet());
}

/** Cuts one string to `max` characters, saying how much was left out. */
export function cutString(text: string, max: number = DEFAULT_LIMITS.maxString): string {
  const clean = redactSecrets(text);
  if (clean.length <= max) return clean;
  return `${clean.slice(0, max)}… [+${clean.length - max} chars]`;
}

function walk(value: unknown, limits: SanitizeLimits, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return cutString(value, limits.maxString);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value !== 'object') return undefined;
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Error)
    return { name: value.name, message: cutString(value.message, limits.maxString) };
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json = toJSON.call(value) as unknown;
    if (json !== value) return walk(json, limits, depth, seen);
  }
  if (depth >= limits.maxDepth) return '[…]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const cut = value.length - limits.maxArray;
      const kept = cut > 0 ? value.slice(cut) : value;
      const items = kept.map((item) => walk(item, limits, depth + 1, seen) ?? null);
      return cut > 0 ? [`[… ${cut} earlier items]`, ...items] : items;
    }
    const out: Record<string, unknown> = {};
    const entries = Object.entries(value);
    for (const [key, child] of entries.slice(0, limits.maxKeys)) {
      out[key] = sanitizeEntry(key, child, limits, depth, seen);
    }
    if (entries.length > limits.maxKeys) out['…'] = `+${entries.length - limits.maxKeys} more keys`;
    return out;
  } finally {
    seen.delete(value);
  }
}

function sanitizeEntry(
  key: string,
  value: unknown,
  limits: SanitizeLimits,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET_KEY.test(key)) return REDACTED;
  if (FILE_KEY.test(key) && typeof value === 'string' && value.length > FILE_VALUE_SHOWN) {
    return `[file contents: ${value.length} chars]`;
  }
  return walk(value, limits, depth + 1, seen);
}
