import { join } from 'node:path';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxRepository } from '../../src/store/outbox.repository.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { FinalDelivery } from '../../src/transport/final-delivery.ts';
import type { FinalPayload } from '../../src/transport/final-payload.ts';
import { OutboxScheduler } from '../../src/transport/outbox-scheduler.ts';
import type { RenderedText } from '../../src/transport/render/rendered-text.ts';
import { TelegramClient } from '../../src/transport/telegram-client.ts';
import { FakeTelegram } from '../support/fake-telegram/fake-telegram.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { FakeClock, runUntil } from './fake-clock.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ';
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const CANCEL: InlineKeyboardMarkup = {
  inline_keyboard: [[{ text: 'cancel', callback_data: 'tentacle:cancel' }]],
};

const tempDir = useTempDir('tentacle-final-');

interface Delivered {
  rowId: number;
  messageIds: number[];
}

/** One bridge "process": its store handle, scheduler and delivery loop. */
interface Bridge {
  store: Store;
  scheduler: OutboxScheduler;
  delivery: FinalDelivery;
}

let clock: FakeClock;
let tg: FakeTelegram;
let client: TelegramClient;
let dbPath: string;
let chatId: number;
let delivered: Delivered[];
let abandoned: { rowId: number; reason: string }[];
let bridges: Bridge[];

beforeEach(async () => {
  clock = new FakeClock();
  tg = await FakeTelegram.start({ token: TOKEN, now: () => clock.now() });
  client = new TelegramClient({ token: TOKEN, apiRoot: tg.apiRoot, timeoutMs: 5_000 });
  dbPath = join(tempDir(), 'tentacle.db');
  chatId = tg.addPrivateChat(ALICE);
  delivered = [];
  abandoned = [];
  bridges = [];
});

afterEach(async () => {
  for (const bridge of bridges) await shutdown(bridge);
  await tg.stop();
});

function boot(
  options: {
    outbox?: (store: Store) => OutboxRepository<unknown>;
    abandonAfterMs?: number;
    pollMs?: number;
  } = {},
): Bridge {
  const store = openStore(dbPath);
  const scheduler = new OutboxScheduler({ client, clock });
  const delivery = new FinalDelivery({
    outbox: options.outbox ? options.outbox(store) : store.outbox,
    scheduler,
    clock,
    abandonAfterMs: options.abandonAfterMs,
    pollMs: options.pollMs,
    onDelivered: (rowId, messageIds) => delivered.push({ rowId, messageIds }),
    onAbandoned: (rowId, reason) => abandoned.push({ rowId, reason }),
  });
  delivery.start();
  const bridge = { store, scheduler, delivery };
  bridges.push(bridge);
  return bridge;
}

/** Stops a bridge as `Bridge.stop` does: the outbox closes first, so no delivery waits on it. */
async function shutdown(bridge: Bridge): Promise<void> {
  const closed = bridge.scheduler.close({ drainMs: 0 });
  const stopped = bridge.delivery.stop();
  await clock.advance(0);
  await closed;
  await stopped;
  bridge.store.close();
}

function plain(text: string): RenderedText {
  return { text, entities: [] };
}

function enqueue(bridge: Bridge, payload: FinalPayload, topicKey = `tg:${payload.chatId}`): number {
  const id = bridge.store.outbox.enqueue(
    { topicKey, chatId: payload.chatId, kind: 'final', payload },
    clock.now(),
  );
  bridge.delivery.wake();
  return id;
}

function deliveredAll(bridge: Bridge): () => boolean {
  return () => bridge.store.outbox.count() === 0 && bridge.delivery.activeCount() === 0;
}

async function progressMessage(text = 'working · codex · 3s'): Promise<number> {
  return (await client.sendMessage({ chatId, text, replyMarkup: CANCEL, disableNotification: true }))
    .message_id;
}

function botTexts(id = chatId, threadId?: number | null): (string | undefined)[] {
  return tg
    .chatLog(id, threadId)
    .filter((m) => m.fromBot)
    .map((m) => m.text);
}

describe('FinalDelivery', () => {
  it('sends the final as a reply, then deletes the progress message, then forgets the row', async () => {
    const bridge = boot();
    const prompt = tg.sendUserMessage({ chatId, from: ALICE, text: 'fix the bug' });
    const progress = await progressMessage();
    const rowId = enqueue(bridge, {
      chatId,
      replyToMessageId: prompt.message_id,
      parts: [{ text: 'done · codex · 11s\n\nfixed', entities: [{ type: 'bold', offset: 0, length: 4 }] }],
      disableNotification: false,
      progress: { messageId: progress, disposition: 'delete-after-send' },
    });
    await runUntil(clock, () => deliveredAll(bridge)() && tg.wasDeleted(chatId, progress));
    const final = tg.chatLog(chatId).find((m) => m.fromBot)!;
    expect(final).toMatchObject({ text: 'done · codex · 11s\n\nfixed', replyTo: prompt.message_id });
    expect(final.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    expect(final.replyMarkup).toBeUndefined();
    expect(delivered).toEqual([{ rowId, messageIds: [final.messageId] }]);
    const send = tg.callsOf('sendMessage').at(-1)!;
    expect(send.params.disable_notification).toBe(false);
    expect(send.seq).toBeLessThan(tg.callsOf('deleteMessage')[0]!.seq);
  });

  it('delivers exactly once through a storm of 429s, waiting each retry_after, pausing only that chat', async () => {
    const bridge = boot();
    const bob = tg.addPrivateChat({ id: 2002, first_name: 'Bob' });
    const progress = await progressMessage();
    tg.failNext('sendMessage', 4, { status: 429, retryAfter: 10 });
    enqueue(bridge, {
      chatId,
      parts: [plain('done · the answer')],
      disableNotification: false,
      progress: { messageId: progress, disposition: 'delete-after-send' },
    });
    // The progress message, then the four refused tries.
    await runUntil(clock, () => tg.callsOf('sendMessage').length >= 5);
    // While the chat waits, the progress message stays and another chat's final goes through.
    expect(tg.wasDeleted(chatId, progress)).toBe(false);
    enqueue(bridge, { chatId: bob, parts: [plain('bob’s answer')], disableNotification: false });
    await runUntil(clock, deliveredAll(bridge));
    expect(botTexts()).toEqual(['done · the answer']);
    expect(botTexts(bob)).toEqual(['bob’s answer']);
    const attempts = tg
      .callsOf('sendMessage')
      .filter((c) => c.params.chat_id === chatId && c.params.text !== undefined);
    const tries = attempts.filter((c) => c.params.text === 'done · the answer').map((c) => c.time);
    expect(tries).toHaveLength(5);
    for (let i = 1; i < tries.length; i++) expect(tries[i]! - tries[i - 1]!).toBeGreaterThanOrEqual(10_000);
    const bobSend = tg.callsOf('sendMessage').find((c) => c.params.chat_id === bob)!;
    expect(bobSend.time).toBeLessThan(tries.at(-1)!);
    await runUntil(clock, () => tg.wasDeleted(chatId, progress));
  });

  it.each([
    ['an HTML 502 from the proxy', { status: 502, html: true }],
    ['a JSON 500', { status: 500, description: 'Internal Server Error' }],
    ['a reset connection', { reset: true }],
  ] as const)('retries after %s with backoff and delivers once', async (_name, fault) => {
    const bridge = boot();
    tg.failNext('sendMessage', 3, fault);
    const rowId = enqueue(bridge, { chatId, parts: [plain('the answer')], disableNotification: false });
    await runUntil(clock, () => (bridge.store.outbox.get(rowId)?.attempts ?? 0) >= 1);
    expect(bridge.store.outbox.get(rowId)!.lastError).toMatch(/sendMessage/);
    await runUntil(clock, deliveredAll(bridge));
    expect(botTexts()).toEqual(['the answer']);
    expect(tg.callsOf('sendMessage')).toHaveLength(4);
  });

  it('sends again after a 5xx that Telegram had in fact accepted: at least once, never lost', async () => {
    const bridge = boot();
    tg.failNext('sendMessage', 1, { status: 502, html: true, applied: true });
    enqueue(bridge, { chatId, parts: [plain('the answer')], disableNotification: false });
    await runUntil(clock, deliveredAll(bridge));
    // The Bot API cannot tell whether a failed send went through; a duplicate beats a loss.
    expect(botTexts()).toEqual(['the answer', 'the answer']);
  });

  it('falls back to plain text when Telegram refuses the entities', async () => {
    const bridge = boot();
    enqueue(bridge, {
      chatId,
      parts: [{ text: 'done', entities: [{ type: 'bold', offset: 2, length: 40 }] }],
      disableNotification: false,
    });
    await runUntil(clock, deliveredAll(bridge));
    const log = tg.chatLog(chatId);
    expect(log.map((m) => m.text)).toEqual(['done']);
    expect(log[0]!.entities).toEqual([]);
    expect(log[0]!.document).toBeUndefined();
  });

  it('splits a part Telegram finds too long into messages within 4096 code points', async () => {
    const bridge = boot();
    const words = Array.from({ length: 1_500 }, (_, i) => `w${i}`).join(' ');
    const text = `done · codex\n\n${words}`;
    enqueue(bridge, {
      chatId,
      parts: [{ text, entities: [{ type: 'bold', offset: 0, length: 4 }] }],
      disableNotification: false,
    });
    await runUntil(clock, deliveredAll(bridge));
    const log = tg.chatLog(chatId);
    expect(log.length).toBeGreaterThanOrEqual(2);
    for (const m of log) expect([...m.text!].length).toBeLessThanOrEqual(4096);
    expect(
      log
        .map((m) => m.text)
        .join(' ')
        .split(/\s+/),
    ).toEqual(text.split(/\s+/));
    expect(log[0]!.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    expect(delivered[0]!.messageIds).toEqual(log.map((m) => m.messageId));
  });

  it('sends the answer as answer.md with a one-line caption when every text form is refused', async () => {
    const bridge = boot();
    const progress = await progressMessage();
    tg.failFor('sendMessage', 3_600_000, { status: 400, description: 'Bad Request: PEER_REFUSES_TEXT' });
    enqueue(bridge, {
      chatId,
      parts: [{ text: 'done · codex\n\nthe answer', entities: [{ type: 'bold', offset: 0, length: 4 }] }],
      disableNotification: false,
      progress: { messageId: progress, disposition: 'delete-after-send' },
      markdown: '# The answer\n\nwith **markdown**',
      summary: 'done · codex · 11s',
    });
    await runUntil(clock, () => deliveredAll(bridge)() && tg.wasDeleted(chatId, progress));
    const [doc] = tg.chatLog(chatId);
    expect(doc).toMatchObject({ text: 'done · codex · 11s', document: { fileName: 'answer.md' } });
    const sent = tg.callsOf('sendDocument')[0]!;
    expect(sent.status).toBe(200);
    const fileId = (doc!.message as { document: { file_id: string } }).document.file_id;
    expect(tg.file(fileId)!.bytes.toString('utf8')).toBe('# The answer\n\nwith **markdown**');
    expect(delivered[0]!.messageIds).toEqual([doc!.messageId]);
  });

  it('edits the progress message in place, dropping its keyboard, when asked to', async () => {
    const bridge = boot();
    const progress = await progressMessage();
    enqueue(bridge, {
      chatId,
      parts: [plain('error · codex · 4s\n\nboom')],
      disableNotification: true,
      progress: { messageId: progress, disposition: 'edit-in-place' },
    });
    await runUntil(clock, deliveredAll(bridge));
    const log = tg.chatLog(chatId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      messageId: progress,
      text: 'error · codex · 4s\n\nboom',
      replyMarkup: undefined,
    });
    expect(tg.callsOf('sendMessage')).toHaveLength(1);
    expect(delivered[0]!.messageIds).toEqual([progress]);
  });

  it('sends a new message when the progress message to edit in place is gone', async () => {
    const bridge = boot();
    const progress = await progressMessage();
    await client.deleteMessage(chatId, progress);
    enqueue(bridge, {
      chatId,
      parts: [plain('cancelled · codex · 4s')],
      disableNotification: true,
      progress: { messageId: progress, disposition: 'edit-in-place' },
    });
    await runUntil(clock, deliveredAll(bridge));
    const log = tg.chatLog(chatId);
    expect(log.map((m) => m.text)).toEqual(['cancelled · codex · 4s']);
    expect(delivered[0]!.messageIds).toEqual([log[0]!.messageId]);
  });

  it('edits the first part in place and sends the rest as new messages', async () => {
    const bridge = boot();
    const progress = await progressMessage();
    enqueue(bridge, {
      chatId,
      parts: [plain('part 1'), plain('part 2'), plain('part 3')],
      disableNotification: true,
      progress: { messageId: progress, disposition: 'edit-in-place' },
    });
    await runUntil(clock, deliveredAll(bridge));
    expect(botTexts()).toEqual(['part 1', 'part 2', 'part 3']);
    expect(delivered[0]!.messageIds[0]).toBe(progress);
  });

  it('keeps the progress message but clears its keyboard when told to keep it', async () => {
    const bridge = boot();
    const progress = await progressMessage();
    enqueue(bridge, {
      chatId,
      parts: [plain('interrupted')],
      disableNotification: true,
      progress: { messageId: progress, disposition: 'keep', clearKeyboard: true },
    });
    await runUntil(clock, () => deliveredAll(bridge)() && tg.callsOf('editMessageReplyMarkup').length === 1);
    await runUntil(clock, () => tg.chatLog(chatId)[0]!.replyMarkup === undefined);
    expect(botTexts()).toEqual(['working · codex · 3s', 'interrupted']);
  });

  it('sends to the chat without the thread when the topic is gone, and without reply when its target is', async () => {
    const bridge = boot();
    const forum = tg.addGroup({ title: 'forum', forum: true, members: [{ user: ALICE, status: 'creator' }] });
    const topic = tg.addForumTopic(forum, 'work', { silent: true });
    const prompt = tg.sendUserMessage({ chatId: forum, from: ALICE, threadId: topic, text: 'go' });
    tg.deleteTopic(forum, topic);
    enqueue(
      bridge,
      {
        chatId: forum,
        threadId: topic,
        replyToMessageId: prompt.message_id,
        parts: [plain('answer')],
        disableNotification: false,
      },
      `tg:${forum}:${topic}`,
    );
    await runUntil(clock, deliveredAll(bridge));
    expect(botTexts(forum, null)).toEqual(['answer']);
  });

  it('keeps the order of rows within one topic even when the first one has to wait', async () => {
    const bridge = boot();
    tg.failNext('sendMessage', 1, { status: 502, html: true });
    enqueue(bridge, { chatId, parts: [plain('first')], disableNotification: false });
    enqueue(bridge, { chatId, parts: [plain('second')], disableNotification: false });
    await runUntil(clock, deliveredAll(bridge));
    expect(botTexts()).toEqual(['first', 'second']);
  });

  it('gives up on a row whose payload can never be sent, and says so', async () => {
    const bridge = boot();
    const rowId = bridge.store.outbox.enqueue({
      topicKey: 'tg:1',
      chatId,
      kind: 'final',
      payload: { parts: [] },
    });
    bridge.delivery.wake();
    await runUntil(clock, deliveredAll(bridge));
    expect(abandoned.map((a) => a.rowId)).toEqual([rowId]);
    expect(abandoned[0]!.reason).toMatch(/invalid payload/);
    expect(tg.callsOf('sendMessage')).toHaveLength(0);
  });

  it('keeps trying a chat that blocked the bot, rarely, and drops the row after the give-up time', async () => {
    const bridge = boot({ abandonAfterMs: 3_600_000, pollMs: 600_000 });
    tg.setBlocked(ALICE.id);
    const rowId = enqueue(bridge, { chatId, parts: [plain('answer')], disableNotification: false });
    await runUntil(clock, () => (bridge.store.outbox.get(rowId)?.attempts ?? 0) >= 2);
    expect(bridge.store.outbox.get(rowId)!.lastError).toMatch(/403: Forbidden: bot was blocked by the user/);
    await runUntil(clock, () => abandoned.length === 1);
    expect(bridge.store.outbox.count()).toBe(0);
    expect(delivered).toEqual([]);
  });
});

describe('FinalDelivery settling the progress message', () => {
  async function finalWithProgress(bridge: Bridge): Promise<{ rowId: number; progress: number }> {
    const progress = await progressMessage();
    const rowId = enqueue(bridge, {
      chatId,
      parts: [plain('the answer')],
      disableNotification: false,
      progress: { messageId: progress, disposition: 'delete-after-send' },
    });
    return { rowId, progress };
  }

  it.each([
    ['502s', { status: 502 }],
    ['reset connections', { reset: true }],
  ] as const)(
    'keeps the row when deleting the progress message fails past the outbox retries (%s), then deletes it',
    async (_name, fault) => {
      const bridge = boot();
      // The outbox's own three calls, then one more: the row's second try deletes it.
      tg.failNext('deleteMessage', 4, fault);
      const { rowId, progress } = await finalWithProgress(bridge);
      await runUntil(clock, () => (bridge.store.outbox.get(rowId)?.attempts ?? 0) >= 1);
      expect(bridge.store.outbox.get(rowId)!.lastError).toMatch(/deleteMessage/);
      await runUntil(clock, () => deliveredAll(bridge)() && tg.wasDeleted(chatId, progress));
      expect(botTexts()).toEqual(['the answer']);
      expect(delivered).toHaveLength(1);
    },
  );

  it('waits out a 429 on the progress deletion, then deletes it', async () => {
    const bridge = boot();
    tg.failNext('deleteMessage', 1, { status: 429, retryAfter: 30 });
    const { progress } = await finalWithProgress(bridge);
    await runUntil(clock, () => deliveredAll(bridge)() && tg.wasDeleted(chatId, progress));
    const [refused, accepted] = tg.callsOf('deleteMessage');
    expect(accepted!.time - refused!.time).toBeGreaterThanOrEqual(30_000);
    expect(botTexts()).toEqual(['the answer']);
  });

  it('gives up on a progress message Telegram keeps refusing to delete, and forgets the row', async () => {
    const bridge = boot();
    tg.failFor('deleteMessage', 3_600_000, { status: 502 });
    const { progress } = await finalWithProgress(bridge);
    await runUntil(clock, deliveredAll(bridge));
    expect(tg.wasDeleted(chatId, progress)).toBe(false);
    // Four tries of the row, each with the outbox's three calls.
    expect(tg.callsOf('deleteMessage')).toHaveLength(12);
    expect(botTexts()).toEqual(['working · codex · 3s', 'the answer']);
  });

  it('leaves a deletion held by a 429 to the next run when the bridge stops, without sending twice', async () => {
    const first = boot();
    tg.failNext('deleteMessage', 1, { status: 429, retryAfter: 600 });
    const { rowId, progress } = await finalWithProgress(first);
    await runUntil(clock, () => tg.callsOf('deleteMessage').length === 1);
    expect(botTexts()).toEqual(['working · codex · 3s', 'the answer']);
    await shutdown(first);
    const second = boot();
    expect(second.store.outbox.get(rowId)?.payload).toMatchObject({ delivery: { partsDone: 1 } });
    await runUntil(clock, () => deliveredAll(second)() && tg.wasDeleted(chatId, progress));
    expect(botTexts()).toEqual(['the answer']);
  });
});

describe('FinalDelivery when its surroundings fail', () => {
  const realPause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('holds a row back instead of resending in a loop when its failure cannot be recorded', async () => {
    const bridge = boot({
      outbox: (store) =>
        new Proxy(store.outbox, {
          get(target, prop) {
            if (prop === 'recordFailure') {
              return () => {
                throw new Error('disk full');
              };
            }
            const value = Reflect.get(target, prop) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    });
    tg.failFor('sendMessage', 3_600_000, { status: 502, html: true });
    enqueue(bridge, { chatId, parts: [plain('answer')], disableNotification: false });
    await realPause(200);
    expect(tg.callsOf('sendMessage')).toHaveLength(1);
    tg.clearFaults();
    await runUntil(clock, deliveredAll(bridge));
    expect(botTexts()).toEqual(['answer']);
  });

  it('pauses without spinning when the outbox scheduler has closed, leaving the row for the next run', async () => {
    const bridge = boot();
    await bridge.scheduler.close({ drainMs: 0 });
    enqueue(bridge, { chatId, parts: [plain('answer')], disableNotification: false });
    await realPause(200);
    await clock.advance(60_000);
    expect(tg.callsOf('sendMessage')).toHaveLength(0);
    expect(bridge.store.outbox.count()).toBe(1);
    expect(bridge.delivery.activeCount()).toBe(0);
  });
});

describe('FinalDelivery across a crash', () => {
  /**
   * A bridge process dies at a chosen store write: the database handle closes under it and the
   * write fails, so nothing after that point happens in this process.
   */
  function crashingAt(at: CrashPoint) {
    return (store: Store): OutboxRepository<unknown> => {
      let calls = 0;
      return new Proxy(store.outbox, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          const method = (value as (...a: unknown[]) => unknown).bind(target);
          if (prop !== at.method) return method;
          return (...args: unknown[]) => {
            if (++calls !== at.call) return method(...args);
            if (at.committed) method(...args);
            store.close();
            throw new Error('simulated crash');
          };
        },
      });
    };
  }

  interface CrashPoint {
    method: 'updatePayload' | 'delete';
    call: number;
    committed: boolean;
  }

  it.each([
    ['after part 1 was recorded', { method: 'updatePayload', call: 1, committed: true }, true],
    ['after part 2 was recorded', { method: 'updatePayload', call: 2, committed: true }, true],
    ['after every part was recorded', { method: 'updatePayload', call: 3, committed: true }, true],
    ['before the delivered row was deleted', { method: 'delete', call: 1, committed: false }, true],
    ['after the progress message was settled', { method: 'updatePayload', call: 4, committed: true }, true],
    // The progress message is settled before the row goes, so nothing stays frozen at "working".
    ['after the delivered row was deleted', { method: 'delete', call: 1, committed: true }, true],
  ] as const)(
    'delivers every part exactly once when the bridge dies %s',
    async (_name, at, progressDeleted) => {
      const first = boot({ outbox: crashingAt(at) });
      const progress = await progressMessage();
      enqueue(first, {
        chatId,
        parts: [plain('part 1/3'), plain('part 2/3'), plain('part 3/3')],
        disableNotification: false,
        progress: { messageId: progress, disposition: 'delete-after-send' },
      });
      enqueue(first, { chatId, parts: [plain('next final')], disableNotification: false });
      await runUntil(clock, () => !first.store.db.open);
      await shutdown(first);

      const second = boot();
      await runUntil(clock, () => deliveredAll(second)() && botTexts().includes('next final'));
      await runUntil(clock, () => tg.wasDeleted(chatId, progress) === progressDeleted);
      const answer = ['part 1/3', 'part 2/3', 'part 3/3', 'next final'];
      expect(botTexts()).toEqual(progressDeleted ? answer : ['working · codex · 3s', ...answer]);
    },
  );
});
