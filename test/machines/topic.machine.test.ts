import { describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor, fromPromise } from 'xstate';
import { supervisorMachine } from '../../src/machines/supervisor.machine.ts';
import { topicMachine } from '../../src/machines/topic.machine.ts';
import {
  RESTART_CONTINUE_PROMPT,
  type TopicContext,
  type TopicEvent,
} from '../../src/machines/topic.types.ts';
import { job } from '../support/jobs.ts';
import { completed, scriptedEngine, started } from '../support/scripted-engine.ts';

function boot(options: { resume?: boolean } = {}) {
  const engine = scriptedEngine();
  const calls: string[] = [];
  const orphans: { pid: number | null }[] = [];
  const topic = topicMachine.provide({
    actors: {
      engineProcess: engine.logic as never,
      terminateOrphan: (async () => undefined) as never,
      fileDeadline: fromPromise<void, { at: number }>(
        ({ input }) => new Promise((resolve) => setTimeout(resolve, Math.max(0, input.at - Date.now()))),
      ) as never,
    },
    actions: {
      recordJob: (_, { job }) => calls.push(`recordJob ${job.jobId}`),
      recordRun: (_, { run }) => calls.push(`recordRun ${run.runId} pid=${run.pid}`),
      recordSession: (_, { token }) => calls.push(`recordSession ${token}`),
      announceRunFinished: (_, { run, outcome, completed }) =>
        calls.push(`finished ${run.runId} ${outcome} ${completed?.answer ?? ''}`.trim()),
      announceDroppedFromQueue: (_, { job }) => calls.push(`dropped ${job.jobId}`),
      announceInterrupted: (_, { run }) => calls.push(`interrupted ${run.runId}`),
      announceFileWaitExpired: (_, { wait }) => calls.push(`file wait expired ${wait.path}`),
    },
    guards: { resumeAfterRestart: () => options.resume ?? true },
  });
  const supervisor = createActor(supervisorMachine.provide({ actors: { topic } }), {
    input: { bootId: 'boot-1', now: 0 },
  }).start();
  const deliver = (event: TopicEvent) =>
    supervisor.send({
      type: 'SUPERVISOR.DELIVER',
      topic: { topicKey: 'tg:1', chatId: 1, threadId: null },
      event,
      at: 5_000,
    });
  const ref = () => supervisor.getSnapshot().children['tg:1'] as AnyActorRef;
  return {
    engine,
    calls,
    orphans,
    deliver,
    state: () => ref().getSnapshot().value,
    context: () => ref().getSnapshot().context as TopicContext,
    persisted: () => ref().getPersistedSnapshot(),
  };
}

describe('topic machine', () => {
  it('runs a prompt: idle → running → idle, with the final announced once', () => {
    const t = boot();
    const j = job({ jobId: 'a' });
    t.deliver({ type: 'TOPIC.PROMPT', job: j, at: 5_000 });
    expect(t.state()).toEqual({ lane: { running: 'engine' }, upload: 'none' });
    expect(t.engine.runs[0]!.input).toMatchObject({ runId: 'a', engine: 'codex', bootId: 'boot-1' });
    expect(t.engine.runs[0]!.input.request).toMatchObject({ prompt: j.prompt, cwd: '/repo' });
    t.engine.runs[0]!.send({ type: 'ENGINE.SPAWNED', runId: 'a', pid: 4321, startTime: '99' });
    t.engine.runs[0]!.finish('the answer', 'T1');
    expect(t.state()).toEqual({ lane: 'idle', upload: 'none' });
    expect(t.calls).toEqual([
      'recordJob a',
      'recordRun a pid=4321',
      'recordSession T1',
      'recordRun a pid=4321',
      'finished a done the answer',
    ]);
    expect(t.context()).toMatchObject({
      current: null,
      queue: [],
      runsCompleted: 1,
      sessions: { codex: { token: 'T1' } },
    });
    expect(t.engine.runs[0]!.stopped).toBe(true);
  });

  it('queues prompts that arrive while running and runs them in order', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'b' }), at: 5_001 });
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'c' }), at: 5_002 });
    expect(t.engine.runs.map((r) => r.input.runId)).toEqual(['a']);
    expect(t.context().queue.map((j) => j.jobId)).toEqual(['b', 'c']);
    t.engine.runs[0]!.finish('A');
    expect(t.engine.runs.map((r) => r.input.runId)).toEqual(['a', 'b']);
    t.engine.runs[1]!.finish('B');
    t.engine.runs[2]!.finish('C');
    expect(t.calls.filter((c) => c.startsWith('finished'))).toEqual([
      'finished a done A',
      'finished b done B',
      'finished c done C',
    ]);
  });

  it('continues the stored session when a job asks for it, in the session cwd', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a', cwd: '/first' }), at: 5_000 });
    t.engine.runs[0]!.finish('A', 'S1');
    t.deliver({
      type: 'TOPIC.PROMPT',
      job: job({ jobId: 'b', session: { mode: 'stored' }, cwd: '/else' }),
      at: 6_000,
    });
    expect(t.engine.runs[1]!.input.request).toMatchObject({ resume: 'S1', cwd: '/first' });
    t.engine.runs[1]!.finish('B', 'S1');
    t.deliver({ type: 'TOPIC.NEW_SESSION' });
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'c', session: { mode: 'stored' } }), at: 7_000 });
    expect(t.engine.runs[2]!.input.request.resume).toBeUndefined();
  });

  it('takes a stored session learned by the run ahead of it in the queue', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'b', session: { mode: 'stored' } }), at: 5_000 });
    t.engine.runs[0]!.finish('A', 'S9');
    expect(t.engine.runs[1]!.input.request.resume).toBe('S9');
  });

  it('cancels the running job through the engine actor and announces it as cancelled after the exit', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PROGRESS_SENT', runId: 'a', messageId: 55 });
    t.deliver({ type: 'TOPIC.CANCEL', messageId: 55, by: 7, at: 6_000 });
    expect(t.engine.runs[0]!.received).toEqual(['ENGINE.CANCEL']);
    expect(t.state()).toEqual({ lane: { running: 'engine' }, upload: 'none' });
    t.engine.runs[0]!.send({
      type: 'ENGINE.COMPLETED',
      runId: 'a',
      event: completed('codex', '', null, false),
    });
    expect(t.state()).toEqual({ lane: 'idle', upload: 'none' });
    expect(t.calls.at(-1)).toBe('finished a cancelled');
  });

  it('drops a cancelled queued job without ever running it', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'b' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PLACEHOLDER_SENT', jobId: 'b', messageId: 77 });
    t.deliver({ type: 'TOPIC.CANCEL', messageId: 77, by: 7, at: 6_000 });
    expect(t.calls).toContain('dropped b');
    t.engine.runs[0]!.finish('A');
    expect(t.engine.runs).toHaveLength(1);
    expect(t.state()).toEqual({ lane: 'idle', upload: 'none' });
  });

  it('starts a queued job in its placeholder message', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'b' }), at: 5_000 });
    t.deliver({ type: 'TOPIC.PLACEHOLDER_SENT', jobId: 'b', messageId: 77 });
    t.engine.runs[0]!.finish('A');
    expect(t.context().current).toMatchObject({ runId: 'b', progressMessageId: 77 });
  });

  it('ignores engine events of another run', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.engine.runs[0]!.send({
      type: 'ENGINE.COMPLETED',
      runId: 'old',
      event: completed('codex', 'late', 'x'),
    });
    expect(t.state()).toEqual({ lane: { running: 'engine' }, upload: 'none' });
  });

  it('marks an empty answer as an error, as takopi does', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    t.engine.runs[0]!.finish('   ');
    expect(t.calls.at(-1)).toBe('finished a error');
  });

  describe('after a restart (the engine actor reports the process lost)', () => {
    it.each([
      ['token known, on_restart=resume', 'T1', true, 'continue'],
      ['token known, on_restart=notify', 'T1', false, 'interrupted'],
      ['no token yet', null, true, 'rerun'],
    ] as const)('%s', (_name, token, resume, outcome) => {
      const t = boot({ resume });
      const original = job({ jobId: 'a' });
      t.deliver({ type: 'TOPIC.PROMPT', job: original, at: 5_000 });
      t.deliver({ type: 'TOPIC.PROGRESS_SENT', runId: 'a', messageId: 55 });
      if (token)
        t.engine.runs[0]!.send({ type: 'ENGINE.STARTED', runId: 'a', event: started('codex', token) });
      t.engine.runs[0]!.send({ type: 'ENGINE.LOST', runId: 'a' });
      if (outcome === 'interrupted') {
        expect(t.state()).toEqual({ lane: 'idle', upload: 'none' });
        expect(t.calls.at(-1)).toBe('interrupted a');
        expect(t.engine.runs).toHaveLength(1);
        return;
      }
      return new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => {
        expect(t.engine.runs).toHaveLength(2);
        const next = t.engine.runs[1]!.input;
        if (outcome === 'continue') {
          expect(next.request).toMatchObject({ prompt: RESTART_CONTINUE_PROMPT, resume: 'T1' });
        } else {
          expect(next.request.prompt).toBe(original.prompt);
          expect(next.request.resume).toBeUndefined();
        }
        expect(t.context().current).toMatchObject({ progressMessageId: 55 });
      });
    });
  });

  describe('awaiting a file', () => {
    const wait = (deadline: number) => ({
      path: 'docs/spec.pdf',
      force: false,
      senderId: 7,
      messageId: 9,
      root: '/repo',
      deadline,
    });

    it('waits in its own region: a prompt still runs while the topic awaits the upload', () => {
      const t = boot();
      t.deliver({ type: 'FILE.AWAIT', wait: wait(Date.now() + 60_000) });
      expect(t.state()).toEqual({ lane: 'idle', upload: 'awaiting-file' });
      t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
      expect(t.state()).toEqual({ lane: { running: 'engine' }, upload: 'awaiting-file' });
      t.deliver({ type: 'FILE.RECEIVED' });
      expect(t.state()).toEqual({ lane: { running: 'engine' }, upload: 'none' });
      expect(t.context().fileWait).toBeNull();
    });

    it('gives up at the deadline and says so once', async () => {
      const t = boot();
      t.deliver({ type: 'FILE.AWAIT', wait: wait(Date.now() + 30) });
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(t.state()).toEqual({ lane: 'idle', upload: 'none' });
      expect(t.calls.filter((c) => c.startsWith('file wait expired'))).toEqual([
        'file wait expired docs/spec.pdf',
      ]);
    });
  });

  it('persists a JSON-only snapshot', () => {
    const t = boot();
    t.deliver({ type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    const persisted = t.persisted();
    expect(JSON.parse(JSON.stringify(persisted))).toEqual(persisted);
  });
});
