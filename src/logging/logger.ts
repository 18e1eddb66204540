import { createWriteStream } from 'node:fs';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactSecrets } from './redact.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** `--debug`: level debug, and human-readable output when stderr is a terminal. */
  debug?: boolean;
  /** Write JSON lines to this file instead of stderr (`TENTACLE_LOG_FILE`). */
  file?: string | undefined;
  /** Overrides the level (`TENTACLE_LOG_LEVEL`). */
  level?: string | undefined;
  /** Where lines go when no file is given (tests pass a capture stream). */
  destination?: DestinationStream;
  isTty?: boolean;
}

/**
 * The one logger of the process. Every serialized line passes through `redactSecrets` before it
 * is written, so a bot token is redacted whatever field it hides in (message, error stack, URL,
 * nested object) — pino's path-based `redact` cannot promise that.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (options.debug ? 'debug' : 'info');
  const isTty = options.isTty ?? process.stderr.isTTY === true;
  let destination: DestinationStream;
  if (options.destination) {
    destination = options.destination;
  } else if (options.file) {
    destination = createWriteStream(options.file, { flags: 'a' });
  } else if (options.debug && isTty) {
    destination = pretty({ colorize: true, destination: 2, sync: true });
  } else {
    destination = pino.destination({ dest: 2, sync: true });
  }
  return pino(
    {
      level,
      base: { pid: process.pid },
      hooks: { streamWrite: redactSecrets },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    destination,
  );
}

/** Logger for code paths and tests that must not write anywhere. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
