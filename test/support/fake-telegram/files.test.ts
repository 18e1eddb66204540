import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice' };
let tg: FakeTelegram;
let dm: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({
    token: '123456:TEST-token',
    limits: { uploadMaxBytes: 64 * 1024, downloadMaxBytes: 32 * 1024 },
  });
  dm = tg.addPrivateChat(alice);
});
afterEach(async () => {
  await tg.stop();
});

async function upload(bytes: Uint8Array, fileName: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  form.set('chat_id', String(dm));
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  form.set('document', new Blob([bytes], { type: 'application/octet-stream' }), fileName);
  const res = await fetch(`${tg.apiRoot}/bot${tg.token}/sendDocument`, { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('files', () => {
  it('keeps an uploaded document byte for byte and serves it through getFile and the file URL', async () => {
    const bytes = new Uint8Array(30_000).map((_, i) => (i * 7) % 256);
    const sent = await upload(bytes, 'report final.zip', {
      caption: 'the *report*',
      parse_mode: 'MarkdownV2',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'ok', callback_data: 'ok' }]] }),
    });
    expect(sent.status).toBe(200);
    const doc = sent.body.result.document;
    expect(doc).toMatchObject({
      file_name: 'report final.zip',
      mime_type: 'application/zip',
      file_size: 30_000,
    });
    expect(sent.body.result.caption).toBe('the report');
    expect(sent.body.result.caption_entities).toEqual([{ type: 'bold', offset: 4, length: 6 }]);
    expect(tg.chatLog(dm)[0]?.document).toEqual({
      fileName: 'report final.zip',
      mimeType: 'application/zip',
      size: 30_000,
    });
    expect(tg.file(doc.file_id)?.bytes.equals(Buffer.from(bytes))).toBe(true);

    const file = await callApi(tg, 'getFile', { file_id: doc.file_id });
    expect(file.body.result).toEqual({
      file_id: doc.file_id,
      file_unique_id: doc.file_unique_id,
      file_size: 30_000,
      file_path: expect.stringMatching(/^documents\/file_\d+\.zip$/),
    });
    const download = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.body.result.file_path}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('resends a document by file_id without a new upload', async () => {
    const first = await upload(new Uint8Array([1, 2, 3]), 'a.bin');
    const again = await callApi(tg, 'sendDocument', {
      chat_id: dm,
      document: first.body.result.document.file_id,
    });
    expect(again.body.result.document.file_id).toBe(first.body.result.document.file_id);
    expect(tg.chatLog(dm)).toHaveLength(2);
  });

  it('answers 413 with an HTML page to an upload over the size limit', async () => {
    const res = await upload(new Uint8Array(64 * 1024 + 1), 'big.bin');
    expect(res.status).toBe(413);
    expect(res.body).toContain('413 Request Entity Too Large');
    expect(tg.chatLog(dm)).toEqual([]);
  });

  it.each([
    ['an empty file', () => upload(new Uint8Array(0), 'empty.txt'), 'Bad Request: file must be non-empty'],
    [
      'an unknown file_id',
      () => callApi(tg, 'sendDocument', { chat_id: dm, document: 'nope' }),
      'Bad Request: wrong file identifier/HTTP URL specified',
    ],
    [
      'a caption over 1024 code points',
      () => upload(new Uint8Array([1]), 'a.txt', { caption: '🐙'.repeat(1025) }),
      'Bad Request: message caption is too long',
    ],
  ])('refuses %s', async (_name, act, description) => {
    const res = await act();
    expect(res.status).toBe(400);
    expect(res.body.description).toBe(description);
  });

  it('refuses getFile for a file over the download limit', async () => {
    const m = tg.sendUserMessage({
      chatId: dm,
      from: alice,
      document: { fileName: 'huge.log', bytes: Buffer.alloc(32 * 1024 + 1) },
    });
    const res = await callApi(tg, 'getFile', { file_id: m.document!.file_id });
    expect(res.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: file is too big' });
  });

  it('refuses getFile for an unknown file and serves no file to a wrong token', async () => {
    expect((await callApi(tg, 'getFile', { file_id: 'x' })).body.description).toBe(
      'Bad Request: invalid file_id',
    );
    const m = tg.sendUserMessage({ chatId: dm, from: alice, document: { fileName: 'a.txt', bytes: 'a' } });
    const path = (await callApi(tg, 'getFile', { file_id: m.document!.file_id })).body.result.file_path;
    expect((await fetch(`${tg.apiRoot}/file/bot123456:wrong/${path}`)).status).toBe(404);
  });
});
