import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { File, Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/logging/logger.ts';
import type { FileWait } from '../../../src/machines/topic.types.ts';
import type { InboxRow } from '../../../src/store/inbox.repository.ts';
import { FileTransfer, waitLane } from '../../../src/transport/files/file-transfer.ts';
import type { ResolvedPrompt } from '../../../src/transport/resolve-prompt.ts';
import type { IncomingMessage } from '../../../src/transport/routing/message-kind.ts';
import { useTempDir } from '../../support/temp-dir.ts';

const tempDir = useTempDir();

function incoming(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    chatId: -100,
    chatType: 'supergroup',
    messageId: 9,
    date: 1,
    senderId: 7,
    senderIsBot: false,
    text: '',
    entities: [],
    textSource: 'none',
    forwarded: false,
    media: 'document',
    ...overrides,
  };
}

function documentRow(updateId: number, fileName = 'a.txt'): InboxRow {
  const update = {
    update_id: updateId,
    message: {
      message_id: 9,
      date: 1,
      chat: { id: -100, type: 'supergroup', title: 'g' },
      document: { file_id: `F${updateId}`, file_unique_id: 'u', file_name: fileName, file_size: 5 },
    },
  } as unknown as Update;
  return { updateId, payload: update } as unknown as InboxRow;
}

/** File transfer over stubs: a Bot API client, a runtime whose topic may wait, a recording host. */
function setup(options: { wait?: FileWait; getFile?: (signal?: AbortSignal) => Promise<File> } = {}) {
  const root = tempDir();
  const settings = validateConfig(
    {
      transports: {
        telegram: { bot_token: '1:x', chat_id: -100, files: { enabled: true, allowed_user_ids: [7, 8] } },
      },
    },
    '/tmp/tentacle.toml',
    { env: {} },
  );
  const consumed: number[] = [];
  const skipped: number[] = [];
  const replies: { text: string; ids: readonly number[] }[] = [];
  const events: { topicKey: string; type: string }[] = [];
  const transfer = new FileTransfer({
    settings,
    logger: silentLogger(),
    store: {
      transaction: <T>(fn: () => T) => fn(),
      inbox: {
        markConsumed: (id: number) => consumed.push(id),
        markSkipped: (id: number) => skipped.push(id),
      } as never,
    },
    runtime: {
      deliver: (topic, event) => events.push({ topicKey: topic.topicKey, type: event.type }),
      view: (topicKey) =>
        options.wait && topicKey === 'tg:-100:u7'
          ? ({ topicKey, state: 'awaiting-file', context: { fileWait: options.wait } } as never)
          : undefined,
    },
    client: {
      getFile: vi.fn(
        async (fileId: string, call?: { signal?: AbortSignal }) =>
          (await options.getFile?.(call?.signal)) ?? {
            file_id: fileId,
            file_unique_id: 'u',
            file_size: 5,
            file_path: 'documents/file_1.txt',
          },
      ),
      downloadFile: vi.fn(async () => Buffer.from('bytes')),
    },
    scheduler: { run: vi.fn() },
    bot: { username: 'tentacle_bot' },
    host: {
      reply: (_message, text, ids, alongside) => {
        alongside?.();
        replies.push({ text, ids });
        for (const id of ids) consumed.push(id);
      },
      runPrompt: vi.fn(),
      resolve: () =>
        ({
          ok: true,
          job: { cwd: root, context: null },
          worktree: undefined,
          bindTopic: undefined,
        }) as unknown as ResolvedPrompt,
      bindTopic: vi.fn(),
      isAdmin: async () => false,
      triggers: () => true,
    },
  });
  const settled = () =>
    vi.waitFor(() => {
      if (replies.length === 0) throw new Error('no reply yet');
    });
  return { transfer, root, consumed, skipped, replies, events, settled };
}

describe('FileTransfer', () => {
  it('holds an upload’s update while it downloads, then consumes it with the reply', async () => {
    const t = setup();
    expect(t.transfer.media(documentRow(41), incoming())).toBe(true);
    expect(t.transfer.holds(41)).toBe(true);
    expect(t.consumed).toEqual([]);
    await t.settled();
    expect(t.replies).toEqual([{ text: 'saved `incoming/a.txt` (5 b)', ids: [41] }]);
    expect(readFileSync(join(t.root, 'incoming', 'a.txt'), 'utf8')).toBe('bytes');
    expect(t.transfer.holds(41)).toBe(true);
  });

  it('leaves an update pending, unanswered, when the bridge stops during its download', async () => {
    let asked = false;
    const t = setup({
      getFile: (signal) => {
        asked = true;
        return new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        );
      },
    });
    t.transfer.media(documentRow(42), incoming());
    await vi.waitFor(() => expect(asked).toBe(true));
    expect(t.transfer.holds(42)).toBe(true);
    await t.transfer.stop();
    expect(t.replies).toEqual([]);
    expect(t.consumed).toEqual([]);
    expect(t.skipped).toEqual([]);
    // Released for the next boot, not remembered as done.
    expect(t.transfer.holds(42)).toBe(false);
  });

  it('saves the awaited upload at the waited path and ends the wait in the same reply', async () => {
    const wait: FileWait = {
      path: 'docs/later.txt',
      force: false,
      senderId: 7,
      messageId: 3,
      root: '',
      deadline: Date.now() + 60_000,
    };
    const t = setup({ wait });
    wait.root = t.root;
    expect(t.transfer.media(documentRow(43), incoming())).toBe(true);
    await t.settled();
    expect(t.replies).toEqual([{ text: 'saved `docs/later.txt` (5 b)', ids: [43] }]);
    expect(t.events).toEqual([{ topicKey: 'tg:-100:u7', type: 'FILE.RECEIVED' }]);
  });

  it.each([
    ['another sender', { senderId: 8 }, Date.now() + 60_000],
    ['a wait past its deadline', {}, Date.now() - 1],
  ])('does not give the awaited path to %s', async (_case, sender, deadline) => {
    const t = setup({
      wait: { path: 'later.txt', force: false, senderId: 7, messageId: 3, root: '/nowhere', deadline },
    });
    t.transfer.media(documentRow(44), incoming(sender));
    await t.settled();
    expect(t.replies[0]?.text).toBe('saved `incoming/a.txt` (5 b)');
    expect(t.events).toEqual([]);
  });
});

describe('waitLane', () => {
  it.each([
    [{ chatType: 'private' as const, chatId: 5, senderId: 5 }, 'tg:5', null],
    [{ chatType: 'supergroup' as const, chatId: -100, senderId: 7 }, 'tg:-100:u7', null],
    [{ chatType: 'supergroup' as const, chatId: -100, senderId: 7, threadId: 42 }, 'tg:-100:42', 42],
  ])('puts the wait of %j in %s', (where, topicKey, threadId) => {
    expect(waitLane(incoming(where))).toEqual({ topicKey, chatId: where.chatId, threadId });
  });
});
