import { existsSync } from 'node:fs';
import { confirm, isCancel } from '@clack/prompts';
import { parse as parseToml } from 'smol-toml';
import { ConfigError } from '../config/config-error.ts';
import { resolveConfigPath } from '../config/config-path.ts';
import { parseConfigText, readConfigText, validateConfig } from '../config/load-config.ts';
import { describeRepo } from '../projects/describe-repo.ts';
import { aliasError, defaultAlias } from '../projects/project-alias.ts';
import { CliError } from './cli-error.ts';
import { type ConfigChange, renderConfigChange, writeFileAtomic } from './config-file.ts';
import { isTable } from './toml-literal.ts';

export interface InitOptions {
  config?: string;
  /** Also make this project `default_project`. */
  default?: boolean;
  /** Overwrite an existing project of that alias without asking. */
  force?: boolean;
}

/** The world `init` touches, so tests can call it without a child process. */
export interface InitIo {
  cwd: string;
  stdout: (line: string) => void;
  /** Asks a yes/no question; undefined when there is no terminal to ask in. */
  confirm: ((message: string) => Promise<boolean>) | undefined;
}

const defaultIo = (): InitIo => ({
  cwd: process.cwd(),
  stdout: (line) => process.stdout.write(`${line}\n`),
  confirm:
    process.stdin.isTTY && process.stdout.isTTY
      ? async (message) => {
          const answer = await confirm({ message, initialValue: false });
          return !isCancel(answer) && answer;
        }
      : undefined,
});

/** Keys of an existing entry that describe how it is used rather than where it is: kept on overwrite. */
const KEPT_ON_OVERWRITE = ['chat_id', 'default_engine'];

/**
 * `tentacle init [alias] [--default]`: registers the repository of the current directory as
 * `[projects.<alias>]`, with the main checkout's absolute path (also when run inside a linked worktree),
 * `worktrees_dir = ".worktrees"` and the base branch new worktrees start from, when one resolves.
 * The whole config is validated before an atomic write; comments survive when a line edit can express
 * the change. Unlike takopi, the global `default_engine` is not copied into the project, so the project
 * follows later changes of it.
 */
export async function initCommand(
  aliasArg: string | undefined,
  options: InitOptions,
  io: InitIo = defaultIo(),
): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config, cwd: io.cwd });
  if (!existsSync(configPath)) throw new CliError(`missing tentacle config at ${configPath}`);
  const text = readConfigText(configPath);
  const config = parseConfigText(text, configPath);

  const repo = await describeRepo(io.cwd);
  if (!repo.ok) throw new CliError(repo.error);
  const alias = (aliasArg ?? defaultAlias(repo.path)).trim().toLowerCase();
  const invalid = aliasError(alias);
  if (invalid) throw new CliError(invalid);

  const projects = config['projects'];
  if (projects !== undefined && !isTable(projects)) {
    throw new CliError(`invalid \`projects\` in ${configPath}; expected a table.`);
  }
  const existingKey = Object.keys(projects ?? {}).find((key) => key.toLowerCase() === alias);
  if (existingKey !== undefined && !options.force) await confirmOverwrite(alias, configPath, io);
  const key = existingKey ?? alias;
  const previous = existingKey !== undefined ? projects?.[existingKey] : undefined;

  const entry: Record<string, unknown> = { path: repo.path, worktrees_dir: '.worktrees' };
  if (repo.worktreeBase) entry['worktree_base'] = repo.worktreeBase;
  for (const kept of KEPT_ON_OVERWRITE) {
    if (isTable(previous) && previous[kept] !== undefined) entry[kept] = previous[kept];
  }

  const changes: ConfigChange[] = Object.entries(entry).map(([leaf, value]) => ({
    kind: 'set',
    path: ['projects', key, leaf],
    value,
  }));
  for (const leaf of Object.keys(isTable(previous) ? previous : {})) {
    if (!(leaf in entry)) changes.push({ kind: 'unset', path: ['projects', key, leaf], emptied: [] });
  }
  if (options.default) changes.push({ kind: 'set', path: ['default_project'], value: alias });

  const { text: next, after, preserved } = applyChanges(text, config, changes);
  try {
    // The file alone is judged: TENTACLE__* variables must not make a bad file look valid.
    validateConfig(after, configPath, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  writeFileAtomic(configPath, next);
  io.stdout(`saved project '${alias}' to ${configPath}`);
  if (!preserved && hasTomlComments(text)) {
    io.stdout(`note: ${configPath} was rewritten from its data; its comments were not kept`);
  }
}

async function confirmOverwrite(alias: string, configPath: string, io: InitIo): Promise<void> {
  if (!io.confirm) {
    throw new CliError(
      `project '${alias}' already exists in ${configPath}; pass --force to overwrite it, or pick another alias`,
    );
  }
  if (!(await io.confirm(`project '${alias}' already exists, overwrite?`))) {
    throw new CliError(`kept the existing project '${alias}'`);
  }
}

/** Applies the changes one by one as line edits; `preserved` is false once any of them needed a rewrite. */
function applyChanges(
  text: string,
  config: Record<string, unknown>,
  changes: readonly ConfigChange[],
): { text: string; after: Record<string, unknown>; preserved: boolean } {
  let current = text;
  let preserved = true;
  const after = structuredClone(config);
  for (const change of changes) {
    const parent = tableAt(after, change.path.slice(0, -1));
    const leaf = change.path.at(-1)!;
    if (change.kind === 'set') parent[leaf] = change.value;
    else delete parent[leaf];
    const rendered = renderConfigChange(current, after, change);
    current = rendered.text;
    preserved &&= rendered.preserved;
  }
  return { text: current, after, preserved };
}

function tableAt(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let node = root;
  for (const segment of path) {
    const next = node[segment];
    if (isTable(next)) {
      node = next;
    } else {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
    }
  }
  return node;
}

/**
 * Whether a TOML document holds a comment: some `#` whose removal, with the rest of its line, leaves
 * the same data. A `#` inside a string changes the data or the syntax when cut, so it does not count.
 */
export function hasTomlComments(text: string): boolean {
  if (!text.includes('#')) return false;
  const data = JSON.stringify(parseToml(text));
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    for (let at = line.indexOf('#'); at >= 0; at = line.indexOf('#', at + 1)) {
      const cut = [...lines.slice(0, index), line.slice(0, at), ...lines.slice(index + 1)].join('\n');
      try {
        if (JSON.stringify(parseToml(cut)) === data) return true;
      } catch {
        // the '#' was inside a value
      }
    }
  }
  return false;
}
