import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const bob = { id: 1002, first_name: 'Bob' };
const carol = { id: 1003, first_name: 'Carol' };
let tg: FakeTelegram;
let dm: number;
let group: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: '123456:TEST-token', botUsername: 'octo_bot' });
  dm = tg.addPrivateChat(alice);
  group = tg.addGroup({
    title: 'Team',
    members: [
      { user: alice, status: 'creator' },
      { user: bob, status: 'administrator', canManageTopics: false },
      { user: carol, status: 'member' },
    ],
  });
});
afterEach(async () => {
  await tg.stop();
});

describe('the Bot API surface', () => {
  it('describes the bot in getMe', async () => {
    const res = await callApi(tg, 'getMe');
    expect(res.body).toEqual({
      ok: true,
      result: {
        id: 123456,
        is_bot: true,
        first_name: 'Tentacle Test Bot',
        username: 'octo_bot',
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
        has_topics_enabled: false,
        allows_users_to_create_topics: false,
      },
    });
  });

  it('answers 401 Unauthorized to a wrong token', async () => {
    const res = await callApi(tg, 'getMe', {}, { token: '123456:wrong' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('answers 404 to an unknown method and matches known names case-insensitively', async () => {
    const res = await callApi(tg, 'sendTelepathy', {});
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
    expect((await callApi(tg, 'GETME')).status).toBe(200);
    expect(tg.calls.map((c) => c.method)).toEqual(['sendTelepathy', 'getMe']);
  });

  it.each(['form', 'query'] as const)(
    'accepts %s-encoded parameters and records them decoded',
    async (encoding) => {
      const markup = { inline_keyboard: [[{ text: 'go', callback_data: 'go' }]] };
      const res = await callApi(
        tg,
        'sendMessage',
        { chat_id: dm, text: 'hi', reply_markup: markup, disable_notification: true },
        { encoding },
      );
      expect(res.status).toBe(200);
      expect(res.body.result.reply_markup).toEqual(markup);
      expect(tg.callsOf('sendMessage')[0]?.params).toEqual({
        chat_id: dm,
        text: 'hi',
        reply_markup: markup,
        disable_notification: true,
      });
    },
  );

  it('records each call with its response and time', async () => {
    await callApi(tg, 'sendMessage', { chat_id: dm, text: '' });
    const [call] = tg.calls;
    expect(call).toMatchObject({
      seq: 1,
      method: 'sendMessage',
      params: { chat_id: dm, text: '' },
      time: expect.any(Number),
      done: true,
      status: 400,
      response: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' },
    });
  });

  it.each([
    [alice.id, { status: 'creator', user: { id: alice.id } }],
    [bob.id, { status: 'administrator', can_manage_topics: false }],
    [carol.id, { status: 'member', user: { id: carol.id, first_name: 'Carol', is_bot: false } }],
  ])('reports the status of member %i through getChatMember', async (userId, expected) => {
    const res = await callApi(tg, 'getChatMember', { chat_id: group, user_id: userId });
    expect(res.body.result).toMatchObject(expected);
  });

  it('reports a known non-member as left and an unknown user as not found', async () => {
    const other = tg.addGroup({ title: 'Other', members: [] });
    expect(
      (await callApi(tg, 'getChatMember', { chat_id: other, user_id: carol.id })).body.result.status,
    ).toBe('left');
    const res = await callApi(tg, 'getChatMember', { chat_id: group, user_id: 5555 });
    expect(res.body.description).toBe('Bad Request: user not found');
  });

  it('refuses getChat for an unknown chat', async () => {
    const res = await callApi(tg, 'getChat', { chat_id: -100999 });
    expect(res.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  });

  it('stores commands per scope and language and refuses invalid ones', async () => {
    const commands = [{ command: 'cancel', description: 'cancel the run' }];
    expect((await callApi(tg, 'setMyCommands', { commands })).body).toEqual({ ok: true, result: true });
    expect((await callApi(tg, 'getMyCommands', {})).body.result).toEqual(commands);
    expect((await callApi(tg, 'getMyCommands', { language_code: 'de' })).body.result).toEqual([]);
    expect(tg.commandsFor()).toEqual(commands);
    const upper = await callApi(tg, 'setMyCommands', { commands: [{ command: 'Cancel', description: 'x' }] });
    expect(upper.body.description).toBe('Bad Request: BOT_COMMAND_INVALID');
    const empty = await callApi(tg, 'setMyCommands', { commands: [{ command: 'x', description: '' }] });
    expect(empty.status).toBe(400);
  });

  it('refuses an unknown chat action', async () => {
    const res = await callApi(tg, 'sendChatAction', { chat_id: dm, action: 'dancing' });
    expect(res.status).toBe(400);
    expect((await callApi(tg, 'sendChatAction', { chat_id: dm, action: 'typing' })).body.result).toBe(true);
  });
});

describe('callback queries', () => {
  const queryTooOld = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
  let messageId: number;

  beforeEach(async () => {
    const res = await callApi(tg, 'sendMessage', {
      chat_id: dm,
      text: 'working',
      reply_markup: { inline_keyboard: [[{ text: 'cancel', callback_data: 'takopi:cancel' }]] },
    });
    messageId = res.body.result.message_id;
  });

  it('delivers a button press as a callback_query carrying the message and the data', async () => {
    const id = tg.pressButton({ chatId: dm, messageId, from: alice, data: 'takopi:cancel' });
    const [update] = (await callApi(tg, 'getUpdates', {})).body.result;
    expect(update.callback_query).toMatchObject({
      id,
      from: { id: alice.id },
      message: { message_id: messageId, text: 'working' },
      chat_instance: expect.any(String),
      data: 'takopi:cancel',
    });
  });

  it('accepts one answer, records it, and refuses a second', async () => {
    const id = tg.pressButton({ chatId: dm, messageId, from: alice, data: 'takopi:cancel' });
    expect(
      (await callApi(tg, 'answerCallbackQuery', { callback_query_id: id, text: 'cancelling...' })).body
        .result,
    ).toBe(true);
    expect(tg.callbackAnswer(id)).toEqual({ text: 'cancelling...' });
    const again = await callApi(tg, 'answerCallbackQuery', { callback_query_id: id });
    expect(again.body).toEqual({ ok: false, error_code: 400, description: queryTooOld });
  });

  it('refuses an answer to an unknown query', async () => {
    const res = await callApi(tg, 'answerCallbackQuery', { callback_query_id: '42' });
    expect(res.body.description).toBe(queryTooOld);
  });

  it('refuses an answer after the query expired when a lifetime is configured', async () => {
    let now = Date.now();
    await tg.stop();
    tg = await FakeTelegram.start({
      token: '123456:TEST-token',
      now: () => now,
      limits: { callbackQueryTtlMs: 10_000 },
    });
    dm = tg.addPrivateChat(alice);
    const sent = await callApi(tg, 'sendMessage', {
      chat_id: dm,
      text: 'x',
      reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'b' }]] },
    });
    const id = tg.pressButton({ chatId: dm, messageId: sent.body.result.message_id, from: alice, data: 'b' });
    now += 11_000;
    expect((await callApi(tg, 'answerCallbackQuery', { callback_query_id: id })).body.description).toBe(
      queryTooOld,
    );
  });

  it('will not press a button the message no longer shows unless forced (a stale client)', async () => {
    await callApi(tg, 'editMessageText', { chat_id: dm, message_id: messageId, text: 'done' });
    expect(() => tg.pressButton({ chatId: dm, messageId, from: alice, data: 'takopi:cancel' })).toThrow(
      /no button/,
    );
    const id = tg.pressButton({ chatId: dm, messageId, from: alice, data: 'takopi:cancel', force: true });
    expect(tg.pendingUpdates().at(-1)?.callback_query?.id).toBe(id);
  });

  it('delivers a press on a deleted message with an inaccessible message (date 0)', async () => {
    await callApi(tg, 'deleteMessage', { chat_id: dm, message_id: messageId });
    tg.pressButton({ chatId: dm, messageId, from: alice, data: 'takopi:cancel', force: true });
    expect(tg.pendingUpdates().at(-1)?.callback_query?.message).toEqual({
      chat: { id: dm, type: 'private' },
      message_id: messageId,
      date: 0,
    });
  });
});
