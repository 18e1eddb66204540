import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice' };
const bob = { id: 1002, first_name: 'Bob' };
let tg: FakeTelegram;
let now: number;

beforeEach(async () => {
  now = 1_800_000_000_000;
  tg = await FakeTelegram.start({ token: '123456:TEST-token', now: () => now });
});
afterEach(async () => {
  await tg.stop();
});

const send = (chatId: number, params: Record<string, unknown> = {}) =>
  callApi(tg, 'sendMessage', { chat_id: chatId, text: 'x', ...params });

describe('rate limits', () => {
  it('are off by default', async () => {
    const dm = tg.addPrivateChat(alice);
    for (let i = 0; i < 5; i++) expect((await send(dm)).status).toBe(200);
    expect(tg.tooManyRequestsCount()).toBe(0);
  });

  it('refuse a second message to a private chat within a second with 429 and retry_after', async () => {
    tg.setRateLimits(true);
    const dm = tg.addPrivateChat(alice);
    expect((await send(dm)).status).toBe(200);
    now += 200;
    const res = await send(dm);
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    expect(tg.tooManyRequestsCount(dm)).toBe(1);
    now += 1000;
    expect((await send(dm)).status).toBe(200);
  });

  it('count sends and edits together against a group budget shared by all forum topics', async () => {
    tg.setRateLimits({ group: { limit: 3, windowMs: 60_000 } });
    const forum = tg.addGroup({ title: 'f', forum: true, members: [{ user: alice, status: 'creator' }] });
    const t1 = tg.addForumTopic(forum, 'one', { silent: true });
    const t2 = tg.addForumTopic(forum, 'two', { silent: true });
    const first = await send(forum, { message_thread_id: t1 });
    await send(forum, { message_thread_id: t2 });
    const edit = await callApi(tg, 'editMessageText', {
      chat_id: forum,
      message_id: first.body.result.message_id,
      text: 'y',
    });
    expect(edit.status).toBe(200);
    const refused = await send(forum);
    expect(refused.status).toBe(429);
    expect(refused.body.parameters.retry_after).toBe(60);
    expect(tg.tooManyRequestsCount(forum)).toBe(1);
  });

  it('keep refusing until retry_after has passed, even once the window would admit again', async () => {
    tg.setRateLimits({ privateChat: { limit: 1, windowMs: 100 }, retryAfterSeconds: 5 });
    const dm = tg.addPrivateChat(alice);
    await send(dm);
    now += 50;
    expect((await send(dm)).body.parameters).toEqual({ retry_after: 5 });
    now += 1000;
    const stillBlocked = await send(dm);
    expect(stillBlocked.status).toBe(429);
    expect(stillBlocked.body.parameters.retry_after).toBe(4);
    now += 4000;
    expect((await send(dm)).status).toBe(200);
    expect(tg.tooManyRequestsCount(dm)).toBe(2);
  });

  it('limit the bot as a whole across chats', async () => {
    tg.setRateLimits({ bot: { limit: 2, windowMs: 1000 } });
    const a = tg.addPrivateChat(alice);
    const b = tg.addPrivateChat(bob);
    const c = tg.addGroup({ title: 'g', members: [] });
    expect((await send(a)).status).toBe(200);
    expect((await send(b)).status).toBe(200);
    expect((await send(c)).status).toBe(429);
    expect(tg.tooManyRequestsCount(c)).toBe(1);
    expect(tg.tooManyRequestsCount()).toBe(1);
  });

  it('do not count refused calls or calls that change nothing', async () => {
    tg.setRateLimits({ privateChat: { limit: 2, windowMs: 1000 } });
    const dm = tg.addPrivateChat(alice);
    expect((await send(dm, { text: '' })).status).toBe(400);
    const sent = await send(dm);
    const same = await callApi(tg, 'editMessageText', {
      chat_id: dm,
      message_id: sent.body.result.message_id,
      text: 'x',
    });
    expect(same.body.description).toMatch(/not modified/);
    expect((await send(dm)).status).toBe(200);
  });
});
