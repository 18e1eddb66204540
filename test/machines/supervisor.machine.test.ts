import { describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor } from 'xstate';
import { supervisorMachine } from '../../src/machines/supervisor.machine.ts';
import { topicMachine } from '../../src/machines/topic.machine.ts';
import type { RunJob, TopicContext, TopicEvent } from '../../src/machines/topic.types.ts';
import { job } from '../support/jobs.ts';
import { scriptedEngine } from '../support/scripted-engine.ts';

function boot(options: { throwOnJob?: string } = {}) {
  const engine = scriptedEngine();
  const announced: { topic: string; outcome: string; answer: string | null }[] = [];
  const dropped: string[] = [];
  const parked: string[] = [];
  const restarts: string[] = [];
  const topic = topicMachine.provide({
    actors: { engineProcess: engine.logic as never },
    actions: {
      recordJob: (_, { job }) => {
        if (job.jobId === options.throwOnJob) throw new Error('boom');
      },
      announceRunFinished: ({ context }, params) =>
        announced.push({
          topic: context.topicKey,
          outcome: params.outcome,
          answer: params.completed?.answer ?? null,
        }),
      announceDroppedFromQueue: (_, { job }) => dropped.push(job.jobId),
    },
  });
  const supervisor = createActor(
    supervisorMachine.provide({
      actors: { topic },
      actions: {
        reportParked: (_, { topicKey }) => parked.push(topicKey),
        restartTopic: (_, { topicKey }) => restarts.push(topicKey),
      },
    }),
    { input: { bootId: 'boot-1', now: 0 } },
  ).start();
  const deliver = (topicKey: string, event: TopicEvent) =>
    supervisor.send({
      type: 'SUPERVISOR.DELIVER',
      topic: { topicKey, chatId: 1, threadId: null },
      event,
      at: 1_000,
    });
  const prompt = (topicKey: string, j: RunJob) =>
    deliver(topicKey, { type: 'TOPIC.PROMPT', job: j, at: 1_000 });
  const topicOf = (key: string) => supervisor.getSnapshot().children[key] as AnyActorRef | undefined;
  const stateOf = (key: string) => topicOf(key)?.getSnapshot().value;
  const contextOf = (key: string) => topicOf(key)?.getSnapshot().context as TopicContext;
  return {
    supervisor,
    engine,
    announced,
    dropped,
    parked,
    restarts,
    deliver,
    prompt,
    stateOf,
    contextOf,
    topicOf,
  };
}

describe('supervisor', () => {
  it('spawns one topic actor per topic key, with the key as its systemId', () => {
    const t = boot();
    t.prompt('tg:1', job());
    t.prompt('tg:2', job());
    expect(Object.keys(t.supervisor.getSnapshot().context.alive)).toEqual(['tg:1', 'tg:2']);
    expect(t.supervisor.system.get('tg:2')).toBe(t.topicOf('tg:2'));
  });

  it('runs prompts of different topics in parallel', () => {
    const t = boot();
    t.prompt('tg:1', job());
    t.prompt('tg:2', job());
    expect(t.engine.runs.map((r) => r.input.runId)).toHaveLength(2);
    expect(t.stateOf('tg:1')).toEqual({ lane: { running: 'engine' }, upload: 'none' });
    expect(t.stateOf('tg:2')).toEqual({ lane: { running: 'engine' }, upload: 'none' });
  });

  it('never runs one engine session twice at once, even from two topics', () => {
    const t = boot();
    const session = { mode: 'token', token: 'shared' } as const;
    t.prompt('tg:1', job({ session }));
    t.prompt('tg:2', job({ session }));
    expect(t.engine.runs).toHaveLength(1);
    expect(t.stateOf('tg:2')).toEqual({ lane: { running: 'acquiring' }, upload: 'none' });
    expect(t.supervisor.getSnapshot().context.locks).toEqual({ 'codex:shared': 'tg:1' });
    t.engine.runs[0]!.finish('first', 'shared');
    expect(t.engine.runs).toHaveLength(2);
    expect(t.engine.runs[1]!.input.request.resume).toBe('shared');
    expect(t.supervisor.getSnapshot().context.locks).toEqual({ 'codex:shared': 'tg:2' });
    t.engine.runs[1]!.finish('second', 'shared');
    expect(t.supervisor.getSnapshot().context.locks).toEqual({});
  });

  it('stops an evicted topic and creates it again on the next event', () => {
    const t = boot();
    t.prompt('tg:1', job());
    t.engine.runs[0]!.finish('ok');
    t.supervisor.send({ type: 'SUPERVISOR.EVICT', topicKey: 'tg:1' });
    expect(t.topicOf('tg:1')).toBeUndefined();
    t.prompt('tg:1', job());
    expect(t.stateOf('tg:1')).toEqual({ lane: { running: 'engine' }, upload: 'none' });
  });

  it('survives a failing topic: the others keep running and it is restarted within the budget', () => {
    const t = boot({ throwOnJob: 'bad' });
    t.prompt('tg:ok', job());
    t.prompt('tg:bad', job({ jobId: 'bad' }));
    expect(t.supervisor.getSnapshot().status).toBe('active');
    expect(t.restarts).toEqual(['tg:bad']);
    expect(t.topicOf('tg:bad')).toBeUndefined();
    expect(t.stateOf('tg:ok')).toEqual({ lane: { running: 'engine' }, upload: 'none' });
    t.engine.runs[0]!.finish('still fine');
    expect(t.announced).toEqual([{ topic: 'tg:ok', outcome: 'done', answer: 'still fine' }]);
  });

  it('parks a topic that keeps failing, tells the chat, and lets /new reset it', () => {
    const t = boot({ throwOnJob: 'bad' });
    for (let i = 0; i < 4; i++) t.prompt('tg:bad', job({ jobId: 'bad' }));
    expect(t.restarts).toHaveLength(3);
    expect(t.parked).toEqual(['tg:bad']);
    t.prompt('tg:bad', job());
    expect(t.parked).toEqual(['tg:bad', 'tg:bad']);
    expect(t.topicOf('tg:bad')).toBeUndefined();
    t.deliver('tg:bad', { type: 'TOPIC.NEW_SESSION' });
    t.prompt('tg:bad', job());
    expect(t.stateOf('tg:bad')).toEqual({ lane: { running: 'engine' }, upload: 'none' });
  });
});
