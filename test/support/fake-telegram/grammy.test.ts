import { Api, Bot, GrammyError, HttpError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from './fake-telegram.ts';

const TOKEN = '123456:TEST-token';
const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
let tg: FakeTelegram;
let api: Api;
let dm: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: TOKEN, limits: { uploadMaxBytes: 1024 * 1024 } });
  api = new Api(TOKEN, { apiRoot: tg.apiRoot });
  dm = tg.addPrivateChat(alice);
});
afterEach(async () => {
  await tg.stop();
});

describe("grammY's real client against the fake", () => {
  it('sends, edits, answers, polls and deletes through Api', async () => {
    expect((await api.getMe()).username).toBe('tentacle_test_bot');
    const keyboard = { inline_keyboard: [[{ text: 'cancel', callback_data: 'takopi:cancel' }]] };
    const sent = await api.sendMessage(dm, 'starting · codex · 0s', {
      reply_markup: keyboard,
      disable_notification: true,
      entities: [{ type: 'bold', offset: 0, length: 8 }],
    });
    expect(sent.reply_markup).toEqual(keyboard);

    const edited = await api.editMessageText(dm, sent.message_id, 'working · codex · 1s');
    expect(edited).toMatchObject({ message_id: sent.message_id, text: 'working · codex · 1s' });
    expect(edited === true ? 'inline' : edited.reply_markup).toBeUndefined();

    const pressed = tg.pressButton({
      chatId: dm,
      messageId: sent.message_id,
      from: alice,
      data: 'takopi:cancel',
      force: true,
    });
    const updates = await api.getUpdates({ timeout: 1 });
    expect(updates.map((u) => u.callback_query?.id)).toEqual([pressed]);
    await api.answerCallbackQuery(pressed, { text: 'cancelling...' });
    expect(tg.callbackAnswer(pressed)).toEqual({ text: 'cancelling...' });
    await api.getUpdates({ offset: updates[0]!.update_id + 1, timeout: 0 });
    expect(tg.pendingUpdates()).toEqual([]);

    await api.setMyCommands([{ command: 'cancel', description: 'cancel a run' }]);
    expect(await api.getMyCommands()).toEqual([{ command: 'cancel', description: 'cancel a run' }]);
    expect(await api.deleteMessage(dm, sent.message_id)).toBe(true);
    expect(tg.chatLog(dm)).toEqual([]);
  });

  it('surfaces refusals as GrammyError with Telegram’s description and parameters', async () => {
    const sent = await api.sendMessage(dm, 'same');
    const error = await api.editMessageText(dm, sent.message_id, 'same').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(400);
    expect((error as GrammyError).description).toMatch(/^Bad Request: message is not modified: /);

    tg.failNext('sendMessage', 1, { status: 429, retryAfter: 3 });
    const limited = (await api.sendMessage(dm, 'x').catch((e: unknown) => e)) as GrammyError;
    expect(limited.parameters.retry_after).toBe(3);
  });

  it('uploads an InputFile as multipart and downloads it back through getFile', async () => {
    const bytes = Buffer.from('line one\nline two\n'.repeat(500));
    const msg = await api.sendDocument(dm, new InputFile(bytes, 'notes.txt'), { caption: 'your file' });
    expect(msg.document).toMatchObject({
      file_name: 'notes.txt',
      mime_type: 'text/plain',
      file_size: bytes.length,
    });
    expect(tg.callsOf('sendDocument')[0]?.params.chat_id).toBe(dm);

    const file = await api.getFile(msg.document!.file_id);
    const res = await fetch(`${tg.apiRoot}/file/bot${TOKEN}/${file.file_path}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('sees an oversized upload fail as an HttpError, since the 413 page is not JSON', async () => {
    const error = await api
      .sendDocument(dm, new InputFile(Buffer.alloc(1024 * 1024 + 1), 'big.bin'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
  });

  it("runs grammY's Bot long-polling loop: a user's message reaches a handler and its reply lands in the chat", async () => {
    const bot = new Bot(TOKEN, { client: { apiRoot: tg.apiRoot } });
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const started = new Promise<void>((resolve) => {
      void bot.start({ timeout: 1, onStart: () => resolve() });
    });
    await started;
    tg.sendUserMessage({ chatId: dm, from: alice, text: 'ping' });
    await tg.waitFor(() => tg.chatLog(dm).find((e) => e.fromBot && e.text === 'echo: ping'), {
      timeoutMs: 5000,
    });
    await bot.stop();
    expect(tg.callsOf('deleteWebhook')).toHaveLength(1);
    expect(tg.pendingUpdates()).toEqual([]);
  });
});
