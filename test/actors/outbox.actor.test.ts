import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import { createOutboxActor, type OutboxActorEvent } from '../../src/actors/outbox.actor.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import type { FinalPayload } from '../../src/transport/final-payload.ts';
import { OutboxScheduler } from '../../src/transport/outbox-scheduler.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { FakeClock } from '../transport/fake-clock.ts';
import { StubOutboxClient } from '../transport/stub-outbox-client.ts';

const tempDir = useTempDir('tentacle-outbox-actor-');
const CHAT = 1001;
let stores: Store[] = [];

afterEach(() => {
  for (const store of stores) store.close();
  stores = [];
});

function payload(text: string): FinalPayload {
  return { chatId: CHAT, parts: [{ text, entities: [] }], disableNotification: false };
}

function world() {
  const store = openStore(join(tempDir(), 'tentacle.db'));
  stores.push(store);
  const clock = new FakeClock();
  const client = new StubOutboxClient(clock);
  const scheduler = new OutboxScheduler({ client, clock });
  const parent = setup({
    types: {
      context: {} as { reports: OutboxActorEvent[] },
      events: {} as OutboxActorEvent | { type: 'WAKE' },
    },
    actors: { outbox: createOutboxActor({ outbox: store.outbox, scheduler, clock }) },
  }).createMachine({
    context: { reports: [] },
    invoke: { src: 'outbox', id: 'outbox' },
    on: {
      'OUTBOX.DELIVERED': {
        actions: assign({ reports: ({ context, event }) => [...context.reports, event] }),
      },
      'OUTBOX.ABANDONED': {
        actions: assign({ reports: ({ context, event }) => [...context.reports, event] }),
      },
      WAKE: { actions: ({ self }) => self.getSnapshot().children.outbox?.send({ type: 'OUTBOX.WAKE' }) },
    },
  });
  return { store, clock, client, parent };
}

describe('outbox actor', () => {
  it('delivers rows left from before it started and reports each one to its parent', async () => {
    const { store, clock, client, parent } = world();
    const rowId = store.outbox.enqueue({
      topicKey: 'tg:1001',
      chatId: CHAT,
      kind: 'final',
      payload: payload('left over'),
    });
    const actor = createActor(parent).start();
    await clock.until(() => actor.getSnapshot().context.reports.length === 1);
    expect(actor.getSnapshot().context.reports).toEqual([
      { type: 'OUTBOX.DELIVERED', rowId, topicKey: 'tg:1001', kind: 'final', messageIds: [100] },
    ]);
    expect(client.callsOf('sendMessage').map((c) => c.payload.text)).toEqual(['left over']);
    expect(store.outbox.count()).toBe(0);
    actor.stop();
  });

  it('looks for new rows when woken', async () => {
    const { store, clock, client, parent } = world();
    const actor = createActor(parent).start();
    await clock.advance(10);
    store.outbox.enqueue({ topicKey: 'tg:1001', chatId: CHAT, kind: 'error', payload: payload('new row') });
    actor.send({ type: 'WAKE' });
    await clock.advance(10);
    expect(client.callsOf('sendMessage').map((c) => c.payload.text)).toEqual(['new row']);
    expect(actor.getSnapshot().context.reports.map((r) => r.kind)).toEqual(['error']);
    actor.stop();
  });

  it('reports a row it had to give up', async () => {
    const { store, clock, parent } = world();
    const rowId = store.outbox.enqueue({
      topicKey: 'tg:1001',
      chatId: CHAT,
      kind: 'final',
      payload: { nope: true },
    });
    const actor = createActor(parent).start();
    await clock.until(() => actor.getSnapshot().context.reports.length === 1);
    expect(actor.getSnapshot().context.reports[0]).toMatchObject({ type: 'OUTBOX.ABANDONED', rowId });
    actor.stop();
  });

  it('stops delivering once stopped', async () => {
    const { store, clock, client, parent } = world();
    const actor = createActor(parent).start();
    await clock.advance(10);
    actor.stop();
    store.outbox.enqueue({
      topicKey: 'tg:1001',
      chatId: CHAT,
      kind: 'final',
      payload: payload('after stop'),
    });
    await clock.advance(60_000);
    expect(client.calls).toHaveLength(0);
    expect(store.outbox.count()).toBe(1);
  });
});
