import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { type AnyEventObject, fromCallback } from 'xstate';
import type {
  EngineAdapter,
  EngineTranslator,
  Invocation,
  ProcessExit,
  RunRequest,
} from '../engines/adapter.ts';
import type {
  ActionEvent,
  CompletedEvent,
  EngineEvent,
  EngineId,
  JsonObject,
  StartedEvent,
} from '../engines/events.ts';
import { readProcessStartTime, terminateProcessGroup } from './process-group.ts';

/**
 * The engine process actor: runs one agent CLI for one run and reports normalized events.
 *
 * The topic actor invokes it while it is `running`. It spawns the adapter's invocation in its own
 * process group, feeds stdout line by line to the adapter's translator and sends the results to
 * its parent. Leaving `running` stops it, which ends the process group (SIGTERM, SIGKILL 2 s later).
 *
 * What happens to the engine when the bridge goes away:
 * - the bridge exits on its own (`process.exit`, an uncaught error): an `exit` hook sends SIGTERM
 *   to every group still running, since nobody will read their output any more;
 * - the bridge is SIGKILLed: nothing runs. Engines are detached (their own session and group), so
 *   they are not taken down with it; an engine dies when it next writes to its broken stdout pipe
 *   (EPIPE/SIGPIPE), and in any case the next boot ends the group through the pid and start time
 *   stored from `ENGINE.SPAWNED` before the run is resumed (DESIGN §3.4). execa's `cleanup` option
 *   would not help: it never applies to detached processes.
 */

/** What the topic passes when it invokes the actor; persisted with the topic's snapshot. */
export interface EngineProcessInput {
  runId: string;
  engine: EngineId;
  request: RunRequest;
  /** The boot of the bridge that invoked the run; a different one means this is a restored instance. */
  bootId: string;
}

/**
 * Events the actor sends to its parent, all carrying the run id.
 *
 * Order: `SPAWNED`, then `STARTED`/`ACTION` as the engine prints them, then exactly one
 * `COMPLETED`, always last and only after the process exited. A restored instance sends only
 * `LOST`. After the actor is stopped nothing more is sent.
 */
export type EngineProcessEvent = (
  | { type: 'ENGINE.SPAWNED'; runId: string; pid: number; startTime: string | null }
  | { type: 'ENGINE.STARTED'; runId: string; event: StartedEvent }
  | { type: 'ENGINE.ACTION'; runId: string; event: ActionEvent }
  | { type: 'ENGINE.COMPLETED'; runId: string; event: CompletedEvent; exit?: ProcessExit }
  | { type: 'ENGINE.LOST'; runId: string }
) & {
  /** When it happened (ms); the topic machine has no clock of its own. */
  at?: number;
};

export interface EngineProcessLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EngineProcessDeps {
  /** Id of this bridge process's boot. */
  bootId: string;
  adapters: Partial<Record<EngineId, EngineAdapter>>;
  /** The engine's config table (`[codex]`, `[claude]`, …) for runs whose request carries none. */
  configFor?: (engine: EngineId) => JsonObject | undefined;
  /** Base environment of engines (default `process.env`); the adapter's additions go on top. */
  env?: NodeJS.ProcessEnv;
  /** Silence on stdout after which a warning action is shown (default 600; 0 disables). */
  idleWarnSeconds?: number;
  logger?: EngineProcessLogger;
  now?: () => number;
  /** SIGTERM → SIGKILL grace when the run is stopped (default 2000). */
  killGraceMs?: number;
  /** How long an engine that already reported its final event may take to exit before its group is ended (default 10 000). */
  exitGraceMs?: number;
  /** Longest stdout line passed to the translator; longer ones are skipped with a warning (default 8 MiB). */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
const STDERR_TAIL_LINES = 20;
const STDERR_LINE_CHARS = 2_000;
const STDERR_MAX_LINE_BYTES = 64 * 1024;
/** After the process exited, how long its pipes may stay open (held by a grandchild) before we stop reading. */
const DRAIN_AFTER_EXIT_MS = 2_000;
/** Longest stretch of synchronous line handling before yielding to the event loop. */
const SLICE_MS = 8;

/**
 * Creates the engine process logic with the world injected; register it under a string key.
 *
 * @example
 * const topic = topicMachine.provide({
 *   actors: { engineProcess: createEngineProcessLogic({ bootId, adapters, logger }) },
 * });
 * // in the machine: invoke: { src: 'engineProcess', input: ({ context }) => ({ runId, engine, request, bootId }) }
 */
export function createEngineProcessLogic(deps: EngineProcessDeps) {
  return fromCallback<AnyEventObject, EngineProcessInput>(({ input, sendBack, receive }) =>
    startEngineProcess(deps, input, sendBack, receive),
  );
}

/** Starts the run; returns the function that stops it. Never throws. */
function startEngineProcess(
  deps: EngineProcessDeps,
  input: EngineProcessInput,
  emit: (event: EngineProcessEvent & { at: number }) => void,
  receive: (listener: (event: AnyEventObject) => void) => void,
): () => void {
  const { runId, engine } = input;
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const where = `engine ${engine} run ${runId}`;
  const logContext = { runId, engine };

  let stopped = false;
  let completedSent = false;
  const send = (event: EngineProcessEvent): void => {
    if (stopped || completedSent) return;
    if (event.type === 'ENGINE.COMPLETED') completedSent = true;
    try {
      emit({ ...event, at: now() });
    } catch (error) {
      log?.error({ ...logContext, err: error }, `${where}: the parent failed to take ${event.type}`);
    }
  };

  if (input.bootId !== deps.bootId) {
    log?.info(
      { ...logContext, savedBootId: input.bootId },
      `${where}: restored from an earlier boot; reported lost`,
    );
    send({ type: 'ENGINE.LOST', runId });
    return () => {
      stopped = true;
    };
  }

  let pid: number | undefined;
  let startTime: string | null = null;
  let exited = false;
  let cancelled = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let exitGraceTimer: NodeJS.Timeout | undefined;

  const killGroup = (reason: string): void => {
    if (pid === undefined || exited) return;
    const target = pid;
    terminateProcessGroup(target, { startTime, graceMs: deps.killGraceMs ?? 2_000 }).then(
      (outcome) =>
        log?.info({ ...logContext, pid: target, outcome }, `${where}: process group ${reason}: ${outcome}`),
      (error) =>
        log?.warn({ ...logContext, pid: target, err: error }, `${where}: could not end process group`),
    );
  };

  const fail = (error: string): void => {
    log?.warn({ ...logContext, error }, `${where}: ${error}`);
    send({ type: 'ENGINE.COMPLETED', runId, event: failedCompleted(engine, error) });
  };

  const run = async (): Promise<void> => {
    const adapter = deps.adapters[engine];
    if (!adapter) return fail(`no adapter is configured for engine ${engine}`);
    let invocation: Invocation;
    let translator: EngineTranslator;
    try {
      // One request object for both calls: an adapter may tie per-run state to it (pi's session path).
      const request = { ...input.request, config: input.request.config ?? deps.configFor?.(engine) };
      invocation = adapter.buildInvocation(request);
      translator = adapter.createTranslator(request);
    } catch (error) {
      return fail(`${engine}: cannot prepare the run: ${errorMessage(error)}`);
    }
    if (!isDirectory(invocation.cwd))
      return fail(`${engine}: working directory ${invocation.cwd} does not exist`);
    if (stopped) return;
    if (cancelled) return fail(`${engine} run cancelled before it started`);

    const subprocess = spawnEngine(invocation, deps.env ?? process.env);
    if (subprocess instanceof Error)
      return fail(`${adapter.binary} could not be started: ${subprocess.message}`);
    if (subprocess.pid === undefined) {
      const result = await subprocess;
      return fail(spawnFailure(adapter, result));
    }
    subprocess.then(
      () => {},
      () => {},
    );
    const childPid = subprocess.pid;
    pid = childPid;
    startTime = readProcessStartTime(childPid);
    trackGroup(childPid);
    const exitPromise = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      subprocess.once('exit', (code, signal) => resolve({ code, signal }));
    });
    log?.info(
      { ...logContext, pid: childPid, command: invocation.command, cwd: invocation.cwd },
      `${where}: spawned pid ${childPid}`,
    );
    log?.debug({ ...logContext, args: invocation.args }, `${where}: arguments`);
    send({ type: 'ENGINE.SPAWNED', runId, pid: childPid, startTime });

    let pendingCompleted: CompletedEvent | undefined;
    let warningCount = 0;
    const warn = (kind: string, title: string, detail: JsonObject): void => {
      send({
        type: 'ENGINE.ACTION',
        runId,
        event: warningAction(engine, `${engine}.${kind}.${++warningCount}`, title, detail),
      });
    };
    const deliver = (events: EngineEvent[]): void => {
      for (const event of events) {
        if (pendingCompleted || stopped) return;
        if (event.type === 'started') send({ type: 'ENGINE.STARTED', runId, event });
        else if (event.type === 'action') send({ type: 'ENGINE.ACTION', runId, event });
        else {
          // Held until the process exits, so the session is free when the topic moves on.
          pendingCompleted = event;
          if (idleTimer) clearTimeout(idleTimer);
          if (exited) return;
          const graceMs = deps.exitGraceMs ?? 10_000;
          exitGraceTimer = setTimeout(() => {
            log?.warn(
              { ...logContext, pid: childPid },
              `${where}: still running ${graceMs} ms after its final event`,
            );
            killGroup('ended after the final event');
          }, graceMs);
          exitGraceTimer.unref();
        }
      }
    };

    // stdout: lines → translator, yielding to the event loop between slices.
    const idleMs = (deps.idleWarnSeconds ?? 600) * 1000;
    let lastOutputAt = now();
    const armIdle = (): void => {
      if (idleTimer) clearTimeout(idleTimer);
      if (idleMs <= 0 || pendingCompleted || exited || stopped) return;
      idleTimer = setTimeout(() => {
        idleTimer = undefined;
        if (pendingCompleted || exited || stopped) return;
        const silentMs = Math.max(idleMs, now() - lastOutputAt);
        warn('idle', `no output from ${engine} for ${formatDuration(idleMs)}`, { silent_ms: silentMs });
      }, idleMs);
      idleTimer.unref();
    };
    armIdle();

    const maxLineBytes = deps.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    // Holds at most one chunk's lines: the stream stays paused until they are handled.
    let queue: StdoutItem[] = [];
    let head = 0;
    const nextItem = (): StdoutItem | undefined => {
      if (head >= queue.length) return undefined;
      const item = queue[head++];
      if (head === queue.length) {
        queue = [];
        head = 0;
      }
      return item;
    };
    const handle = (item: StdoutItem): void => {
      if (stopped || pendingCompleted) return;
      if (typeof item !== 'string') {
        warn(
          'overflow',
          `skipped a ${formatBytes(item.bytes)} line from ${engine} (limit ${formatBytes(maxLineBytes)})`,
          {
            bytes: item.bytes,
            limit: maxLineBytes,
          },
        );
        return;
      }
      let events: EngineEvent[];
      try {
        events = translator.translateLine(item);
      } catch (error) {
        warn('translate', `${engine} translation error; ignoring line`, { error: errorMessage(error) });
        return;
      }
      deliver(events);
    };
    const stdoutSplitter = new LineSplitter(maxLineBytes, (item) => queue.push(item));
    const stdout = subprocess.stdout;
    const stdoutDone = new Promise<void>((resolve) => {
      if (!stdout) return resolve();
      const pump = (): void => {
        const deadline = performance.now() + SLICE_MS;
        for (let item = nextItem(); item !== undefined; item = nextItem()) {
          handle(item);
          if (head < queue.length && performance.now() > deadline) {
            setImmediate(pump);
            return;
          }
        }
        // One chunk per turn of the event loop, so a flooding engine cannot starve timers and I/O.
        setImmediate(() => stdout.resume());
      };
      stdout.on('data', (chunk: Buffer | string) => {
        lastOutputAt = now();
        armIdle();
        stdout.pause();
        stdoutSplitter.push(chunk);
        pump();
      });
      stdout.once('end', () => resolve());
      stdout.once('close', () => resolve());
      stdout.once('error', () => resolve());
    });

    // stderr: drained concurrently, last lines kept for the exit rules, logged at debug.
    const stderrTail: string[] = [];
    const stderrSplitter = new LineSplitter(STDERR_MAX_LINE_BYTES, (item) => {
      if (typeof item !== 'string') return;
      const line = item.trimEnd();
      if (line === '') return;
      stderrTail.push(line.length > STDERR_LINE_CHARS ? `${line.slice(0, STDERR_LINE_CHARS)}…` : line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      log?.debug({ ...logContext, line }, `${where}: stderr`);
    });
    const stderr = subprocess.stderr;
    const stderrDone = new Promise<void>((resolve) => {
      if (!stderr) return resolve();
      stderr.on('data', (chunk: Buffer | string) => stderrSplitter.push(chunk));
      stderr.once('end', () => resolve());
      stderr.once('close', () => resolve());
      stderr.once('error', () => resolve());
    });

    const { code, signal } = await exitPromise;
    exited = true;
    untrackGroup(childPid);
    if (idleTimer) clearTimeout(idleTimer);
    if (exitGraceTimer) clearTimeout(exitGraceTimer);
    const drained = await Promise.race([
      Promise.all([stdoutDone, stderrDone]).then(() => true),
      sleep(DRAIN_AFTER_EXIT_MS).then(() => false),
    ]);
    if (!drained) {
      log?.warn(
        { ...logContext, pid: childPid },
        `${where}: output still open after exit (held by a child); not waiting`,
      );
      stdout?.destroy();
      stderr?.destroy();
    }
    stdoutSplitter.end();
    stderrSplitter.end();
    for (let item = nextItem(); item !== undefined; item = nextItem()) handle(item);
    if (stopped) return;

    const exit: ProcessExit = { code, signal, stderrTail: [...stderrTail] };
    log?.info({ ...logContext, pid: childPid, code, signal }, `${where}: exited`);
    let completed = pendingCompleted;
    if (!completed) {
      let events: EngineEvent[] = [];
      try {
        events = translator.finish(exit);
      } catch (error) {
        log?.error({ ...logContext, err: error }, `${where}: translator.finish threw`);
      }
      deliver(events);
      completed = pendingCompleted;
    }
    send({
      type: 'ENGINE.COMPLETED',
      runId,
      event:
        completed ??
        failedCompleted(engine, `${engine} exited (${describeExit(exit)}) without a final result`),
      exit,
    });
  };

  // A cancel ends the process group; the run still ends through the exit rules (one COMPLETED, after
  // the exit), so the session is free only once no process drives it any more.
  receive((event) => {
    if (event.type !== 'ENGINE.CANCEL' || cancelled) return;
    cancelled = true;
    killGroup('cancelled');
  });

  // Spawning waits for the current turn of the event loop: the topic's snapshot that records this
  // run is committed first (side effects start after commit, DESIGN §3).
  setImmediate(() => {
    if (stopped) return;
    run().catch((error: unknown) => {
      log?.error({ ...logContext, err: error }, `${where}: unexpected failure`);
      killGroup('ended after an unexpected failure');
      send({
        type: 'ENGINE.COMPLETED',
        runId,
        event: failedCompleted(engine, `${engine} run failed: ${errorMessage(error)}`),
      });
    });
  });

  return () => {
    if (stopped) return;
    stopped = true;
    if (idleTimer) clearTimeout(idleTimer);
    if (exitGraceTimer) clearTimeout(exitGraceTimer);
    killGroup('stopped');
  };
}

function spawnEngine(invocation: Invocation, baseEnv: NodeJS.ProcessEnv) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  for (const key of invocation.unsetEnv) delete env[key];
  Object.assign(env, invocation.env);
  try {
    return execa(invocation.command, invocation.args, {
      cwd: invocation.cwd,
      env,
      extendEnv: false,
      // Own session and process group: one signal reaches the engine and all its tools, and a
      // Ctrl-C meant for the bridge's terminal does not hit engines behind its back.
      detached: true,
      cleanup: false,
      shell: false,
      // Output is consumed as it streams; nothing is buffered in memory.
      buffer: false,
      reject: false,
      stdout: 'pipe',
      stderr: 'pipe',
      // The payload is written, then stdin is closed; without one the engine reads EOF at once.
      ...(invocation.stdin !== undefined ? { input: invocation.stdin } : { stdin: 'ignore' as const }),
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function spawnFailure(
  adapter: EngineAdapter,
  result: { code?: string | undefined; shortMessage?: string; cause?: unknown },
): string {
  if (result.code === 'ENOENT')
    return `${adapter.binary} not found on PATH. Install it with: ${adapter.installHint}`;
  if (result.code === 'EACCES') return `${adapter.binary} was found on PATH but is not executable (EACCES)`;
  const detail =
    result.cause instanceof Error ? result.cause.message : (result.shortMessage ?? 'unknown error');
  return `${adapter.binary} could not be started: ${detail}`;
}

/** Live process groups, ended with SIGTERM if the bridge exits while they run. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, 'SIGTERM');
      } catch {}
    }
  });
}

function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

type StdoutItem = string | { bytes: number };

/**
 * Splits a byte stream on `\n` into strings. A final line without a newline is delivered by
 * `end()`. A line longer than `maxBytes` is not accumulated: its bytes are counted and dropped,
 * and one `{ bytes }` item stands for it, so a stream without newlines cannot grow memory.
 * Splitting on the byte 0x0A never cuts a UTF-8 sequence, so each line decodes cleanly.
 */
class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onItem: (item: StdoutItem) => void,
  ) {}

  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, start);
      if (newline < 0) break;
      this.append(buffer.subarray(start, newline));
      this.flush();
      start = newline + 1;
    }
    if (start < buffer.length) this.append(buffer.subarray(start));
  }

  end(): void {
    if (this.size > 0 || this.overflowBytes > 0) this.flush();
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.overflowBytes > 0 || this.size + piece.length > this.maxBytes) {
      this.overflowBytes += this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private flush(): void {
    if (this.overflowBytes > 0) {
      this.onItem({ bytes: this.overflowBytes });
    } else {
      this.onItem(Buffer.concat(this.parts, this.size).toString('utf8'));
    }
    this.parts = [];
    this.size = 0;
    this.overflowBytes = 0;
  }
}

function warningAction(engine: EngineId, id: string, title: string, detail: JsonObject): ActionEvent {
  return {
    type: 'action',
    engine,
    action: { id, kind: 'warning', title, detail },
    phase: 'completed',
    ok: false,
    message: title,
    level: 'warning',
  };
}

function failedCompleted(engine: EngineId, error: string): CompletedEvent {
  return { type: 'completed', engine, ok: false, answer: '', resume: null, error, usage: null };
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `rc=${exit.code}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `450ms`, `45s`, `10m`, `1m 30s`, `2h 5m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return seconds > 0 ? `${minutes}m ${seconds}s` : `${minutes}m`;
  return `${seconds}s`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${bytes} B`;
}
