import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice' };
let tg: FakeTelegram;
let dm: number;
let now: number;

beforeEach(async () => {
  now = Date.now();
  tg = await FakeTelegram.start({ token: '123456:TEST-token', now: () => now });
  dm = tg.addPrivateChat(alice);
});
afterEach(async () => {
  await tg.stop();
});

const send = () => callApi(tg, 'sendMessage', { chat_id: dm, text: 'x' });

describe('fault injection', () => {
  it.each([
    [
      { status: 429, retryAfter: 7 },
      429,
      {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 7',
        parameters: { retry_after: 7 },
      },
    ],
    [{ status: 500 }, 500, { ok: false, error_code: 500, description: 'Internal Server Error' }],
    [
      { status: 400, description: 'Bad Request: message is too long' },
      400,
      { ok: false, error_code: 400, description: 'Bad Request: message is too long' },
    ],
  ])('fails the next call with %j and then behaves again', async (fault, status, body) => {
    tg.failNext('sendMessage', 1, fault);
    const failed = await send();
    expect(failed.status).toBe(status);
    expect(failed.body).toEqual(body);
    expect(tg.chatLog(dm)).toEqual([]);
    expect((await send()).status).toBe(200);
  });

  it('answers an HTML page for an html fault, as the front proxy does', async () => {
    tg.failNext('sendMessage', 1, { status: 502, html: true });
    const res = await send();
    expect(res.status).toBe(502);
    expect(res.body).toContain('<title>502 Bad Gateway</title>');
  });

  it('counts down: two failures, then success', async () => {
    tg.failNext('*', 2, { status: 500 });
    expect((await callApi(tg, 'getMe')).status).toBe(500);
    expect((await send()).status).toBe(500);
    expect((await send()).status).toBe(200);
  });

  it('resets the connection', async () => {
    tg.failNext('sendMessage', 1, { reset: true });
    await expect(send()).rejects.toThrow();
    expect(tg.chatLog(dm)).toEqual([]);
    expect(tg.callsOf('sendMessage')[0]).toMatchObject({
      done: true,
      status: undefined,
      response: { reset: true },
    });
  });

  it('can let the call take effect before failing its response (the message was sent after all)', async () => {
    tg.failNext('sendMessage', 1, { reset: true, applied: true });
    await expect(send()).rejects.toThrow();
    expect(tg.chatLog(dm).map((e) => e.text)).toEqual(['x']);
  });

  it('delays a response without changing it', async () => {
    tg.failNext('sendMessage', 1, { delayMs: 150 });
    const pending = send();
    await new Promise((r) => setTimeout(r, 50));
    expect(tg.callsOf('sendMessage')[0]?.done).toBe(false);
    expect((await pending).status).toBe(200);
  });

  it('fails getUpdates for a period of the clock and then serves it again', async () => {
    tg.failGetUpdatesFor(10_000);
    const during = await callApi(tg, 'getUpdates', {});
    expect(during.status).toBe(502);
    expect(String(during.body)).toContain('Bad Gateway');
    now += 10_000;
    expect((await callApi(tg, 'getUpdates', {})).status).toBe(200);
  });

  it('counts injected 429s for the chat', async () => {
    tg.failNext('sendMessage', 1, { status: 429, retryAfter: 3 });
    await send();
    expect(tg.tooManyRequestsCount(dm)).toBe(1);
  });
});
