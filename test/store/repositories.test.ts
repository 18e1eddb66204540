import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/store/run.repository.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let store: Store;
let path: string;

beforeEach(() => {
  path = join(tempDir(), 'state.db');
  store = openStore(path);
});
afterEach(() => store.close());

function reopen(): Store {
  store.close();
  store = openStore(path);
  return store;
}

describe('inbox', () => {
  it('stores a batch with its offset atomically and ignores redelivered update ids', () => {
    const first = store.inbox.storeBatch(
      [
        { updateId: 10, sentAt: 1000, payload: { update_id: 10 } },
        { updateId: 11, sentAt: null, payload: { update_id: 11 } },
      ],
      12,
    );
    expect(first.map((u) => u.updateId)).toEqual([10, 11]);
    const again = store.inbox.storeBatch([{ updateId: 11, sentAt: null, payload: { update_id: 11 } }], 12);
    expect(again).toEqual([]);
    reopen();
    expect(store.inbox.offset()).toBe(12);
    expect(store.inbox.pending().map((r) => [r.updateId, r.payload])).toEqual([
      [10, { update_id: 10 }],
      [11, { update_id: 11 }],
    ]);
  });

  it('keeps consumed rows out of pending, and a rolled-back consume keeps the row pending', () => {
    store.inbox.storeBatch(
      [
        { updateId: 1, sentAt: null, payload: {} },
        { updateId: 2, sentAt: null, payload: {} },
      ],
      3,
    );
    store.inbox.markConsumed(1);
    expect(() =>
      store.transaction(() => {
        store.inbox.markConsumed(2);
        throw new Error('state change failed');
      }),
    ).toThrow('state change failed');
    expect(store.inbox.pending().map((r) => r.updateId)).toEqual([2]);
    expect(store.inbox.counts()).toEqual({ pending: 1, consumed: 1, skipped: 0 });
  });

  it('prunes handled rows but never pending ones', () => {
    store.inbox.storeBatch(
      [
        { updateId: 1, sentAt: null, payload: {} },
        { updateId: 2, sentAt: null, payload: {} },
      ],
      3,
      100,
    );
    store.inbox.markSkipped(1);
    expect(store.inbox.prune(200)).toBe(1);
    expect(store.inbox.pending().map((r) => r.updateId)).toEqual([2]);
  });
});

describe('topics', () => {
  it('upserts one snapshot per topic and reads it back', () => {
    store.topics.save({
      topicKey: 'tg:1',
      chatId: 1,
      machineVersion: 1,
      state: 'idle',
      snapshot: { value: 'idle' },
    });
    store.topics.save({
      topicKey: 'tg:1',
      chatId: 1,
      machineVersion: 2,
      state: 'running',
      snapshot: { value: 'running' },
    });
    expect(store.topics.load('tg:1')).toMatchObject({
      machineVersion: 2,
      state: 'running',
      snapshot: { value: 'running' },
    });
    expect(store.topics.states()).toEqual([{ topicKey: 'tg:1', state: 'running' }]);
  });

  it('returns a corrupt snapshot as raw text instead of throwing', () => {
    store.db.prepare("INSERT INTO topics VALUES ('tg:2', 2, 1, 'idle', '{not json', 0)").run();
    expect(store.topics.load('tg:2')?.snapshot).toBe('{not json');
  });
});

describe('runs', () => {
  const run: RunRecord = {
    runId: 'r1',
    topicKey: 'tg:1',
    chatId: 1,
    threadId: null,
    userMessageId: 5,
    progressMessageId: null,
    engine: 'codex',
    resumeToken: null,
    cwd: '/repo',
    prompt: 'hi',
    job: { jobId: 'r1', prompt: 'hi' },
    pid: null,
    pidStartTime: null,
    bootId: 'boot-a',
    status: 'queued',
    createdAt: 1,
    startedAt: null,
    endedAt: null,
  };

  it('records a run and updates it field by field', () => {
    store.runs.insert(run);
    store.runs.update('r1', { status: 'running', pid: 4242, pidStartTime: '987', startedAt: 2 });
    store.runs.update('r1', { resumeToken: 'abc' });
    expect(store.runs.get('r1')).toEqual({
      ...run,
      status: 'running',
      pid: 4242,
      pidStartTime: '987',
      startedAt: 2,
      resumeToken: 'abc',
    });
    expect(store.runs.active().map((r) => r.runId)).toEqual(['r1']);
    store.runs.update('r1', { status: 'completed', endedAt: 3 });
    expect(store.runs.active()).toEqual([]);
  });

  it('rejects an unknown status', () => {
    expect(() => store.runs.insert({ ...run, status: 'lost' as RunRecord['status'] })).toThrow(
      /CHECK constraint/,
    );
  });
});

describe('sessions', () => {
  it('indexes engine:token to its topic and keeps the first cwd', () => {
    store.sessions.upsert({ engine: 'codex', token: 't1', topicKey: 'tg:1:m5', cwd: '/a' });
    store.sessions.upsert({ engine: 'codex', token: 't1', topicKey: 'tg:1:m9', cwd: '/b' });
    expect(store.sessions.find('codex', 't1')).toMatchObject({ topicKey: 'tg:1:m9', cwd: '/a' });
    expect(store.sessions.find('claude', 't1')).toBeUndefined();
  });
});

describe('prefs', () => {
  it('merges patches, drops cleared keys and deletes empty scopes', () => {
    store.prefs.update('tg:1', { default_engine: 'claude', trigger_mode: 'mentions' });
    expect(store.prefs.update('tg:1', { trigger_mode: null })).toEqual({ default_engine: 'claude' });
    store.prefs.update('tg:1', { default_engine: undefined });
    expect(store.prefs.all()).toEqual([]);
  });
});

describe('outbox', () => {
  it('keeps a row until it is deleted, and schedules retries', () => {
    const id = store.outbox.enqueue(
      { topicKey: 'tg:1', chatId: 1, kind: 'final', payload: { text: 'done' } },
      10,
    );
    expect(store.outbox.due(10).map((r) => r.id)).toEqual([id]);
    store.outbox.recordFailure(id, '429', 50);
    expect(store.outbox.due(20)).toEqual([]);
    expect(store.outbox.due(50)[0]).toMatchObject({
      attempts: 1,
      lastError: '429',
      payload: { text: 'done' },
    });
    reopen();
    expect(store.outbox.count()).toBe(1);
    store.outbox.delete(id);
    expect(store.outbox.count()).toBe(0);
  });
});
