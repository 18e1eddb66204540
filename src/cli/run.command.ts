import { setUpInspection } from '../actors/inspection/run-inspection.ts';
import { ConfigError } from '../config/config-error.ts';
import { lockPathFor, resolveConfigPath } from '../config/config-path.ts';
import { loadConfig } from '../config/load-config.ts';
import { type EngineId, isEngineId } from '../engines/events.ts';
import { ADAPTERS, findOnPath } from '../engines/registry.ts';
import { createLogger } from '../logging/logger.ts';
import { openStore } from '../store/store.ts';
import { Bridge } from '../transport/bridge.ts';
import { settingsCommands } from '../transport/commands/index.ts';
import { CliError } from './cli-error.ts';
import { watchConfig } from './config-watcher.ts';
import { acquireLock } from './lockfile.ts';
import { onboardIfNeeded } from './onboarding/onboard-gate.ts';

export interface RunOptions {
  config?: string;
  engine?: string;
  finalNotify?: boolean;
  debug?: boolean;
  inspect?: string | boolean;
  inspectLog?: string;
  onboard?: boolean;
}

/** How long a graceful stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 5_000;

/**
 * `tentacle run`: validates the config, takes the single-instance lock, opens the state database
 * and runs the bridge until SIGINT/SIGTERM (or a fatal Telegram error).
 */
export async function runCommand(options: RunOptions): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config });
  await onboardIfNeeded(configPath, options.onboard === true);
  const settings = loadConfig(configPath);
  if (options.engine !== undefined && !isEngineId(options.engine)) {
    throw new ConfigError(
      `--engine: expected one of ${Object.keys(ADAPTERS).join(', ')}, got "${options.engine}"`,
    );
  }
  const defaultEngine = (options.engine ?? settings.default_engine) as EngineId;
  const adapter = ADAPTERS[defaultEngine];
  if (!findOnPath(adapter.binary)) {
    throw new CliError(
      `default engine ${defaultEngine} not found on PATH; install it (${adapter.installHint})`,
    );
  }
  const logger = createLogger({
    debug: options.debug,
    file: process.env['TENTACLE_LOG_FILE'] || undefined,
    level: process.env['TENTACLE_LOG_LEVEL'] || undefined,
  });
  const inspection = setUpInspection({ inspect: options.inspect, inspectLog: options.inspectLog, logger });
  const release = acquireLock(lockPathFor(configPath), settings.transports.telegram.bot_token);
  const store = openStore(settings.state_path_resolved);
  let fatal: Error | undefined;
  let stopRequested: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stopRequested = resolve;
  });
  const bridge = new Bridge({
    settings,
    store,
    logger,
    engineOverride: options.engine as EngineId | undefined,
    finalNotify: options.finalNotify !== false,
    commands: settingsCommands,
    inspect: inspection?.inspect,
    onFatal: (error) => {
      fatal = error;
      stopRequested('fatal');
    },
  });
  process.once('SIGINT', () => stopRequested('SIGINT'));
  process.once('SIGTERM', () => stopRequested('SIGTERM'));
  try {
    await inspection?.start(store);
    await bridge.start();
    logger.info({ config: configPath, bootId: bridge.bootId }, 'tentacle is running');
    const unwatch = settings.watch_config
      ? watchConfig(configPath, logger, (next) => bridge.reload(next))
      : () => undefined;
    const reason = await stopped;
    unwatch();
    logger.info({ reason }, 'stopping');
    // Referenced on purpose: the outbox drains on unref'd timers, and with nothing else holding the
    // event loop Node would end the process mid-stop (exit code 13, store and lock left as they were).
    const deadline = setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    try {
      await bridge.stop({ drainMs: 2_500 });
    } finally {
      clearTimeout(deadline);
    }
    if (reason === 'SIGINT') process.exitCode = 130;
  } catch (error) {
    fatal ??= error as Error;
    await bridge.stop({ drainMs: 500 }).catch(() => undefined);
  } finally {
    await inspection?.stop().catch(() => undefined);
    store.close();
    release();
  }
  if (fatal) throw fatal instanceof ConfigError ? fatal : new CliError(`telegram: ${fatal.message}`);
}
