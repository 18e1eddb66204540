import { resolveConfigPath } from '../config/config-path.ts';
import { loadConfig } from '../config/load-config.ts';

export interface RunOptions {
  config?: string;
  engine?: string;
  finalNotify?: boolean;
  debug?: boolean;
  inspect?: string | boolean;
  onboard?: boolean;
}

/** `tentacle run`: validates the config and starts the bridge. */
export async function runCommand(options: RunOptions): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config });
  loadConfig(configPath);
}
