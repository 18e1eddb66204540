import { unwatchFile, watchFile } from 'node:fs';
import { loadConfig, type Settings } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * `watch_config`: re-reads the config when the file changes (polled, so editors that replace the
 * file atomically are seen too) and hands valid settings to `apply`. An invalid config is logged
 * and the running one is kept.
 *
 * @returns a function that stops watching.
 */
export function watchConfig(
  configPath: string,
  logger: Logger,
  apply: (settings: Settings) => string[],
  options: { intervalMs?: number } = {},
): () => void {
  const listener = (
    current: { mtimeMs: number; size: number },
    previous: { mtimeMs: number; size: number },
  ) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    let next: Settings;
    try {
      next = loadConfig(configPath);
    } catch (error) {
      logger.error(
        { err: error },
        `config reload failed; keeping the running config: ${(error as Error).message}`,
      );
      return;
    }
    const needsRestart = apply(next);
    logger.info('config reloaded');
    if (needsRestart.length > 0) {
      logger.warn(
        { keys: needsRestart },
        `config reloaded; changes to ${needsRestart.join(', ')} need a restart of tentacle to apply`,
      );
    }
  };
  watchFile(configPath, { interval: options.intervalMs ?? 1_000 }, listener);
  return () => unwatchFile(configPath, listener);
}
