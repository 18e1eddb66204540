import type { InlineKeyboardMarkup } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramClient } from '../../src/transport/telegram-client.ts';
import {
  isEntityError,
  isMessageGone,
  isNotModified,
  isRetryable,
  isThreadNotFound,
  isTooLong,
  TelegramApiError,
  TelegramNetworkError,
} from '../../src/transport/telegram-errors.ts';
import { FakeTelegram } from '../support/fake-telegram/fake-telegram.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ';
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const CANCEL: InlineKeyboardMarkup = {
  inline_keyboard: [[{ text: 'cancel', callback_data: 'tentacle:cancel' }]],
};

let tg: FakeTelegram;
let client: TelegramClient;
let chatId: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: TOKEN });
  client = new TelegramClient({ token: TOKEN, apiRoot: tg.apiRoot, timeoutMs: 2_000 });
  chatId = tg.addPrivateChat(ALICE);
});

afterEach(async () => {
  await tg.stop();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('TelegramClient', () => {
  it('disables link previews on every send and edit', async () => {
    const sent = await client.sendMessage({ chatId, text: 'see https://example.com' });
    await client.editMessageText({ chatId, messageId: sent.message_id, text: 'still https://example.com' });
    for (const method of ['sendMessage', 'editMessageText']) {
      expect(tg.callsOf(method)[0]!.params.link_preview_options).toEqual({ is_disabled: true });
    }
  });

  it('addresses a forum topic by message_thread_id, and General (1 or none) without it', async () => {
    const forum = tg.addGroup({ title: 'forum', forum: true, members: [{ user: ALICE, status: 'creator' }] });
    const topic = tg.addForumTopic(forum, 'work', { silent: true });
    await client.sendMessage({ chatId: forum, threadId: topic, text: 'in the topic' });
    await client.sendMessage({ chatId: forum, threadId: 1, text: 'in General' });
    await client.sendMessage({ chatId: forum, text: 'also General' });
    const params = tg.callsOf('sendMessage').map((c) => c.params.message_thread_id);
    expect(params).toEqual([topic, undefined, undefined]);
    expect(tg.chatLog(forum, topic).map((m) => m.text)).toEqual(['in the topic']);
    expect(tg.chatLog(forum, null).map((m) => m.text)).toEqual(['in General', 'also General']);
  });

  it('sends entities, reply, keyboard and notification flag as given', async () => {
    const prompt = tg.sendUserMessage({ chatId, from: ALICE, text: 'hi' });
    const sent = await client.sendMessage({
      chatId,
      text: 'done',
      entities: [{ type: 'bold', offset: 0, length: 4 }],
      replyToMessageId: prompt.message_id,
      replyMarkup: CANCEL,
      disableNotification: true,
    });
    const log = tg.chatLog(chatId).find((m) => m.messageId === sent.message_id)!;
    expect(log).toMatchObject({ text: 'done', replyTo: prompt.message_id, replyMarkup: CANCEL });
    expect(log.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    expect(tg.callsOf('sendMessage')[0]!.params.disable_notification).toBe(true);
  });

  it('keeps the keyboard only when the edit passes it again', async () => {
    const sent = await client.sendMessage({ chatId, text: 'starting', replyMarkup: CANCEL });
    await client.editMessageText({
      chatId,
      messageId: sent.message_id,
      text: 'working',
      replyMarkup: CANCEL,
    });
    expect(tg.chatLog(chatId)[0]!.replyMarkup).toEqual(CANCEL);
    await client.editMessageText({ chatId, messageId: sent.message_id, text: 'done' });
    expect(tg.chatLog(chatId)[0]!.replyMarkup).toBeUndefined();
  });

  it('deletes messages and downloads files by their getFile path', async () => {
    const sent = await client.sendMessage({ chatId, text: 'bye' });
    await client.deleteMessage(chatId, sent.message_id);
    expect(tg.wasDeleted(chatId, sent.message_id)).toBe(true);
    const upload = tg.sendUserMessage({
      chatId,
      from: ALICE,
      document: { bytes: 'hello file', fileName: 'notes.txt', mimeType: 'text/plain' },
    });
    const file = await client.getFile(upload.document!.file_id);
    const bytes = await client.downloadFile(file);
    expect(bytes.toString('utf8')).toBe('hello file');
    await expect(client.downloadFile(file, { maxBytes: 3 })).rejects.toBeInstanceOf(TelegramNetworkError);
  });

  it('uploads a document with a caption', async () => {
    const sent = await client.sendDocument({
      chatId,
      document: new TextEncoder().encode('# answer'),
      fileName: 'answer.md',
      caption: 'done · codex',
    });
    const stored = tg.file(sent.document.file_id)!;
    expect(stored.bytes.toString('utf8')).toBe('# answer');
    expect(stored.fileName).toBe('answer.md');
    expect(sent.caption).toBe('done · codex');
  });

  it('says which call Telegram refused, with code and description, in grammY’s template', async () => {
    const err = await failure(client.editMessageText({ chatId, messageId: 999, text: 'x' }));
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({
      method: 'editMessageText',
      errorCode: 400,
      description: 'Bad Request: message to edit not found',
    });
    expect(err.message).toBe(
      "Call to 'editMessageText' failed! (400: Bad Request: message to edit not found)",
    );
    expect(isMessageGone(err)).toBe(true);
    expect(isRetryable(err)).toBe(false);
    expect((err as TelegramApiError).cause).toBeDefined();
  });

  it('carries retry_after from a 429', async () => {
    tg.failNext('sendMessage', 1, { status: 429, retryAfter: 3 });
    const err = await failure(client.sendMessage({ chatId, text: 'x' }));
    expect(err).toMatchObject({ name: 'TelegramApiError', errorCode: 429, retryAfter: 3 });
    expect(err.message).toBe("Call to 'sendMessage' failed! (429: Too Many Requests: retry after 3)");
    expect(isRetryable(err)).toBe(true);
  });

  it.each([
    ['a proxy’s HTML 502', { status: 502, html: true }, { httpStatus: 502, timedOut: false }, true],
    [
      'an HTML 413 for a too large upload',
      { status: 413, html: true },
      { httpStatus: 413, timedOut: false },
      false,
    ],
    ['a reset connection', { reset: true }, { httpStatus: undefined, timedOut: false }, true],
    ['no answer within the timeout', { delayMs: 1_000 }, { httpStatus: undefined, timedOut: true }, true],
  ] as const)('reports %s as a network failure', async (_name, fault, expected, retryable) => {
    tg.failNext('sendMessage', 1, fault);
    const err = await failure(client.sendMessage({ chatId, text: 'x' }, { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(TelegramNetworkError);
    expect(err).toMatchObject({ method: 'sendMessage', ...expected });
    expect(isRetryable(err)).toBe(retryable);
  });

  it('reports a JSON 500 as a retryable API error', async () => {
    tg.failNext('sendMessage', 1, { status: 500, description: 'Internal Server Error' });
    const err = await failure(client.sendMessage({ chatId, text: 'x' }));
    expect(err).toMatchObject({ name: 'TelegramApiError', errorCode: 500 });
    expect(isRetryable(err)).toBe(true);
  });

  it('reports a server that is not there as a network failure', async () => {
    await tg.stop();
    const err = await failure(client.getMe());
    expect(err).toBeInstanceOf(TelegramNetworkError);
    expect(err.message).toMatch(/^Network request for 'getMe' failed! .*ECONNREFUSED/);
  });

  it('never puts the token in an error, whatever failed', async () => {
    tg.failNext('sendMessage', 1, { reset: true });
    tg.failNext('getFile', 1, { status: 502, html: true });
    const errors = [
      await failure(client.sendMessage({ chatId, text: 'x' })),
      await failure(client.getFile('nope')),
      await failure(client.downloadFile({ file_path: 'documents/missing.txt' })),
      await failure(new TelegramClient({ token: TOKEN, apiRoot: 'http://127.0.0.1:9' }).getMe()),
    ];
    const secret = TOKEN.split(':')[1]!;
    for (const err of errors) {
      expect(err.message).not.toContain(secret);
      expect(String(err.stack)).not.toContain(secret);
    }
  });

  it('stops a long poll when the caller aborts', async () => {
    const controller = new AbortController();
    const poll = failure(client.getUpdates({ timeout: 30 }, { signal: controller.signal }));
    await tg.waitFor(() => tg.callsOf('getUpdates').length > 0, { timeoutMs: 2_000 });
    controller.abort();
    expect(await poll).toBeInstanceOf(TelegramNetworkError);
  });
});

describe('error predicates', () => {
  const refusal = (description: string) =>
    new TelegramApiError('sendMessage', 400, `Bad Request: ${description}`);

  it.each([
    ['message is not modified: specified new message content …', isNotModified],
    ['message to edit not found', isMessageGone],
    ['message to delete not found', isMessageGone],
    ["message can't be edited", isMessageGone],
    ["can't parse entities: Can't find end of the entity starting at byte offset 12", isEntityError],
    ['ENTITIES_TOO_LONG', isEntityError],
    ["can't parse MessageEntity: Unsupported type specified", isEntityError],
    ['entity beginning at UTF-16 offset 3 ends after the end of the text at UTF-16 offset 9', isEntityError],
    ['message is too long', isTooLong],
    ['text is too long', isTooLong],
    ['message thread not found', isThreadNotFound],
    ['TOPIC_DELETED', isThreadNotFound],
  ])('recognizes %s', (description, predicate) => {
    expect(predicate(refusal(description))).toBe(true);
    const others = [isNotModified, isMessageGone, isEntityError, isTooLong, isThreadNotFound].filter(
      (p) => p !== predicate,
    );
    for (const other of others) expect(other(refusal(description))).toBe(false);
  });

  it('does not mistake a network failure for an API refusal', () => {
    const err = new TelegramNetworkError('editMessageText', { detail: 'message to edit not found' });
    expect(isMessageGone(err)).toBe(false);
    expect(isRetryable(err)).toBe(true);
  });
});
