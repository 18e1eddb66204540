import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseToml, stringify as stringifyToml, TomlDate } from 'smol-toml';
import { removeTomlValue, setTomlValue } from './toml-edit.ts';
import { tomlLiteral } from './toml-literal.ts';

/** One change to a config document: set a leaf, or remove it (pruning tables it leaves empty). */
export type ConfigChange =
  | { kind: 'set'; path: readonly string[]; value: unknown }
  | { kind: 'unset'; path: readonly string[]; emptied: readonly (readonly string[])[] };

/**
 * The new text of a config file after `change`, which turned `before` into `after`.
 *
 * Comments and layout are kept when a line-level edit of `text` parses back to exactly `after`;
 * otherwise the whole document is written anew from `after` (and `preserved` is false), so the
 * result always holds the intended data.
 *
 * @example
 *   const { text: next, preserved } = renderConfigChange(text, after, { kind: 'set', path: ['default_engine'], value: 'claude' });
 */
export function renderConfigChange(
  text: string,
  after: Record<string, unknown>,
  change: ConfigChange,
): { text: string; preserved: boolean } {
  const edited =
    change.kind === 'set'
      ? setTomlValue(text, change.path, tomlLiteral(change.value))
      : removeTomlValue(text, change.path, change.emptied);
  if (edited !== undefined && sameData(edited, after)) return { text: edited, preserved: true };
  return { text: stringifyToml(after), preserved: false };
}

/**
 * Like `renderConfigChange` for several leaves set at once (the wizard merging its answers into an
 * existing config): each is edited in place in turn, and the result must parse back to `after`.
 */
export function renderConfigSets(
  text: string,
  after: Record<string, unknown>,
  sets: readonly { path: readonly string[]; value: unknown }[],
): { text: string; preserved: boolean } {
  let edited: string | undefined = text;
  for (const { path, value } of sets) {
    if (edited === undefined) break;
    edited = setTomlValue(edited, path, tomlLiteral(value));
  }
  if (edited !== undefined && sameData(edited, after)) return { text: edited, preserved: true };
  return { text: stringifyToml(after), preserved: false };
}

/**
 * Writes a file so that a crash leaves either the old or the new content: a temporary file in the
 * same folder, fsync, rename over the target, fsync of the folder. The mode of an existing file is
 * kept; a new one is private (0600), since a config holds the bot token.
 */
export function writeFileAtomic(path: string, content: string): void {
  let mode = 0o600;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    // a new file
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  try {
    const dirFd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is already atomic.
  }
}

function sameData(text: string, expected: Record<string, unknown>): boolean {
  try {
    return canonical(parseToml(text)) === canonical(expected);
  } catch {
    return false;
  }
}

/** JSON with sorted keys and tagged dates: equal data gives equal strings, whatever the key order. */
function canonical(value: unknown): string {
  // The holder's own value: JSON.stringify has already turned dates into strings in `_value`.
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, _value: unknown) {
    const item = this[key];
    if (item instanceof TomlDate || item instanceof Date) return `date:${item.toISOString()}`;
    if (typeof item === 'bigint') return `bigint:${item}`;
    if (typeof item === 'number' && !Number.isFinite(item)) return `number:${item}`;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return item;
  });
}
