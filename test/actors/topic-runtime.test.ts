import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromPromise } from 'xstate';
import { TopicRuntime } from '../../src/actors/topic-runtime.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { OrphanInput } from '../../src/machines/topic.machine.ts';
import {
  RESTART_CONTINUE_PROMPT,
  TOPIC_MACHINE_VERSION,
  type TopicEvent,
} from '../../src/machines/topic.types.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { job } from '../support/jobs.ts';
import { recordingEffects } from '../support/recording-effects.ts';
import { scriptedEngine, started } from '../support/scripted-engine.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
const stores: Store[] = [];
const runtimes: TopicRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.stop();
  for (const store of stores.splice(0)) store.close();
});

const TOPIC = { topicKey: 'tg:1', chatId: 1, threadId: null };

/** One boot of the bridge: a runtime on the state file, with its own boot id and engine stand-in. */
function boot(path: string, bootId: string, options: { onRestart?: 'resume' | 'notify' } = {}) {
  const store = openStore(path);
  stores.push(store);
  const engine = scriptedEngine({ bootId });
  const orphans: OrphanInput[] = [];
  const recorded = recordingEffects();
  const runtime = new TopicRuntime({
    store,
    logger: silentLogger(),
    bootId,
    engineProcess: engine.logic,
    terminateOrphan: fromPromise<void, OrphanInput>(async ({ input }) => {
      orphans.push(input);
    }),
    onRestart: options.onRestart ?? 'resume',
    effects: recorded.effects,
    idleEvictMs: 0,
  });
  runtimes.push(runtime);
  runtime.start();
  return { store, engine, orphans, runtime, ...recorded };
}

const prompt = (j = job()): TopicEvent => ({ type: 'TOPIC.PROMPT', job: j, at: Date.now() });
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('TopicRuntime', () => {
  it('consumes the inbox row in the transaction that persists the topic state it caused', () => {
    const path = join(tempDir(), 'state.db');
    const b = boot(path, 'boot-1');
    b.store.inbox.storeBatch([{ updateId: 10, sentAt: null, payload: {} }], 11);
    b.runtime.deliver(TOPIC, prompt(job({ jobId: 'a' })), { updateIds: [10] });
    expect(b.store.inbox.pending()).toEqual([]);
    expect(b.store.topics.load('tg:1')).toMatchObject({
      state: 'running',
      machineVersion: TOPIC_MACHINE_VERSION,
    });
    expect(b.store.runs.get('a')).toMatchObject({ status: 'queued', prompt: expect.any(String) });
  });

  it('leaves the inbox row pending when the state change cannot be persisted', () => {
    const path = join(tempDir(), 'state.db');
    const b = boot(path, 'boot-1');
    b.store.inbox.storeBatch([{ updateId: 10, sentAt: null, payload: {} }], 11);
    b.store.db.exec('DROP TABLE runs');
    expect(() => b.runtime.deliver(TOPIC, prompt(), { updateIds: [10] })).toThrow();
    expect(b.store.inbox.pending().map((r) => r.updateId)).toEqual([10]);
  });

  it('writes the final message to the outbox in the same commit as the idle snapshot', async () => {
    const path = join(tempDir(), 'state.db');
    const b = boot(path, 'boot-1');
    b.runtime.deliver(TOPIC, prompt(job({ jobId: 'a' })));
    b.engine.runs[0]!.send({ type: 'ENGINE.SPAWNED', runId: 'a', pid: 999_999, startTime: '1' });
    b.engine.runs[0]!.finish('the answer', 'T1');
    expect(b.store.topics.load('tg:1')?.state).toBe('idle');
    expect(b.store.outbox.all().map((r) => [r.kind, r.payload])).toEqual([
      ['done', { runId: 'a', answer: 'the answer', token: 'T1' }],
    ]);
    expect(b.store.runs.get('a')).toMatchObject({ status: 'completed', resumeToken: 'T1', pid: 999_999 });
    expect(b.store.sessions.find('codex', 'T1')).toMatchObject({ topicKey: 'tg:1', cwd: '/repo' });
    await settle();
    expect(b.outboxSignals()).toBe(1);
    expect(b.changes.at(-1)).toMatchObject({ topicKey: 'tg:1', state: 'idle' });
  });

  it('resumes the engine session of a run lost to a crash, after ending its old process group', async () => {
    const path = join(tempDir(), 'state.db');
    const first = boot(path, 'boot-1');
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'a' })));
    first.runtime.deliver(TOPIC, { type: 'TOPIC.PROGRESS_SENT', runId: 'a', messageId: 55 });
    first.engine.runs[0]!.send({ type: 'ENGINE.SPAWNED', runId: 'a', pid: 4242, startTime: '777' });
    first.engine.runs[0]!.send({ type: 'ENGINE.STARTED', runId: 'a', event: started('codex', 'T1') });
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'b' })));
    // SIGKILL: the first boot simply stops existing.
    const second = boot(path, 'boot-2');
    await settle();
    expect(second.engine.lost.map((i) => i.runId)).toEqual(['a']);
    expect(second.orphans).toEqual([{ pid: 4242, pidStartTime: '777' }]);
    expect(second.engine.runs).toHaveLength(1);
    expect(second.engine.runs[0]!.input).toMatchObject({
      bootId: 'boot-2',
      request: { prompt: RESTART_CONTINUE_PROMPT, resume: 'T1', cwd: '/repo' },
    });
    expect(second.runtime.view('tg:1')?.context.current?.progressMessageId).toBe(55);
    second.engine.runs[0]!.finish('continued', 'T1');
    await settle();
    expect(second.engine.runs.map((r) => r.input.runId)).toEqual([expect.stringMatching(/^a\./), 'b']);
  });

  it('only marks the run interrupted with on_restart = "notify", and goes on with the queue', async () => {
    const path = join(tempDir(), 'state.db');
    const first = boot(path, 'boot-1');
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'a' })));
    first.engine.runs[0]!.send({ type: 'ENGINE.STARTED', runId: 'a', event: started('codex', 'T1') });
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'b' })));
    const second = boot(path, 'boot-2', { onRestart: 'notify' });
    await settle();
    expect(second.store.outbox.all().map((r) => r.kind)).toEqual(['interrupted']);
    expect(second.store.runs.get('a')?.status).toBe('interrupted');
    expect(second.engine.runs.map((r) => r.input.runId)).toEqual(['b']);
  });

  it('restarts a topic whose snapshot does not fit the machine from its durable facts, and says so', async () => {
    const path = join(tempDir(), 'state.db');
    const first = boot(path, 'boot-1');
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'a' })));
    first.engine.runs[0]!.send({ type: 'ENGINE.SPAWNED', runId: 'a', pid: 4242, startTime: '777' });
    first.engine.runs[0]!.send({ type: 'ENGINE.STARTED', runId: 'a', event: started('codex', 'T1') });
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'b' })));
    first.runtime.deliver({ ...TOPIC, topicKey: 'tg:2' }, prompt(job({ jobId: 'c' })));
    first.store.db.prepare("UPDATE topics SET machine_version = 0 WHERE topic_key = 'tg:1'").run();
    const second = boot(path, 'boot-2');
    await settle();
    const restarted = second.store.outbox.all().filter((r) => r.kind === 'restarted-from-facts');
    expect(restarted).toHaveLength(1);
    expect(restarted[0]!.payload).toEqual({
      reason: `snapshot v0 does not fit machine v${TOPIC_MACHINE_VERSION}`,
    });
    expect(second.runtime.view('tg:1')?.context.sessions).toEqual({ codex: { token: 'T1', cwd: '/repo' } });
    const ran = second.engine.runs.map((r) => r.input.runId);
    expect(ran).toContain('a');
    expect(second.engine.lost.map((i) => i.runId)).toEqual(['c']);
  });

  it('restarts a topic with a corrupt snapshot without touching the other topics', async () => {
    const path = join(tempDir(), 'state.db');
    const first = boot(path, 'boot-1');
    first.runtime.deliver(TOPIC, prompt(job({ jobId: 'a' })));
    first.runtime.deliver({ ...TOPIC, topicKey: 'tg:2' }, prompt(job({ jobId: 'c' })));
    first.store.db.prepare("UPDATE topics SET snapshot = '{broken' WHERE topic_key = 'tg:1'").run();
    const second = boot(path, 'boot-2');
    await settle();
    expect(second.store.outbox.all().map((r) => [r.kind, r.payload])).toEqual([
      ['restarted-from-facts', { reason: 'snapshot is corrupt' }],
    ]);
    // tg:1 re-runs its job from the runs table; tg:2 restored normally and re-ran its lost run.
    expect(second.engine.runs.map((r) => r.input.runId).sort()).toEqual(['a', 'c.rboot-2']);
  });

  it('restores 1,000 persisted topics with a run in flight each', async () => {
    const path = join(tempDir(), 'state.db');
    const first = boot(path, 'boot-1');
    for (let i = 0; i < 1000; i++) {
      first.runtime.deliver(
        { topicKey: `tg:${i}`, chatId: i, threadId: null },
        prompt(job({ jobId: `j${i}` })),
      );
    }
    expect(first.store.topics.states().filter((t) => t.state === 'running')).toHaveLength(1000);
    const second = boot(path, 'boot-2');
    await settle();
    expect(second.engine.lost).toHaveLength(1000);
    expect(second.engine.runs).toHaveLength(1000);
    expect(new Set(second.engine.runs.map((r) => r.input.request.prompt)).size).toBe(1000);
  });
});
