import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
let tg: FakeTelegram;
let chatId: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: '123456:TEST-token', firstUpdateId: 500 });
  chatId = tg.addPrivateChat(alice);
});
afterEach(async () => {
  await tg.stop();
});

const say = (text: string) => tg.sendUserMessage({ chatId, from: alice, text });
const ids = (body: { result: { update_id: number }[] }) => body.result.map((u) => u.update_id);

describe('getUpdates long polling', () => {
  it('delivers updates with increasing ids and redelivers them until an offset confirms them', async () => {
    say('one');
    say('two');
    const first = await callApi(tg, 'getUpdates', {});
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual([500, 501]);
    expect(first.body.result[0].message.text).toBe('one');

    const again = await callApi(tg, 'getUpdates', {});
    expect(ids(again.body)).toEqual([500, 501]);

    const confirmed = await callApi(tg, 'getUpdates', { offset: 501 });
    expect(ids(confirmed.body)).toEqual([501]);
    expect(tg.confirmedOffset()).toBe(501);

    const empty = await callApi(tg, 'getUpdates', { offset: 502 });
    expect(empty.body).toEqual({ ok: true, result: [] });
    expect(tg.pendingUpdates()).toEqual([]);
    expect(tg.confirmedOffset()).toBe(502);
  });

  it('honours limit and a negative offset that keeps only the last N updates', async () => {
    for (const t of ['a', 'b', 'c', 'd']) say(t);
    expect(ids((await callApi(tg, 'getUpdates', { limit: 2 })).body)).toEqual([500, 501]);
    expect(ids((await callApi(tg, 'getUpdates', { offset: -1 })).body)).toEqual([503]);
    expect(tg.pendingUpdates().map((u) => u.update_id)).toEqual([503]);
  });

  it('holds the request open until an update arrives', async () => {
    const poll = callApi(tg, 'getUpdates', { timeout: 20 });
    const call = await tg.waitForCall('getUpdates', undefined, { timeoutMs: 300 }).catch(() => undefined);
    expect(call).toBeUndefined(); // still held: waitForCall only sees completed calls
    expect(tg.callsOf('getUpdates')[0]?.done).toBe(false);
    say('wake up');
    const res = await poll;
    expect(res.body.result.map((u: { message: { text: string } }) => u.message.text)).toEqual(['wake up']);
  });

  it('answers an empty list when the timeout passes with nothing to deliver', async () => {
    const res = await callApi(tg, 'getUpdates', { timeout: 1 });
    expect(res.body).toEqual({ ok: true, result: [] });
  });

  it('caps the timeout at the server maximum', async () => {
    await tg.stop();
    tg = await FakeTelegram.start({ token: '123456:TEST-token', limits: { pollTimeoutMaxSeconds: 1 } });
    const res = await callApi(tg, 'getUpdates', { timeout: 600 });
    expect(res.body).toEqual({ ok: true, result: [] });
  });

  it('fails the earlier poll with 409 when a second one arrives', async () => {
    const earlier = callApi(tg, 'getUpdates', { timeout: 20 });
    await tg.waitFor(() => tg.callsOf('getUpdates').length === 1);
    const later = callApi(tg, 'getUpdates', { timeout: 20 });
    const first = await earlier;
    expect(first.status).toBe(409);
    expect(first.body).toEqual({
      ok: false,
      error_code: 409,
      description:
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
    say('for the survivor');
    expect((await later).body.result).toHaveLength(1);
  });

  it('refuses getUpdates while a webhook is set, until deleteWebhook', async () => {
    tg.setWebhook('https://example.com/hook');
    const res = await callApi(tg, 'getUpdates', {});
    expect(res.status).toBe(409);
    expect(res.body.description).toBe(
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
    expect((await callApi(tg, 'deleteWebhook', {})).body).toEqual({ ok: true, result: true });
    expect((await callApi(tg, 'getUpdates', {})).status).toBe(200);
  });

  it('drops pending updates when deleteWebhook asks to', async () => {
    say('stale');
    await callApi(tg, 'deleteWebhook', { drop_pending_updates: true });
    expect(tg.pendingUpdates()).toEqual([]);
    expect((await callApi(tg, 'getUpdates', {})).body.result).toEqual([]);
  });

  it('keeps allowed_updates across calls and filters when an update is queued', async () => {
    const sent = tg.sendUserMessage({
      chatId,
      from: alice,
      text: 'pick',
    });
    await callApi(tg, 'getUpdates', { offset: 501, allowed_updates: ['callback_query'] });
    // A message arriving now is never queued; the setting persists without being sent again.
    say('ignored');
    await callApi(tg, 'getUpdates', { offset: 501 });
    expect(tg.droppedUpdates().map((u) => u.message?.text)).toEqual(['ignored']);
    expect(tg.pendingUpdates()).toEqual([]);
    expect(sent.text).toBe('pick');

    await callApi(tg, 'getUpdates', { allowed_updates: [] });
    say('default set again');
    expect(ids((await callApi(tg, 'getUpdates', {})).body)).toHaveLength(1);
  });

  it('leaves chat_member and reactions out of the default set', async () => {
    tg.injectRawUpdate({ message_reaction: { chat: { id: chatId, type: 'private' }, message_id: 1 } });
    say('kept');
    const res = await callApi(tg, 'getUpdates', {});
    const types = res.body.result.map((u: Record<string, unknown>) =>
      Object.keys(u).filter((k) => k !== 'update_id'),
    );
    expect(types).toEqual([['message']]);
    expect(tg.droppedUpdates().map((u) => Object.keys(u)[1])).toEqual(['message_reaction']);
  });

  it('still delivers updates whose ids jumped lower when the client sends a stale, higher offset', async () => {
    say('before the jump');
    await callApi(tg, 'getUpdates', { offset: 501 });
    tg.setNextUpdateId(7);
    say('after the jump');
    const res = await callApi(tg, 'getUpdates', { offset: 501 });
    expect(ids(res.body)).toEqual([7]);
    await callApi(tg, 'getUpdates', { offset: 8 });
    expect(tg.pendingUpdates()).toEqual([]);
  });

  it('delivers an injected duplicate update twice', async () => {
    const first = tg.injectRawUpdate({
      update_id: 900,
      message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } },
    });
    tg.injectRawUpdate({ ...first });
    const res = await callApi(tg, 'getUpdates', {});
    expect(ids(res.body)).toEqual([900, 900]);
  });

  it('answers a held poll with no updates when the server stops', async () => {
    const poll = callApi(tg, 'getUpdates', { timeout: 30 });
    await tg.waitFor(() => tg.callsOf('getUpdates').length === 1);
    await tg.stop();
    expect((await poll).body).toEqual({ ok: true, result: [] });
  });

  it('forgets a held poll whose client went away, so the next poll is not refused', async () => {
    const controller = new AbortController();
    const gone = fetch(`${tg.apiRoot}/bot${tg.token}/getUpdates?timeout=30`, {
      signal: controller.signal,
    }).catch(() => 'aborted');
    await tg.waitFor(() => tg.callsOf('getUpdates').length === 1);
    controller.abort();
    expect(await gone).toBe('aborted');
    say('after reconnect');
    const res = await callApi(tg, 'getUpdates', { timeout: 5 });
    expect(res.status).toBe(200);
    expect(res.body.result).toHaveLength(1);
  });
});
