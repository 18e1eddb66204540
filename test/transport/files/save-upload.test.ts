import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DENY_GLOBS } from '../../../src/config/schema.ts';
import { incomingFile } from '../../../src/transport/files/incoming-file.ts';
import { saveUpload, type UploadPlan } from '../../../src/transport/files/save-upload.ts';
import { TelegramClient } from '../../../src/transport/telegram-client.ts';
import { FakeTelegram } from '../../support/fake-telegram/fake-telegram.ts';
import { useTempDir } from '../../support/temp-dir.ts';

const ALICE = { id: 1001, first_name: 'Alice' };
const tempDir = useTempDir();
let tg: FakeTelegram | undefined;
afterEach(async () => {
  await tg?.stop();
  tg = undefined;
});

async function setup(limits: { downloadMaxBytes?: number } = {}) {
  tg = await FakeTelegram.start({ token: '123456:TEST-save', limits });
  const client = new TelegramClient({ token: tg.token, apiRoot: tg.apiRoot });
  const chat = tg.addPrivateChat(ALICE);
  const root = tempDir();
  const send = (spec: {
    document?: { fileName: string; bytes: string | Buffer };
    photo?: { bytes: string };
  }) => incomingFile(tg!.sendUserMessage({ chatId: chat, from: ALICE, ...spec }))!;
  const save = (file: ReturnType<typeof send>, plan: Partial<UploadPlan>, maxBytes = 1024 * 1024) =>
    saveUpload(
      file,
      { root, path: 'incoming/', force: false, renameIfTaken: false, ...plan },
      { client, maxBytes, denyGlobs: DEFAULT_DENY_GLOBS },
    );
  return { tg, client, root, send, save };
}

describe('saveUpload', () => {
  it('saves into a folder under the sender’s file name and leaves no temporary file behind', async () => {
    const { root, send, save } = await setup();
    const result = await save(send({ document: { fileName: 'spec.pdf', bytes: 'pdf bytes' } }), {});
    expect(result).toEqual({ ok: true, relative: 'incoming/spec.pdf', bytes: 9 });
    expect(readFileSync(join(root, 'incoming', 'spec.pdf'), 'utf8')).toBe('pdf bytes');
    expect(readdirSync(join(root, 'incoming'))).toEqual(['spec.pdf']);
  });

  it('names a photo after Telegram’s file path, since photos carry no file name', async () => {
    const { send, save } = await setup();
    const result = await save(send({ photo: { bytes: 'jpeg' } }), {});
    expect(result).toMatchObject({ ok: true, relative: expect.stringMatching(/^incoming\/file_\d+\.jpg$/) });
  });

  it('writes an exact path, creating its folders', async () => {
    const { root, send, save } = await setup();
    const result = await save(send({ document: { fileName: 'x.bin', bytes: 'abc' } }), { path: 'a/b/c.txt' });
    expect(result).toEqual({ ok: true, relative: 'a/b/c.txt', bytes: 3 });
    expect(readFileSync(join(root, 'a', 'b', 'c.txt'), 'utf8')).toBe('abc');
  });

  it('refuses to overwrite without --force, overwrites with it', async () => {
    const { root, send, save } = await setup();
    writeFileSync(join(root, 'notes.md'), 'old');
    const file = send({ document: { fileName: 'notes.md', bytes: 'new!' } });
    expect(await save(file, { path: 'notes.md' })).toEqual({
      ok: false,
      error: 'file already exists; use --force to overwrite.',
    });
    expect(readFileSync(join(root, 'notes.md'), 'utf8')).toBe('old');
    expect(await save(file, { path: 'notes.md', force: true })).toEqual({
      ok: true,
      relative: 'notes.md',
      bytes: 4,
    });
    expect(readFileSync(join(root, 'notes.md'), 'utf8')).toBe('new!');
  });

  it('accepts the same file sent again to the same path (a redelivered update), without --force', async () => {
    const { send, save } = await setup();
    const file = send({ document: { fileName: 'same.txt', bytes: 'same' } });
    expect(await save(file, {})).toMatchObject({ ok: true });
    expect(await save(file, {})).toEqual({ ok: true, relative: 'incoming/same.txt', bytes: 4 });
  });

  it('numbers a taken name instead of failing when asked to (auto-put)', async () => {
    const { root, send, save } = await setup();
    const first = await save(send({ document: { fileName: 'log.tar.gz', bytes: 'one' } }), {
      renameIfTaken: true,
    });
    const second = await save(send({ document: { fileName: 'log.tar.gz', bytes: 'two' } }), {
      renameIfTaken: true,
    });
    const again = await save(send({ document: { fileName: 'log.tar.gz', bytes: 'two' } }), {
      renameIfTaken: true,
    });
    expect([first, second, again].map((r) => (r.ok ? r.relative : r.error))).toEqual([
      'incoming/log.tar.gz',
      'incoming/log-1.tar.gz',
      'incoming/log-1.tar.gz',
    ]);
    expect(readFileSync(join(root, 'incoming', 'log.tar.gz'), 'utf8')).toBe('one');
  });

  it('refuses a file Telegram says is over the limit without asking for it', async () => {
    const { tg, root, send, save } = await setup();
    const result = await save(
      send({ document: { fileName: 'big.bin', bytes: Buffer.alloc(2048) } }),
      {},
      1024,
    );
    expect(result).toEqual({ ok: false, error: 'file is too large to upload.' });
    expect(tg.callsOf('getFile')).toHaveLength(0);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses a file the Bot API will not serve (over its download limit) as too large', async () => {
    const { root, send, save } = await setup({ downloadMaxBytes: 100 });
    const result = await save(send({ document: { fileName: 'big.bin', bytes: Buffer.alloc(200) } }), {});
    expect(result).toEqual({ ok: false, error: 'file is too large to upload.' });
    expect(readdirSync(root)).toEqual([]);
  });

  it('checks the size again after the download, when Telegram did not tell it', async () => {
    const { root, send } = await setup();
    const file = {
      ...send({ document: { fileName: 'big.bin', bytes: Buffer.alloc(2048) } }),
      size: undefined,
    };
    const client = {
      getFile: async () => ({ file_id: file.fileId, file_unique_id: 'u', file_path: 'documents/big.bin' }),
      downloadFile: async () => Buffer.alloc(2048),
    };
    const result = await saveUpload(
      file,
      { root, path: 'incoming/', force: false, renameIfTaken: false },
      { client, maxBytes: 1024, denyGlobs: [] },
    );
    expect(result).toEqual({ ok: false, error: 'file is too large to upload.' });
    expect(readdirSync(root)).toEqual([]);
  });

  it.each([
    ['getFile', 'failed to fetch file metadata.'],
    ['download', 'failed to download file.'],
  ])('says what failed when %s fails', async (step, error) => {
    const { root } = await setup();
    const client = {
      getFile: async () => {
        if (step === 'getFile')
          throw new Error('Call to getFile failed! (400: Bad Request: invalid file_id)');
        return { file_id: 'f', file_unique_id: 'u', file_path: 'documents/a.txt', file_size: 3 };
      },
      downloadFile: async (): Promise<Buffer> => {
        throw new Error('downloadFile failed: HTTP 502');
      },
    };
    const result = await saveUpload(
      { kind: 'document', fileId: 'f', fileName: 'a.txt', size: 3 },
      { root, path: 'incoming/', force: false, renameIfTaken: false },
      { client, maxBytes: 1024, denyGlobs: [] },
    );
    expect(result).toEqual({ ok: false, error });
    expect(readdirSync(root)).toEqual([]);
  });
});
