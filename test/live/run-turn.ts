import { randomUUID } from 'node:crypto';
import { type AnyEventObject, assign, createActor, setup } from 'xstate';
import {
  createEngineProcessLogic,
  type EngineProcessEvent,
  type EngineProcessInput,
} from '../../src/actors/engine-process.actor.ts';
import type {
  EngineAdapter,
  EngineTranslator,
  Invocation,
  ProcessExit,
  RunRequest,
} from '../../src/engines/adapter.ts';
import type { CompletedEvent, EngineEvent, StartedEvent } from '../../src/engines/events.ts';
import type { Sandbox } from './sandbox.ts';

export interface TurnOptions {
  prompt: string;
  resume?: string | undefined;
  /** Hard bound on the whole turn: past it the run is cancelled and its process group killed. */
  timeoutMs: number;
  /** When given, the run is cancelled (the engine actor stopped) as soon as this resolves. */
  cancelWhen?: () => Promise<unknown>;
}

export interface TurnResult {
  request: RunRequest;
  /** What the adapter built for this run (recorded from the adapter the actor called). */
  invocation: Invocation | undefined;
  /** Every event the engine process actor sent its parent, in order. */
  messages: EngineProcessEvent[];
  /** The normalized events carried by those messages. */
  events: EngineEvent[];
  started: StartedEvent | undefined;
  completed: CompletedEvent | undefined;
  /** Stdout lines exactly as the actor handed them to the adapter's translator. */
  lines: string[];
  pid: number | undefined;
  exit: ProcessExit | undefined;
  timedOut: boolean;
  cancelled: boolean;
  /** After a cancel or timeout: whether stopping the actor ended the process group within 5 s. */
  goneAfterStop: boolean | undefined;
}

/** Silence after which the actor would add an idle warning; far beyond any live turn. */
const IDLE_WARN_SECONDS = 3_600;
/** After a cancel, how long the process group may take to disappear (SIGTERM, SIGKILL 2 s later). */
const GONE_AFTER_CANCEL_MS = 5_000;

/**
 * Runs one turn of a real CLI the way the bridge does: a parent machine invokes tentacle's engine
 * process actor (`createEngineProcessLogic`) with the engine's adapter, in the sandbox's environment,
 * and leaving its `running` state stops the actor (the cancel). Resolves once the actor sent
 * `ENGINE.COMPLETED`, or, after a cancel or the timeout, once the process group is gone.
 */
export async function runTurn(
  sandbox: Sandbox,
  adapter: EngineAdapter,
  options: TurnOptions,
): Promise<TurnResult> {
  const request: RunRequest = {
    prompt: options.prompt,
    resume: options.resume,
    cwd: sandbox.repo,
    config: sandbox.config,
  };
  const result: TurnResult = {
    request,
    invocation: undefined,
    messages: [],
    events: [],
    started: undefined,
    completed: undefined,
    lines: [],
    pid: undefined,
    exit: undefined,
    timedOut: false,
    cancelled: false,
    goneAfterStop: undefined,
  };
  let onCompleted: () => void = () => {};
  const completed = new Promise<void>((resolve) => {
    onCompleted = resolve;
  });
  const record = (message: AnyEventObject): void => {
    if (!message.type.startsWith('ENGINE.')) return;
    const m = message as EngineProcessEvent;
    result.messages.push(m);
    if (m.type === 'ENGINE.SPAWNED') result.pid = m.pid;
    if (m.type === 'ENGINE.STARTED' || m.type === 'ENGINE.ACTION' || m.type === 'ENGINE.COMPLETED') {
      result.events.push(m.event);
    }
    if (m.type === 'ENGINE.STARTED') result.started = m.event;
    if (m.type === 'ENGINE.COMPLETED') {
      result.completed = m.event;
      result.exit = m.exit;
      onCompleted();
    }
  };

  const engineProcess = createEngineProcessLogic({
    bootId: 'live-boot',
    adapters: { [adapter.id]: recordingAdapter(adapter, result) },
    env: sandbox.env,
    idleWarnSeconds: IDLE_WARN_SECONDS,
  });
  const input: EngineProcessInput = { runId: randomUUID(), engine: adapter.id, request, bootId: 'live-boot' };
  const turn = setup({
    types: { context: {} as { stopped: boolean } },
    actors: { engineProcess },
    actions: { record: ({ event }) => record(event) },
  }).createMachine({
    id: 'live-turn',
    context: { stopped: false },
    initial: 'running',
    states: {
      running: {
        invoke: { src: 'engineProcess', input: () => input },
        on: {
          'ENGINE.COMPLETED': { target: 'done', actions: 'record' },
          CANCEL: { target: 'cancelled', actions: assign({ stopped: true }) },
          '*': { actions: 'record' },
        },
      },
      // Leaving `running` stops the engine process actor; anything it sent later would land here.
      cancelled: { on: { '*': { actions: 'record' } } },
      done: {},
    },
  });
  const actor = createActor(turn);
  actor.start();

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const cancelled = options.cancelWhen
    ? options.cancelWhen().then(
        () => 'cancel' as const,
        () => new Promise<never>(() => {}),
      )
    : new Promise<never>(() => {});
  try {
    const outcome = await Promise.race([completed.then(() => 'completed' as const), timedOut, cancelled]);
    if (outcome !== 'completed') {
      result.timedOut = outcome === 'timeout';
      result.cancelled = outcome === 'cancel';
      actor.send({ type: 'CANCEL' });
      result.goneAfterStop = await groupGone(result.pid, GONE_AFTER_CANCEL_MS);
    }
  } finally {
    clearTimeout(timer);
    actor.stop();
    // Whatever happened above, never leave a CLI of ours running.
    if (result.pid !== undefined && (await groupGone(result.pid, 0)) === false) killGroup(result.pid);
  }
  return result;
}

/** The adapter as tentacle has it, recording the invocation it builds and the lines it is fed. */
function recordingAdapter(adapter: EngineAdapter, result: TurnResult): EngineAdapter {
  return {
    ...adapter,
    buildInvocation(request) {
      const invocation = adapter.buildInvocation(request);
      result.invocation = invocation;
      return invocation;
    },
    createTranslator(request): EngineTranslator {
      const inner = adapter.createTranslator(request);
      return {
        translateLine(line) {
          result.lines.push(line);
          return inner.translateLine(line);
        },
        finish: (exit) => inner.finish(exit),
      };
    },
  };
}

/**
 * Whether the process group led by `pid` (the CLI and every tool it started) is gone within `ms`.
 *
 * @example
 * await groupGone(result.pid, 5_000); // true once every process of the group exited
 */
export async function groupGone(pid: number | undefined, ms: number): Promise<boolean> {
  if (pid === undefined) return true;
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return true;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
