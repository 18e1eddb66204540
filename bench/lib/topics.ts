import { fromPromise } from 'xstate';
import { TopicRuntime } from '../../src/actors/topic-runtime.ts';
import type { ActionEvent } from '../../src/engines/events.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { OrphanInput } from '../../src/machines/topic.machine.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { job } from '../../test/support/jobs.ts';
import { recordingEffects } from '../../test/support/recording-effects.ts';
import { type ScriptedRun, scriptedEngine, started } from '../../test/support/scripted-engine.ts';

/**
 * A TopicRuntime on a real SQLite file with a scripted engine, as `test/actors/topic-runtime.test.ts`
 * runs it: every event goes through the real machine and is persisted, only the engine process is
 * played by the benchmark. Lost runs' process groups are never signalled (their pids are made up).
 */
export function bootRuntime(path: string, bootId: string, options: { idleEvictMs?: number } = {}) {
  const store = openStore(path);
  const engine = scriptedEngine({ bootId });
  const runtime = new TopicRuntime({
    store,
    logger: silentLogger(),
    bootId,
    engineProcess: engine.logic,
    terminateOrphan: fromPromise<void, OrphanInput>(async () => {}),
    onRestart: 'resume',
    effects: recordingEffects().effects,
    // By default never evict: idle topics stay alive actors (the RSS figure counts them).
    idleEvictMs: options.idleEvictMs ?? 0,
  });
  runtime.start();
  return {
    store,
    engine,
    runtime,
    close(): void {
      runtime.stop();
      store.close();
    },
  };
}

export type BenchRuntime = ReturnType<typeof bootRuntime>;

export function topicOf(i: number) {
  return { topicKey: `tg:${100_000 + i}`, chatId: 100_000 + i, threadId: null };
}

function action(n: number): ActionEvent {
  return {
    type: 'action',
    engine: 'codex',
    phase: 'completed',
    ok: true,
    action: {
      id: `item_${n}`,
      kind: 'command',
      title: `\`npm test -- --shard ${n}\``,
      detail: { exit_code: 0 },
    },
  };
}

/** The engine events of one run after the prompt: spawned, started, `actions` actions, and (unless left in flight) completed. */
export function engineScript(run: ScriptedRun, actions: number, complete: boolean) {
  const runId = run.input.runId;
  const token = `tok-${runId}`;
  const events: Parameters<ScriptedRun['send']>[0][] = [
    { type: 'ENGINE.SPAWNED', runId, pid: 3_000_000 + (hash(runId) % 1_000_000), startTime: '1' },
    { type: 'ENGINE.STARTED', runId, event: started('codex', token) },
    ...Array.from({ length: actions }, (_, n) => ({
      type: 'ENGINE.ACTION' as const,
      runId,
      event: action(n),
    })),
  ];
  if (complete) {
    events.push({
      type: 'ENGINE.COMPLETED',
      runId,
      event: {
        type: 'completed',
        engine: 'codex',
        ok: true,
        answer: 'All tests pass.',
        resume: { engine: 'codex', value: token },
        error: null,
        usage: null,
      },
    });
  }
  return events;
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

/** A prompt to topic `i`; returns the scripted run the topic started for it. */
export function prompt(b: BenchRuntime, i: number): ScriptedRun {
  const before = b.engine.runs.length;
  b.runtime.deliver(topicOf(i), {
    type: 'TOPIC.PROMPT',
    job: job({ jobId: `job-${i}-${before}` }),
    at: Date.now(),
  });
  const run = b.engine.runs[before];
  if (!run) throw new Error(`topic ${i}: the prompt did not start a run`);
  return run;
}

/** Topics `from`…`to - 1` each get one run: completed (idle topics) or left in flight after `started`. */
export function populate(
  b: BenchRuntime,
  from: number,
  to: number,
  state: 'idle' | 'in-flight',
  actions = 3,
): void {
  for (let i = from; i < to; i++) {
    const run = prompt(b, i);
    for (const event of engineScript(run, actions, state === 'idle')) run.send(event);
  }
}

/**
 * Like `populate` with idle topics, for a runtime that evicts idle topics after 1 ms: the topics are
 * written in batches and evicted between them, so the live set stays small while the file fills up.
 */
export async function populateEvicted(b: BenchRuntime, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 250) {
    populate(b, i, Math.min(to, i + 250), 'idle', 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export type { Store };
