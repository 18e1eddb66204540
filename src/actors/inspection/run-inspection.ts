import { createServer } from 'node:net';
import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { InspectionEvent } from 'xstate';
import { ConfigError } from '../../config/config-error.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Store } from '../../store/store.ts';
import { InspectionLog } from './inspection-log.ts';
import { createActorInspector, type InspectionSink } from './inspector.ts';
import { InspectorServer } from './inspector-server.ts';
import { LiveActors } from './live-actors.ts';
import { prefsDescriber } from './topic-binding.ts';

/** `--inspect[=PORT|stately]` as parsed: where inspection events go. */
export type InspectTarget = { kind: 'page'; port: number } | { kind: 'stately' };

/**
 * Reads the `--inspect` flag: absent → no inspector; bare → the local page on a free port;
 * a number → the local page on that port; `stately` → Stately's WebSocket inspector.
 */
export function parseInspectFlag(value: string | boolean | undefined): InspectTarget | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true || value === '') return { kind: 'page', port: 0 };
  if (value === 'stately') return { kind: 'stately' };
  if (/^\d{1,5}$/.test(value) && Number(value) <= 65_535) return { kind: 'page', port: Number(value) };
  throw new ConfigError(`--inspect: expected a port number or "stately", got "${value}"`);
}

export interface RunInspectionOptions {
  inspect?: string | boolean | undefined;
  /** `--inspect-log FILE`: every inspection event as a JSON line. */
  inspectLog?: string | undefined;
  logger: Logger;
  /** Where the URL to open is printed (stderr by default). */
  print?: (line: string) => void;
}

/** The inspection of one `tentacle run`: hand `inspect` to the bridge, `start` it, `stop` it. */
export interface RunInspection {
  inspect(event: InspectionEvent): void;
  /** Starts the page (or Stately's relay) on the bridge's state database and prints where to look. */
  start(store: Store): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Sets up what `--inspect` and `--inspect-log` ask for, or returns undefined when neither was
 * given (the actor system then runs with no observer at all).
 *
 * @example
 *   const inspection = setUpInspection({ inspect: options.inspect, inspectLog: options.inspectLog, logger });
 *   const bridge = new Bridge({ ..., inspect: inspection?.inspect });
 *   await inspection?.start(store);
 */
export function setUpInspection(options: RunInspectionOptions): RunInspection | undefined {
  const target = parseInspectFlag(options.inspect);
  if (!target && !options.inspectLog) return undefined;
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { logger } = options;
  const sinks: InspectionSink[] = [];
  const starters: ((store: Store) => Promise<void>)[] = [];
  if (options.inspectLog) {
    const log = new InspectionLog(options.inspectLog);
    sinks.push(log);
    logger.info({ file: log.path }, `inspector: writing inspection events to ${log.path}`);
  }
  if (target?.kind === 'page') {
    // Collects from the first event on; the page shows it once the server is up.
    const live = new LiveActors();
    let server: InspectorServer | undefined;
    sinks.push({ send: (event) => live.send(event), stop: () => server?.stop() });
    starters.push(async (store) => {
      server = new InspectorServer({
        live,
        store,
        describe: prefsDescriber(store),
        port: target.port,
        logger,
      });
      const url = await server.start();
      logger.info({ port: new URL(url).port }, 'inspector: page listening on 127.0.0.1');
      print(`tentacle inspector: ${url}`);
    });
  }
  if (target?.kind === 'stately') {
    let stately: ReturnType<typeof statelyRelay> | undefined;
    sinks.push({
      send: (event) => stately?.send(event),
      stop: () => stately?.stop(),
    });
    starters.push(async () => {
      stately = statelyRelay(await freePort());
      print(`tentacle inspector (Stately): open ${stately.url} (needs access to stately.ai)`);
    });
  }
  const inspector = createActorInspector({
    sinks,
    onSinkError: (error) => logger.error({ err: error }, 'inspector: a sink failed and was turned off'),
  });
  return {
    inspect: (event) => inspector.inspect(event),
    async start(store) {
      for (const start of starters) {
        // A dev tool that cannot start (port taken) is reported; the bridge runs on without it.
        await start(store).catch((error: unknown) => {
          logger.error({ err: error }, 'inspector: could not start');
          print(`tentacle inspector: could not start (${(error as Error).message})`);
        });
      }
    },
    stop: () => inspector.stop(),
  };
}

/**
 * Stately's own WebSocket inspector: its relay serves a page that embeds the online inspector UI,
 * and the WebSocket adapter feeds it. The relay listens on every interface (the library decides).
 */
function statelyRelay(port: number) {
  const relay = createInspectorServer({ port, autoOpen: false });
  const client = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  return {
    url: `http://localhost:${port}`,
    send: (event: Parameters<InspectionSink['send']>[0]) => client.adapter.send(event),
    stop: () => {
      client.stop();
      relay.stop();
    },
  };
}

async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
