import { existsSync } from 'node:fs';
import { ConfigError } from '../config/config-error.ts';
import { resolveConfigPath } from '../config/config-path.ts';
import { parseConfigText, readConfigText, validateConfig } from '../config/load-config.ts';
import { configSchema } from '../config/schema.ts';
import { CliError } from './cli-error.ts';
import { type ConfigChange, renderConfigChange, writeFileAtomic } from './config-file.ts';
import { silentExit } from './silent-exit.ts';
import { flattenConfig, isTable, tomlLiteral } from './toml-literal.ts';

export interface ConfigCommandOptions {
  config?: string;
}

/** Output sinks, so tests and other commands can call these without a child process. */
export interface ConfigIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const defaultIo: ConfigIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** `tentacle config path`: the config file this command line would use. */
export function configPathCommand(options: ConfigCommandOptions, io: ConfigIo = defaultIo): void {
  io.stdout(resolveConfigPath({ flag: options.config }));
}

/** `tentacle config list`: every leaf as `dot.path = <toml literal>`, sorted. Missing config → exit 1. */
export function configListCommand(options: ConfigCommandOptions, io: ConfigIo = defaultIo): void {
  const { config } = readDocument(resolveConfigPath({ flag: options.config }), 1);
  for (const [key, value] of flattenConfig(config)) io.stdout(`${key} = ${tomlLiteral(value)}`);
}

/**
 * `tentacle config get <key>`: the value as a TOML literal. A missing key exits 1 with no output; a
 * table exits 2 (`'x' is a table; pick a leaf node.`); a missing config exits 2.
 */
export function configGetCommand(key: string, options: ConfigCommandOptions, io: ConfigIo = defaultIo): void {
  const configPath = resolveConfigPath({ flag: options.config });
  const { config } = readDocument(configPath, 2);
  const segments = parseKeyPath(key);
  let node: unknown = config;
  for (const [index, segment] of segments.entries()) {
    if (!isTable(node)) throw notATable(segments.slice(0, index), configPath);
    if (!Object.hasOwn(node, segment)) throw silentExit(1);
    node = node[segment];
  }
  if (isTable(node)) throw new CliError(`'${segments.join('.')}' is a table; pick a leaf node.`, 2);
  io.stdout(tomlLiteral(node));
}

/**
 * `tentacle config set <key> <value>`: the value is read as a TOML literal (`42`, `true`,
 * `["a"]`, `"quoted"`), anything else as a plain string. Missing tables are created, the whole
 * config is validated before anything is written, and the write is atomic. Comments are kept when
 * a line edit can express the change.
 */
export function configSetCommand(
  key: string,
  rawValue: string,
  options: ConfigCommandOptions,
  io: ConfigIo = defaultIo,
): void {
  const configPath = resolveConfigPath({ flag: options.config });
  const segments = parseKeyPath(key);
  const written = setConfigValue(configPath, segments, parseValue(rawValue), io);
  io.stdout(`updated ${segments.join('.')} = ${tomlLiteral(written)}`);
}

/**
 * `tentacle config unset <key>`: removes the key and prunes tables left empty. A missing key exits
 * 1; a config that would no longer be valid is left untouched (exit 2).
 */
export function configUnsetCommand(
  key: string,
  options: ConfigCommandOptions,
  io: ConfigIo = defaultIo,
): void {
  const configPath = resolveConfigPath({ flag: options.config });
  const { text, config } = readDocument(configPath, 2);
  const segments = parseKeyPath(key);
  const stack: { table: Record<string, unknown>; key: string }[] = [];
  let node: Record<string, unknown> = config;
  for (const [index, segment] of segments.slice(0, -1).entries()) {
    const next = node[segment];
    if (next === undefined) throw silentExit(1);
    if (!isTable(next)) throw notATable(segments.slice(0, index + 1), configPath);
    stack.push({ table: node, key: segment });
    node = next;
  }
  const leaf = segments.at(-1)!;
  if (!Object.hasOwn(node, leaf)) throw silentExit(1);
  delete node[leaf];
  const emptied: string[][] = [];
  while (stack.length > 0 && Object.keys(node).length === 0) {
    const { table, key: name } = stack.pop()!;
    delete table[name];
    emptied.push([...stack.map((entry) => entry.key), name]);
    node = table;
  }
  validateOrExit(config, configPath);
  save(configPath, text, config, { kind: 'unset', path: segments, emptied }, io);
}

/**
 * Sets one key in the config file, validating the whole config first; used by `config set` and
 * `chat-id --project`. The value is stored as the schema reads it (`"-100"` for an integer key
 * becomes `-100`).
 *
 * @returns the value written.
 * @throws CliError (exit 2) when the config is missing, unreadable or would become invalid.
 */
export function setConfigValue(
  configPath: string,
  segments: string[],
  value: unknown,
  io: ConfigIo = defaultIo,
): unknown {
  const { text, config } = readDocument(configPath, 2);
  let node: Record<string, unknown> = config;
  for (const [index, segment] of segments.slice(0, -1).entries()) {
    const next = node[segment];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
      continue;
    }
    if (!isTable(next)) throw notATable(segments.slice(0, index + 1), configPath);
    node = next;
  }
  const leaf = segments.at(-1)!;
  node[leaf] = value;
  validateOrExit(config, configPath);
  const normalized = normalizedValue(config, segments);
  if (normalized !== undefined) node[leaf] = normalized;
  const written = node[leaf];
  save(configPath, text, config, { kind: 'set', path: segments, value: written }, io);
  return written;
}

/** `a.b-c.d_e`: letters, digits, `_` and `-` between dots. */
export function parseKeyPath(raw: string): string[] {
  const value = raw.trim();
  if (!value) throw new CliError('invalid key path; expected a non-empty value.', 2);
  const segments = value.split('.');
  for (const segment of segments) {
    if (!segment) throw new CliError(`invalid key path '${raw}'; empty segment.`, 2);
    if (!KEY_SEGMENT.test(segment)) {
      throw new CliError(
        `invalid key segment '${segment}' in '${raw}'; use only letters, numbers, '_' or '-'.`,
        2,
      );
    }
  }
  return segments;
}

/** A TOML literal when the text is one, else the text itself (trimmed); empty input is "". */
export function parseValue(raw: string): unknown {
  const value = raw.trim();
  if (!value) return '';
  try {
    const parsed = parseConfigText(`__value__ = ${value}\n`, 'value') as { __value__: unknown };
    return parsed.__value__;
  } catch {
    return value;
  }
}

function readDocument(
  configPath: string,
  missingExitCode: number,
): { text: string; config: Record<string, unknown> } {
  if (!existsSync(configPath))
    throw new CliError(`missing tentacle config at ${configPath}`, missingExitCode);
  try {
    const text = readConfigText(configPath);
    return { text, config: parseConfigText(text, configPath) };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

function validateOrExit(config: Record<string, unknown>, configPath: string): void {
  try {
    // The file alone is judged: TENTACLE__* variables must not make a bad file look valid.
    validateConfig(config, configPath, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

function normalizedValue(config: Record<string, unknown>, segments: string[]): unknown {
  const parsed = configSchema.safeParse(structuredClone(config));
  if (!parsed.success) return undefined;
  let node: unknown = parsed.data;
  for (const segment of segments) {
    if (!isTable(node)) return undefined;
    node = node[segment];
  }
  return node === undefined || node === null || isTable(node) ? undefined : node;
}

function save(
  configPath: string,
  text: string,
  config: Record<string, unknown>,
  change: ConfigChange,
  io: ConfigIo,
): void {
  const { text: next, preserved } = renderConfigChange(text, config, change);
  writeFileAtomic(configPath, next);
  if (!preserved) {
    io.stderr(`note: rewrote ${configPath} from its parsed data; comments and formatting were not kept`);
  }
}

function notATable(prefix: string[], configPath: string): CliError {
  return new CliError(`invalid \`${prefix.join('.')}\` in ${configPath}; expected a table.`, 2);
}
