import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** `--config`, else `TENTACLE_CONFIG`, else `~/.tentacle/tentacle.toml` (DESIGN §5). */
export function resolveConfigPath(options: {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.flag) return resolve(cwd, expandHome(options.flag, options.home));
  if (env['TENTACLE_CONFIG']) return resolve(cwd, expandHome(env['TENTACLE_CONFIG'], options.home));
  return join(options.home ?? homedir(), '.tentacle', 'tentacle.toml');
}

/** The SQLite state file: `state_path` (relative to the config's folder) or `<config dir>/tentacle.db`. */
export function resolveStatePath(configPath: string, statePath: string | null, home?: string): string {
  const dir = dirname(configPath);
  return statePath ? resolve(dir, expandHome(statePath, home)) : join(dir, 'tentacle.db');
}

/** The single-instance lockfile sits next to the config: `<config path>.lock`. */
export function lockPathFor(configPath: string): string {
  return `${configPath}.lock`;
}

export function expandHome(path: string, home?: string): string {
  if (path === '~') return home ?? homedir();
  if (path.startsWith('~/')) return join(home ?? homedir(), path.slice(2));
  return path;
}
