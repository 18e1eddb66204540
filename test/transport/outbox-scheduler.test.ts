import type { InlineKeyboardMarkup } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import {
  type EditResult,
  OutboxClosedError,
  OutboxScheduler,
  OutboxWithdrawnError,
} from '../../src/transport/outbox-scheduler.ts';
import { FakeClock } from './fake-clock.ts';
import {
  badRequest,
  networkDown,
  StubOutboxClient,
  serverError,
  tooManyRequests,
} from './stub-outbox-client.ts';

const CHAT = 1001;
const GROUP = -1001234567890;
const CANCEL: InlineKeyboardMarkup = {
  inline_keyboard: [[{ text: 'cancel', callback_data: 'tentacle:cancel' }]],
};
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

function setup(latencyMs = 0) {
  const clock = new FakeClock();
  const client = new StubOutboxClient(clock, latencyMs);
  const outbox = new OutboxScheduler({ client, clock });
  return { clock, client, outbox };
}

describe('OutboxScheduler', () => {
  it('coalesces ten renders queued for one message into one edit carrying the newest text', async () => {
    const { clock, client, outbox } = setup();
    const placeholder = await outbox.send({ chatId: CHAT, text: 'starting', replyMarkup: CANCEL });
    const results = Array.from({ length: 10 }, (_, i) =>
      outbox.edit({
        chatId: CHAT,
        messageId: placeholder.message_id,
        text: `working ${i + 1}`,
        replyMarkup: CANCEL,
      }),
    );
    await clock.until(() => outbox.pendingCount() === 0);
    const edits = client.callsOf('editMessageText');
    expect(edits).toHaveLength(1);
    expect(edits[0]!.payload.text).toBe('working 10');
    const statuses = (await Promise.all(results)).map((r) => r.status);
    expect(statuses).toEqual([...Array(9).fill('superseded'), 'edited']);
  });

  it('keeps the queue position of the first render when a newer one replaces it', async () => {
    const { clock, client, outbox } = setup();
    await outbox.send({ chatId: GROUP, text: 'busy' });
    void outbox.edit({ chatId: GROUP, messageId: 1, text: 'one v1' });
    void outbox.edit({ chatId: GROUP, messageId: 2, text: 'two v1' });
    void outbox.edit({ chatId: GROUP, messageId: 1, text: 'one v2' });
    await clock.until(() => client.callsOf('editMessageText').length === 2, { stepMs: 500 });
    expect(client.callsOf('editMessageText').map((c) => c.payload.text)).toEqual(['one v2', 'two v1']);
  });

  it('runs finals, then sends, then deletes, then edits, oldest first within each', async () => {
    const { clock, client, outbox } = setup(50);
    // The chat is busy with this send while the rest queue up.
    const first = outbox.send({ chatId: GROUP, text: 'first' });
    void outbox.edit({ chatId: GROUP, messageId: 7, text: 'edit' });
    void outbox.delete({ chatId: GROUP, messageId: 8 });
    void outbox.send({ chatId: GROUP, text: 'reply' });
    void outbox.run({ chatId: GROUP, priority: 'final', label: 'final' }, (client) =>
      client.sendMessage({ chatId: GROUP, text: 'final answer' }),
    );
    void outbox.send({ chatId: GROUP, text: 'second reply' });
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 500 });
    await first;
    expect(client.calls.map((c) => c.payload.text ?? `${c.method} ${c.payload.messageId}`)).toEqual([
      'first',
      'final answer',
      'reply',
      'second reply',
      'deleteMessage 8',
      'edit',
    ]);
  });

  it('drops pending edits of a message that is deleted, and refuses later ones', async () => {
    const { clock, client, outbox } = setup();
    await outbox.send({ chatId: GROUP, text: 'busy' });
    const edit = outbox.edit({ chatId: GROUP, messageId: 42, text: 'working' });
    const deleted = outbox.delete({ chatId: GROUP, messageId: 42 });
    const late = outbox.edit({ chatId: GROUP, messageId: 42, text: 'too late' });
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 500 });
    expect(await edit).toEqual({ status: 'dropped' });
    expect(await late).toEqual({ status: 'dropped' });
    expect(await deleted).toBe(true);
    expect(client.callsOf('editMessageText')).toHaveLength(0);
    expect(client.callsOf('deleteMessage')).toHaveLength(1);
  });

  it("counts 'message is not modified' as success and skips that content next time", async () => {
    const { clock, client, outbox } = setup();
    client.failNext('editMessageText', 1, badRequest(NOT_MODIFIED));
    const first = outbox.edit({ chatId: CHAT, messageId: 5, text: 'same', replyMarkup: CANCEL });
    await clock.until(() => outbox.pendingCount() === 0);
    expect(await first).toEqual({ status: 'edited' });
    const again = await outbox.edit({ chatId: CHAT, messageId: 5, text: 'same', replyMarkup: CANCEL });
    expect(again).toEqual({ status: 'unchanged' });
    expect(client.callsOf('editMessageText')).toHaveLength(1);
  });

  it('skips an edit identical to what Telegram last accepted, the sent text included', async () => {
    const { clock, client, outbox } = setup();
    const sent = await outbox.send({ chatId: CHAT, text: 'starting', replyMarkup: CANCEL });
    const id = sent.message_id;
    expect(await outbox.edit({ chatId: CHAT, messageId: id, text: 'starting', replyMarkup: CANCEL })).toEqual(
      {
        status: 'unchanged',
      },
    );
    const changed = outbox.edit({ chatId: CHAT, messageId: id, text: 'working', replyMarkup: CANCEL });
    await clock.until(() => outbox.pendingCount() === 0);
    expect(await changed).toEqual({ status: 'edited' });
    expect(await outbox.edit({ chatId: CHAT, messageId: id, text: 'working', replyMarkup: CANCEL })).toEqual({
      status: 'unchanged',
    });
    expect(client.callsOf('editMessageText').map((c) => c.payload.text)).toEqual(['working']);
  });

  it('sends the keyboard with every edit, and treats an edit without it as a change', async () => {
    const { clock, client, outbox } = setup();
    const sent = await outbox.send({ chatId: CHAT, text: 'starting', replyMarkup: CANCEL });
    for (const text of ['working 1', 'working 2', 'working 3']) {
      void outbox.edit({ chatId: CHAT, messageId: sent.message_id, text, replyMarkup: CANCEL });
      await clock.until(() => outbox.pendingCount() === 0);
    }
    // Same text without the keyboard would remove the button: it is a real change, not skipped.
    const bare = outbox.edit({ chatId: CHAT, messageId: sent.message_id, text: 'working 3' });
    await clock.until(() => outbox.pendingCount() === 0);
    expect((await bare).status).toBe('edited');
    const edits = client.callsOf('editMessageText');
    expect(edits.map((c) => c.payload.replyMarkup)).toEqual([CANCEL, CANCEL, CANCEL, undefined]);
  });

  it('passes the caller’s disable_notification on sends', async () => {
    const { clock, client, outbox } = setup();
    void outbox.send({ chatId: CHAT, text: 'quiet', disableNotification: true });
    void outbox.send({ chatId: CHAT, text: 'loud', disableNotification: false });
    await clock.until(() => outbox.pendingCount() === 0);
    expect(client.callsOf('sendMessage').map((c) => c.payload.disableNotification)).toEqual([true, false]);
  });

  it.each([
    ['a 5xx', serverError],
    ['a network failure', networkDown],
  ])('retries an edit after %s with growing backoff, a bounded number of times', async (_name, failure) => {
    const { clock, client, outbox } = setup();
    client.failNext('editMessageText', 10, failure);
    const start = clock.now();
    const result = outbox.edit({ chatId: CHAT, messageId: 9, text: 'working' });
    await clock.until(() => outbox.pendingCount() === 0);
    expect((await result).status).toBe('failed');
    const times = client.callsOf('editMessageText').map((c) => c.at - start);
    // Each retry waits its backoff (1 s, 2 s, 4 s), plus at most the chat budget's safety margin.
    const backoff = [0, 1_000, 3_000, 7_000];
    expect(times).toHaveLength(backoff.length);
    for (const [i, t] of times.entries()) {
      expect(t - backoff[i]!).toBeGreaterThanOrEqual(0);
      expect(t - backoff[i]!).toBeLessThanOrEqual(100);
    }
  });

  it('retries a send after a 5xx and resolves with the message once it goes through', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('sendMessage', 2, serverError);
    const sent = outbox.send({ chatId: CHAT, text: 'hello' });
    await clock.until(() => outbox.pendingCount() === 0);
    expect((await sent).text).toBe('hello');
    expect(client.callsOf('sendMessage')).toHaveLength(3);
  });

  it('never sends what its caller withdrew while it waited for budget, and the chat goes on', async () => {
    const { clock, client, outbox } = setup(50);
    void outbox.send({ chatId: CHAT, text: 'busy' });
    const withdraw = new AbortController();
    const starting = outbox.send({ chatId: CHAT, text: 'starting' }, { withdraw: withdraw.signal });
    const outcome = starting.catch((err: unknown) => err);
    void outbox.send({ chatId: CHAT, text: 'after' });
    withdraw.abort();
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 100 });
    expect(await outcome).toBeInstanceOf(OutboxWithdrawnError);
    expect(client.callsOf('sendMessage').map((c) => c.payload.text)).toEqual(['busy', 'after']);
  });

  it('does not send again a withdrawn message whose first try failed on its way', async () => {
    const { clock, client, outbox } = setup(50);
    client.failNext('sendMessage', 1, serverError);
    const withdraw = new AbortController();
    const outcome = outbox
      .send({ chatId: CHAT, text: 'starting' }, { withdraw: withdraw.signal })
      .catch((err: unknown) => err);
    await clock.until(() => client.callsOf('sendMessage').length === 1, { stepMs: 10 });
    withdraw.abort();
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 100 });
    expect(await outcome).toBeInstanceOf(OutboxWithdrawnError);
    expect(client.callsOf('sendMessage')).toHaveLength(1);
  });

  it('rejects a send with the Telegram error once its attempts are spent', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('sendMessage', 10, serverError);
    const sent = outbox.send({ chatId: CHAT, text: 'hello' });
    const outcome = sent.catch((err: unknown) => err);
    await clock.until(() => outbox.pendingCount() === 0);
    expect(await outcome).toMatchObject({ name: 'TelegramApiError', method: 'sendMessage', errorCode: 502 });
    expect(client.callsOf('sendMessage')).toHaveLength(3);
  });

  it('does not retry a stale edit when a newer render is waiting: only the newer one goes out', async () => {
    const { clock, client, outbox } = setup(200);
    client.failNext('editMessageText', 1, serverError);
    const stale = outbox.edit({ chatId: CHAT, messageId: 3, text: 'v1' });
    await clock.advance(10);
    const fresh = outbox.edit({ chatId: CHAT, messageId: 3, text: 'v2' });
    await clock.until(() => outbox.pendingCount() === 0);
    expect(await stale).toEqual({ status: 'superseded' });
    expect(await fresh).toEqual({ status: 'edited' });
    expect(client.callsOf('editMessageText').map((c) => c.payload.text)).toEqual(['v1', 'v2']);
  });

  it('waits out a 429 on an edit and then sends it, without counting it as an attempt', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('editMessageText', 5, tooManyRequests(7));
    const start = clock.now();
    const result = outbox.edit({ chatId: CHAT, messageId: 3, text: 'working' });
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 1_000 });
    expect(await result).toEqual({ status: 'edited' });
    const times = client.callsOf('editMessageText').map((c) => c.at - start);
    expect(times).toEqual([0, 7_000, 14_000, 21_000, 28_000, 35_000]);
  });

  it('reports an edit of a message that no longer exists as gone, without retrying', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('editMessageText', 1, badRequest('message to edit not found'));
    const result = outbox.edit({ chatId: CHAT, messageId: 3, text: 'working' });
    await clock.until(() => outbox.pendingCount() === 0);
    expect((await result).status).toBe('gone');
    expect(client.callsOf('editMessageText')).toHaveLength(1);
  });

  it('treats a delete of a message already gone as done', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('deleteMessage', 1, badRequest('message to delete not found'));
    const result = outbox.delete({ chatId: CHAT, messageId: 3 });
    await clock.until(() => outbox.pendingCount() === 0);
    expect(await result).toBe(true);
  });

  it('replaces a message: the old one’s pending edits are dropped and it is deleted after the send succeeds', async () => {
    const { clock, client, outbox } = setup();
    await outbox.send({ chatId: GROUP, text: 'busy' });
    const edit = outbox.edit({ chatId: GROUP, messageId: 77, text: 'queued edit' });
    const sent = outbox.send({ chatId: GROUP, text: 'starting', replaceMessageId: 77 });
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 500 });
    expect(await edit).toEqual({ status: 'dropped' });
    expect((await sent).text).toBe('starting');
    expect(client.calls.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage', 'deleteMessage']);
    expect(client.callsOf('deleteMessage')[0]!.payload.messageId).toBe(77);
  });

  it('keeps the old message when the replacing send fails', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('sendMessage', 1, badRequest('chat not found'));
    const sent = outbox
      .send({ chatId: GROUP, text: 'starting', replaceMessageId: 77 })
      .catch((e: unknown) => e);
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 500 });
    expect(await sent).toMatchObject({ name: 'TelegramApiError' });
    expect(client.callsOf('deleteMessage')).toHaveLength(0);
  });

  it('runs one call at a time per chat and chats in parallel', async () => {
    const { clock, client, outbox } = setup(500);
    void outbox.send({ chatId: 1, text: 'a1' });
    void outbox.send({ chatId: 1, text: 'a2' });
    void outbox.send({ chatId: 2, text: 'b1' });
    await clock.advance(100);
    expect(client.calls.map((c) => c.payload.text)).toEqual(['a1', 'b1']);
    await clock.until(() => outbox.pendingCount() === 0);
    expect(client.calls.map((c) => c.payload.text)).toEqual(['a1', 'b1', 'a2']);
  });

  it('drains queued work on close, then refuses new work', async () => {
    const { clock, client, outbox } = setup();
    const sends = [outbox.send({ chatId: CHAT, text: 'a' }), outbox.send({ chatId: CHAT, text: 'b' })];
    void outbox.send({ chatId: CHAT, text: 'c' });
    void outbox.send({ chatId: CHAT, text: 'd' });
    const closed = outbox.close({ drainMs: 10_000 });
    await clock.until(() => outbox.pendingCount() === 0);
    await closed;
    await Promise.all(sends);
    expect(client.callsOf('sendMessage')).toHaveLength(4);
    await expect(outbox.send({ chatId: CHAT, text: 'late' })).rejects.toBeInstanceOf(OutboxClosedError);
    expect(await outbox.edit({ chatId: CHAT, messageId: 1, text: 'late' })).toEqual({ status: 'dropped' });
  });

  it('abandons what the drain time did not cover: sends reject, edits are dropped', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('sendMessage', 1, tooManyRequests(120));
    const send = outbox.send({ chatId: GROUP, text: 'held by a 429' }).catch((e: unknown) => e);
    const edit = outbox.edit({ chatId: GROUP, messageId: 4, text: 'held too' });
    await clock.advance(10);
    const closed = outbox.close({ drainMs: 2_000 });
    await clock.advance(2_000);
    await closed;
    expect(await send).toBeInstanceOf(OutboxClosedError);
    expect((await edit) as EditResult).toEqual({ status: 'dropped' });
    expect(client.calls).toHaveLength(1);
  });
});
