import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const bob = { id: 1002, first_name: 'Bob' };
const keyboard = { inline_keyboard: [[{ text: 'cancel', callback_data: 'takopi:cancel' }]] };
let tg: FakeTelegram;
let dm: number;
let group: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: '123456:TEST-token' });
  dm = tg.addPrivateChat(alice);
  group = tg.addGroup({
    title: 'Team',
    members: [
      { user: alice, status: 'creator' },
      { user: bob, status: 'member' },
    ],
  });
});
afterEach(async () => {
  await tg.stop();
});

const send = (params: Record<string, unknown>) => callApi(tg, 'sendMessage', { chat_id: dm, ...params });

describe('sendMessage', () => {
  it('answers with the real envelope and a message from the bot', async () => {
    const res = await send({ text: 'hello', reply_markup: keyboard });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      result: {
        message_id: 1,
        from: { id: 123456, is_bot: true, first_name: 'Tentacle Test Bot', username: 'tentacle_test_bot' },
        chat: { id: dm, first_name: 'Alice', username: 'alice', type: 'private' },
        date: expect.any(Number),
        text: 'hello',
        reply_markup: keyboard,
      },
    });
    expect(tg.chatLog(dm).map((e) => [e.text, e.fromBot, e.replyMarkup])).toEqual([
      ['hello', true, keyboard],
    ]);
  });

  const surrogates = '👋 hi'; // 👋 is two UTF-16 units and four UTF-8 bytes
  it.each([
    ['empty text', { text: '' }, 'Bad Request: message text is empty'],
    ['missing text', {}, 'Bad Request: message text is empty'],
    ['text of spaces and newlines', { text: ' \n \n' }, 'Bad Request: message text is empty'],
    ['text of zero-width characters', { text: '\u200b\u200b' }, 'Bad Request: message text is empty'],
    ['4097 code points', { text: 'x'.repeat(4097) }, 'Bad Request: message is too long'],
    ['raw text over 32 KiB', { text: 'x'.repeat(33 * 1024) }, 'Bad Request: text is too long'],
    ['an unknown chat', { chat_id: 424242, text: 'hi' }, 'Bad Request: chat not found'],
    ['no chat_id', { chat_id: undefined, text: 'hi' }, 'Bad Request: chat_id is empty'],
    [
      'an entity past the end',
      { text: 'hello', entities: [{ type: 'bold', offset: 0, length: 100 }] },
      'Bad Request: entity beginning at UTF-16 offset 0 ends after the end of the text at UTF-16 offset 100',
    ],
    [
      'an entity starting past the end',
      { text: 'hello', entities: [{ type: 'bold', offset: 9, length: 1 }] },
      'Bad Request: entity begins after the end of the text at UTF-16 offset 9',
    ],
    [
      'an entity starting inside a surrogate pair',
      { text: surrogates, entities: [{ type: 'bold', offset: 1, length: 2 }] },
      'Bad Request: entity begins in a middle of a UTF-16 symbol at byte offset 4',
    ],
    [
      'an entity ending inside a surrogate pair',
      { text: surrogates, entities: [{ type: 'bold', offset: 0, length: 1 }] },
      'Bad Request: entity beginning at UTF-16 offset 0 ends in a middle of a UTF-16 symbol at byte offset 4',
    ],
    [
      'an unknown entity type',
      { text: 'hello', entities: [{ type: 'sparkle', offset: 0, length: 2 }] },
      "Bad Request: can't parse MessageEntity: Unsupported type specified",
    ],
    [
      'a text_link without url',
      { text: 'hello', entities: [{ type: 'text_link', offset: 0, length: 2 }] },
      `Bad Request: can't parse MessageEntity: Can't find field "url"`,
    ],
    [
      'callback_data over 64 bytes',
      { text: 'hi', reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'a'.repeat(65) }]] } },
      'Bad Request: BUTTON_DATA_INVALID',
    ],
    [
      'callback_data of 33 two-byte characters (66 bytes)',
      { text: 'hi', reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'é'.repeat(33) }]] } },
      'Bad Request: BUTTON_DATA_INVALID',
    ],
    [
      'a button without an action',
      { text: 'hi', reply_markup: { inline_keyboard: [[{ text: 'x' }]] } },
      "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    ],
    [
      'reply_markup that is not JSON',
      { text: 'hi', reply_markup: '{nope' },
      "Bad Request: can't parse reply keyboard markup JSON object",
    ],
    [
      'a reply to a missing message',
      { text: 'hi', reply_to_message_id: 77 },
      'Bad Request: message to be replied not found',
    ],
    [
      'reply_parameters naming a missing message',
      { text: 'hi', reply_parameters: { message_id: 77 } },
      'Bad Request: message to be replied not found',
    ],
    [
      'a thread in a private chat',
      { text: 'hi', message_thread_id: 5 },
      'Bad Request: message thread not found',
    ],
  ])('refuses %s', async (_name, params, description) => {
    const res = await send(params);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ok: false, error_code: 400, description });
    expect(tg.chatLog(dm)).toEqual([]);
  });

  it.each([
    [
      'bold inside code',
      [
        { type: 'code', offset: 0, length: 5 },
        { type: 'bold', offset: 1, length: 2 },
      ],
    ],
    [
      'code inside bold',
      [
        { type: 'bold', offset: 0, length: 5 },
        { type: 'code', offset: 1, length: 2 },
      ],
    ],
    [
      'overlap without nesting',
      [
        { type: 'bold', offset: 0, length: 3 },
        { type: 'italic', offset: 2, length: 3 },
      ],
    ],
    [
      'bold inside bold',
      [
        { type: 'bold', offset: 0, length: 5 },
        { type: 'bold', offset: 1, length: 2 },
      ],
    ],
    [
      'a link inside a link',
      [
        { type: 'text_link', offset: 0, length: 5, url: 'https://a.example' },
        { type: 'url', offset: 1, length: 2 },
      ],
    ],
    [
      'nested blockquotes',
      [
        { type: 'blockquote', offset: 0, length: 5 },
        { type: 'expandable_blockquote', offset: 1, length: 2 },
      ],
    ],
    ['an empty entity', [{ type: 'bold', offset: 1, length: 0 }]],
  ])('refuses entities with %s as unparseable', async (_name, entities) => {
    const res = await send({ text: 'hello', entities });
    expect(res.status).toBe(400);
    expect(res.body.description).toMatch(/^Bad Request: can't parse entities: /);
  });

  it('accepts proper nesting: formatting around a link, pre inside a blockquote', async () => {
    const entities = [
      { type: 'blockquote', offset: 0, length: 11 },
      { type: 'bold', offset: 0, length: 5 },
      { type: 'text_link', offset: 0, length: 5, url: 'https://a.example' },
      { type: 'pre', offset: 6, length: 5, language: 'ts' },
    ];
    const res = await send({ text: 'hello world', entities });
    expect(res.status).toBe(200);
    expect(res.body.result.entities).toEqual(entities);
  });

  it('counts the 4096 limit in code points: 4096 emoji (8192 UTF-16 units) pass, 4097 do not', async () => {
    const ok = await send({ text: '🐙'.repeat(4096) });
    expect(ok.status).toBe(200);
    expect(ok.body.result.text).toHaveLength(8192);
    const tooLong = await send({ text: '🐙'.repeat(4097) });
    expect(tooLong.body.description).toBe('Bad Request: message is too long');
  });

  it('takes entity offsets in UTF-16 units around surrogate pairs', async () => {
    const text = '🐙🐙 bold tail';
    const res = await send({ text, entities: [{ type: 'bold', offset: 5, length: 4 }] });
    expect(res.status).toBe(200);
    const [entry] = tg.chatLog(dm);
    const e = entry!.entities[0]!;
    expect(entry!.text!.slice(e.offset, e.offset + e.length)).toBe('bold');
  });

  it('trims spaces and newlines at both ends, cutting entities that ran into them', async () => {
    const res = await send({ text: '\n  hello  \n', entities: [{ type: 'bold', offset: 3, length: 7 }] });
    expect(res.body.result.text).toBe('hello');
    expect(res.body.result.entities).toEqual([{ type: 'bold', offset: 0, length: 5 }]);
  });

  it('ignores entities when parse_mode is set, as the real server does', async () => {
    const res = await send({
      text: '<b>hi</b> there',
      parse_mode: 'HTML',
      entities: [{ type: 'italic', offset: 0, length: 3 }],
    });
    expect(res.body.result.text).toBe('hi there');
    expect(res.body.result.entities).toEqual([{ type: 'bold', offset: 0, length: 2 }]);
  });

  it.each([
    [
      'HTML',
      '<pre><code class="language-ts">x &lt; 1</code></pre>',
      'x < 1',
      [{ type: 'pre', offset: 0, length: 5, language: 'ts' }],
    ],
    [
      'MarkdownV2',
      '*bold* _it_ `c\\`` \\.',
      'bold it c` .',
      [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 5, length: 2 },
        { type: 'code', offset: 8, length: 2 },
      ],
    ],
    [
      'MarkdownV2',
      '[site](https://a.example/x\\)y) ||s||',
      'site s',
      [
        { type: 'text_link', offset: 0, length: 4, url: 'https://a.example/x)y' },
        { type: 'spoiler', offset: 5, length: 1 },
      ],
    ],
  ])('parses %s markup %j', async (mode, text, parsed, entities) => {
    const res = await send({ text, parse_mode: mode });
    expect(res.body.result.text).toBe(parsed);
    expect(res.body.result.entities).toEqual(entities);
  });

  it.each([
    [
      'MarkdownV2',
      'Done.',
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    ],
    [
      'MarkdownV2',
      '*open',
      "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0",
    ],
    [
      'HTML',
      '<b>open',
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    ],
    ['HTML', 'a <x>b</x>', `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 2`],
  ])('refuses bad %s markup %j', async (mode, text, description) => {
    const res = await send({ text, parse_mode: mode });
    expect(res.body.description).toBe(description);
  });

  it('replies carry the full reply_to_message', async () => {
    const user = tg.sendUserMessage({ chatId: dm, from: alice, text: 'question' });
    const res = await send({ text: 'answer', reply_parameters: { message_id: user.message_id } });
    expect(res.body.result.reply_to_message).toEqual(user);
    expect(tg.chatLog(dm).map((e) => e.replyTo)).toEqual([undefined, user.message_id]);
  });

  it('sends without the reply when the target is gone and allow_sending_without_reply is set', async () => {
    const res = await send({
      text: 'anyway',
      reply_parameters: { message_id: 77, allow_sending_without_reply: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.reply_to_message).toBeUndefined();
  });

  it('refuses to post to a user who never opened a private chat with the bot', async () => {
    const res = await callApi(tg, 'sendMessage', { chat_id: bob.id, text: 'hi' });
    expect(res.status).toBe(403);
    expect(res.body.description).toBe("Forbidden: bot can't initiate conversation with a user");
  });

  it('refuses with 403 when the user blocked the bot', async () => {
    tg.setBlocked(alice.id);
    const res = await send({ text: 'hi' });
    expect(res.status).toBe(403);
    expect(res.body.description).toBe('Forbidden: bot was blocked by the user');
  });

  it('refuses with 403 in a group the bot was removed from', async () => {
    tg.setBotMembership(group, 'left');
    const res = await callApi(tg, 'sendMessage', { chat_id: group, text: 'hi' });
    expect(res.status).toBe(403);
    expect(res.body.description).toBe('Forbidden: bot is not a member of the supergroup chat');
  });

  it('gives a reply in an ordinary supergroup a reply-thread id that is not a topic and cannot be sent to', async () => {
    const root = tg.sendUserMessage({ chatId: group, from: alice, text: 'root' });
    const reply = tg.sendUserMessage({ chatId: group, from: bob, text: 'reply', replyTo: root.message_id });
    expect(reply.message_thread_id).toBe(root.message_id);
    expect(reply.is_topic_message).toBeUndefined();
    const res = await callApi(tg, 'sendMessage', {
      chat_id: group,
      text: 'x',
      message_thread_id: reply.message_thread_id,
    });
    expect(res.body.description).toBe('Bad Request: message thread not found');
  });
});

describe('editMessageText and editMessageReplyMarkup', () => {
  const edit = (params: Record<string, unknown>) =>
    callApi(tg, 'editMessageText', { chat_id: dm, ...params });
  let progress: number;

  beforeEach(async () => {
    progress = (await send({ text: 'working', reply_markup: keyboard })).body.result.message_id;
  });

  it('drops the inline keyboard when an edit leaves out reply_markup', async () => {
    const res = await edit({ message_id: progress, text: 'working · 1s' });
    expect(res.status).toBe(200);
    expect(res.body.result.reply_markup).toBeUndefined();
    expect(res.body.result.edit_date).toEqual(expect.any(Number));
    expect(tg.chatLog(dm)[0]).toMatchObject({ text: 'working · 1s', replyMarkup: undefined, editCount: 1 });
  });

  it('keeps the keyboard when the edit sends it again', async () => {
    await edit({ message_id: progress, text: 'working · 2s', reply_markup: keyboard });
    expect(tg.chatLog(dm)[0]?.replyMarkup).toEqual(keyboard);
  });

  const notModified =
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

  it('refuses an identical edit (same text, entities and markup) as not modified', async () => {
    const res = await edit({ message_id: progress, text: 'working', reply_markup: keyboard });
    expect(res.status).toBe(400);
    expect(res.body.description).toBe(notModified);
  });

  it('treats text that differs only in trimmed whitespace as not modified', async () => {
    const res = await edit({ message_id: progress, text: 'working\n', reply_markup: keyboard });
    expect(res.body.description).toBe(notModified);
  });

  it('counts a change of entities or of markup alone as a modification', async () => {
    const bold = await edit({
      message_id: progress,
      text: 'working',
      entities: [{ type: 'bold', offset: 0, length: 7 }],
      reply_markup: keyboard,
    });
    expect(bold.status).toBe(200);
    const noKeyboard = await edit({
      message_id: progress,
      text: 'working',
      entities: [{ type: 'bold', offset: 0, length: 7 }],
    });
    expect(noKeyboard.status).toBe(200);
  });

  it('clears the keyboard with editMessageReplyMarkup without markup, then calls a second clear not modified', async () => {
    const cleared = await callApi(tg, 'editMessageReplyMarkup', { chat_id: dm, message_id: progress });
    expect(cleared.status).toBe(200);
    expect(tg.chatLog(dm)[0]?.replyMarkup).toBeUndefined();
    const again = await callApi(tg, 'editMessageReplyMarkup', { chat_id: dm, message_id: progress });
    expect(again.body.description).toBe(notModified);
  });

  it('treats an empty inline keyboard as no keyboard', async () => {
    const res = await callApi(tg, 'editMessageReplyMarkup', {
      chat_id: dm,
      message_id: progress,
      reply_markup: { inline_keyboard: [[]] },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.reply_markup).toBeUndefined();
  });

  it.each([
    ['an unknown message', () => ({ message_id: 999, text: 'x' }), 'Bad Request: message to edit not found'],
    ['no message id', () => ({ text: 'x' }), 'Bad Request: message identifier is not specified'],
    ['empty text', () => ({ message_id: progress, text: '' }), 'Bad Request: message text is empty'],
    [
      '4097 code points',
      () => ({ message_id: progress, text: '🐙'.repeat(4097) }),
      'Bad Request: message is too long',
    ],
  ])('refuses an edit of %s', async (_name, params, description) => {
    const res = await edit(params());
    expect(res.body).toEqual({ ok: false, error_code: 400, description });
  });

  it('refuses to edit a deleted message as not found', async () => {
    await callApi(tg, 'deleteMessage', { chat_id: dm, message_id: progress });
    const res = await edit({ message_id: progress, text: 'late' });
    expect(res.body.description).toBe('Bad Request: message to edit not found');
  });

  it("refuses to edit a user's message", async () => {
    const user = tg.sendUserMessage({ chatId: dm, from: alice, text: 'mine' });
    const res = await edit({ message_id: user.message_id, text: 'yours' });
    expect(res.body.description).toBe("Bad Request: message can't be edited");
  });
});

describe('deleteMessage', () => {
  it('removes the message from the chat, and a second delete finds nothing', async () => {
    const id = (await send({ text: 'temp' })).body.result.message_id;
    expect((await callApi(tg, 'deleteMessage', { chat_id: dm, message_id: id })).body).toEqual({
      ok: true,
      result: true,
    });
    expect(tg.chatLog(dm)).toEqual([]);
    expect(tg.wasDeleted(dm, id)).toBe(true);
    const again = await callApi(tg, 'deleteMessage', { chat_id: dm, message_id: id });
    expect(again.body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: message to delete not found',
    });
  });

  it("refuses to delete another member's group message without admin rights", async () => {
    tg.setBotMembership(group, 'member');
    const user = tg.sendUserMessage({ chatId: group, from: bob, text: '/cancel' });
    const res = await callApi(tg, 'deleteMessage', { chat_id: group, message_id: user.message_id });
    expect(res.body.description).toBe("Bad Request: message can't be deleted");
  });

  it('refuses to delete its own message after 48 hours', async () => {
    let now = Date.now();
    await tg.stop();
    tg = await FakeTelegram.start({ token: '123456:TEST-token', now: () => now });
    dm = tg.addPrivateChat(alice);
    const id = (await send({ text: 'old' })).body.result.message_id;
    now += 49 * 3600 * 1000;
    const res = await callApi(tg, 'deleteMessage', { chat_id: dm, message_id: id });
    expect(res.body.description).toBe("Bad Request: message can't be deleted");
  });
});
