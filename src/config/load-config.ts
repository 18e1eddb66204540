import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ENGINE_IDS } from '../engines/events.ts';
import { ConfigError } from './config-error.ts';
import { expandHome, resolveStatePath } from './config-path.ts';
import { applyEnvOverrides } from './env-overrides.ts';
import { formatConfigIssues } from './format-config-error.ts';
import { configSchema, type ProjectSettings, type RawSettings, RESERVED_COMMANDS } from './schema.ts';

/** A configured project, with its alias lowercased and its paths absolute. */
export interface Project extends ProjectSettings {
  alias: string;
  /** Absolute path of the main checkout. */
  path: string;
  /** Absolute path of the folder that holds `@branch` worktrees. */
  worktrees_root: string;
}

/** Validated settings plus the facts derived from where the config lives. */
export interface Settings extends Omit<RawSettings, 'projects'> {
  config_path: string;
  state_path_resolved: string;
  projects: Record<string, Project>;
  /** `TENTACLE__…` keys that overrode the file. */
  env_overrides: string[];
}

/**
 * Reads, overrides from the environment, validates and normalizes a tentacle.toml.
 *
 * @throws ConfigError with a message naming the key, the value and what was expected.
 * @example
 *   const settings = loadConfig('/home/me/.tentacle/tentacle.toml');
 *   settings.transports.telegram.chat_id // -100123
 */
export function loadConfig(
  configPath: string,
  options: { env?: NodeJS.ProcessEnv; home?: string } = {},
): Settings {
  const text = readConfigText(configPath);
  const raw = parseConfigText(text, configPath);
  return validateConfig(raw, configPath, options);
}

export function readConfigText(configPath: string): string {
  try {
    return readFileSync(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`missing tentacle config at ${configPath}`, configPath);
    throw new ConfigError(
      `cannot read tentacle config at ${configPath}: ${code ?? String(error)}`,
      configPath,
      {
        cause: error,
      },
    );
  }
}

export function parseConfigText(text: string, configPath: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n')[0] ?? 'syntax error';
      throw new ConfigError(
        `invalid TOML in ${configPath} at line ${error.line}, column ${error.column}: ${firstLine}`,
        configPath,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Validates an already parsed config object (also used by `tentacle config set` before writing). */
export function validateConfig(
  raw: Record<string, unknown>,
  configPath: string,
  options: { env?: NodeJS.ProcessEnv; home?: string } = {},
): Settings {
  const input = structuredClone(raw);
  const envOverrides = applyEnvOverrides(input, options.env ?? process.env);
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = formatConfigIssues(parsed.error.issues, input);
    throw new ConfigError(`invalid config ${configPath}:\n  ${lines.join('\n  ')}`, configPath);
  }
  const settings = parsed.data;
  const problems = [...checkTopLevelKeys(input), ...checkEngines(settings)];
  const projects = normalizeProjects(settings, configPath, options.home, problems);
  if (problems.length > 0) {
    throw new ConfigError(`invalid config ${configPath}:\n  ${problems.join('\n  ')}`, configPath);
  }
  return {
    ...settings,
    projects,
    config_path: configPath,
    state_path_resolved: resolveStatePath(configPath, settings.state_path, options.home),
    env_overrides: envOverrides,
  };
}

const KNOWN_TOP_LEVEL = new Set(Object.keys(configSchema.shape));

/** Unknown top-level tables are tolerated (plugin and engine tables); unknown plain keys are typos. */
function checkTopLevelKeys(input: Record<string, unknown>): string[] {
  return Object.entries(input)
    .filter(
      ([key, value]) => !KNOWN_TOP_LEVEL.has(key) && (typeof value !== 'object' || Array.isArray(value)),
    )
    .map(([key]) => `${key}: unknown key`);
}

function checkEngines(settings: RawSettings): string[] {
  const engines: readonly string[] = ENGINE_IDS;
  if (!engines.includes(settings.default_engine)) {
    return [
      `default_engine: expected one of ${ENGINE_IDS.join(', ')}, got ${JSON.stringify(settings.default_engine)}`,
    ];
  }
  return [];
}

function normalizeProjects(
  settings: RawSettings,
  configPath: string,
  home: string | undefined,
  problems: string[],
): Record<string, Project> {
  const configDir = dirname(configPath);
  const projects: Record<string, Project> = {};
  const reserved: readonly string[] = [...ENGINE_IDS, ...RESERVED_COMMANDS];
  const chatOwners = new Map<number, string>();
  for (const [rawAlias, project] of Object.entries(settings.projects)) {
    const alias = rawAlias.toLowerCase();
    const key = `projects.${rawAlias}`;
    if (projects[alias]) {
      problems.push(`${key}: duplicate project alias (aliases are case-insensitive)`);
      continue;
    }
    if (reserved.includes(alias)) {
      problems.push(`${key}: alias ${JSON.stringify(alias)} is an engine id or a reserved command`);
    }
    if (
      project.default_engine !== null &&
      !(ENGINE_IDS as readonly string[]).includes(project.default_engine)
    ) {
      problems.push(
        `${key}.default_engine: expected one of ${ENGINE_IDS.join(', ')}, got ${JSON.stringify(project.default_engine)}`,
      );
    }
    if (project.chat_id !== null) {
      if (project.chat_id === settings.transports.telegram.chat_id) {
        problems.push(`${key}.chat_id: must differ from transports.telegram.chat_id`);
      }
      const owner = chatOwners.get(project.chat_id);
      if (owner) problems.push(`${key}.chat_id: already used by projects.${owner}`);
      chatOwners.set(project.chat_id, rawAlias);
    }
    const path = resolve(configDir, expandHome(project.path, home));
    const worktreesDir = expandHome(project.worktrees_dir, home);
    projects[alias] = {
      ...project,
      alias,
      path,
      worktrees_root: isAbsolute(worktreesDir) ? worktreesDir : resolve(path, worktreesDir),
    };
  }
  if (settings.default_project !== null && !projects[settings.default_project.toLowerCase()]) {
    problems.push(`default_project: no project named ${JSON.stringify(settings.default_project)}`);
  }
  return projects;
}
