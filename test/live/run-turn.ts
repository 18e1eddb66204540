import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EngineAdapter, EngineTranslator, Invocation, RunRequest } from '../../src/engines/adapter.ts';
import type { CompletedEvent, EngineEvent, StartedEvent } from '../../src/engines/events.ts';
import type { Sandbox } from './sandbox.ts';

export interface TurnOptions {
  prompt: string;
  resume?: string | undefined;
  /** Hard bound on the whole turn; the process group is killed when it is reached. */
  timeoutMs: number;
  /** When given, the run is cancelled as soon as this resolves (after the process started). */
  cancelWhen?: (turn: { events: EngineEvent[] }) => Promise<unknown>;
}

export interface TurnResult {
  request: RunRequest;
  invocation: Invocation;
  events: EngineEvent[];
  started: StartedEvent | undefined;
  completed: CompletedEvent | undefined;
  /** Stdout lines exactly as tentacle's translator received them. */
  lines: string[];
  pid: number | undefined;
  exit: { code: number | null; signal: string | null } | undefined;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
}

/**
 * Runs one turn of a real CLI through tentacle's adapter: its invocation (argv, env, stdin) and its
 * translator, in the sandbox's environment.
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
  const invocation = adapter.buildInvocation(request);
  const lines: string[] = [];
  const translator = recordingTranslator(adapter.createTranslator(request), lines);
  const env: Record<string, string> = { ...sandbox.env, ...invocation.env };
  for (const name of invocation.unsetEnv) delete env[name];

  const result: TurnResult = {
    request,
    invocation,
    events: [],
    started: undefined,
    completed: undefined,
    lines,
    pid: undefined,
    exit: undefined,
    stderr: '',
    timedOut: false,
    cancelled: false,
  };
  const child = spawn(invocation.command, invocation.args, {
    cwd: invocation.cwd,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  result.pid = child.pid;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  child.stdin.on('error', () => {});
  child.stdin.end(invocation.stdin ?? '');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    result.stderr += chunk;
  });
  const push = (events: EngineEvent[]) => {
    for (const event of events) {
      result.events.push(event);
      if (event.type === 'started') result.started = event;
      if (event.type === 'completed') result.completed = event;
    }
  };
  const stdoutDone = new Promise<void>((resolve) => {
    const rl = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', (line) => push(translator.translateLine(line)));
    rl.on('close', () => resolve());
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => {
      result.stderr += String(error);
      resolve({ code: 127, signal: null });
    });
  });
  const timer = setTimeout(() => {
    result.timedOut = true;
    killGroup('SIGKILL');
  }, options.timeoutMs);
  if (options.cancelWhen) {
    options.cancelWhen(result).then(
      () => {
        result.cancelled = true;
        killGroup('SIGTERM');
      },
      () => {},
    );
  }
  try {
    result.exit = await exited;
    await stdoutDone;
    push(translator.finish({ ...result.exit, stderrTail: result.stderr.split('\n').slice(-20) }));
  } finally {
    clearTimeout(timer);
    killGroup('SIGKILL');
  }
  return result;
}

function recordingTranslator(inner: EngineTranslator, lines: string[]): EngineTranslator {
  return {
    translateLine(line) {
      lines.push(line);
      return inner.translateLine(line);
    },
    finish: (exit) => inner.finish(exit),
  };
}
