import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EngineEvent } from '../engines/events.ts';
import { isEngineId } from '../engines/events.ts';
import { ADAPTERS } from '../engines/registry.ts';
import { CliError } from './cli-error.ts';

export interface EventsOptions {
  exitCode?: string;
  resume?: string;
  cwd?: string;
}

/**
 * `tentacle events <engine> [FILE]`: translates an engine's JSONL (stdin without FILE) with the
 * same adapter code the bridge uses and prints the normalized events, one JSON object per line.
 * The stream ends as if the process exited with `--exit-code` (default 0).
 */
export async function eventsCommand(
  engine: string,
  file: string | undefined,
  options: EventsOptions,
): Promise<void> {
  if (!isEngineId(engine)) {
    throw new CliError(
      `unknown engine ${JSON.stringify(engine)}; expected one of ${Object.keys(ADAPTERS).join(', ')}`,
      2,
    );
  }
  const exitCode = Number(options.exitCode ?? '0');
  if (!Number.isInteger(exitCode))
    throw new CliError(`--exit-code: expected an integer, got ${options.exitCode}`, 2);
  const input = file === undefined || file === '-' ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (input === process.stdin) resolve();
    input.once('open', () => resolve());
    input.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError(`cannot read ${file}: ${error.code ?? error.message}`)),
    );
  });
  await opened;
  const translator = ADAPTERS[engine].createTranslator({
    prompt: '',
    resume: options.resume,
    cwd: options.cwd ?? process.cwd(),
  });
  const print = (events: EngineEvent[]) => {
    for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
  };
  // readline hands over a last line without a trailing newline too.
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    print(translator.translateLine(line));
  }
  print(translator.finish({ code: exitCode, signal: null, stderrTail: [] }));
}
