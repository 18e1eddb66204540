import type { File, Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/logging/logger.ts';
import type { InboxRow } from '../../../src/store/inbox.repository.ts';
import type { IncomingMessage } from '../../../src/transport/routing/message-kind.ts';
import { VoiceNotes } from '../../../src/transport/voice/voice-notes.ts';

const message: IncomingMessage = {
  chatId: 5,
  chatType: 'private',
  messageId: 9,
  date: 1,
  senderId: 5,
  senderIsBot: false,
  text: '',
  entities: [],
  textSource: 'none',
  forwarded: false,
  media: 'voice',
};

function row(size: number | undefined = 100): InboxRow {
  const update = {
    update_id: 77,
    message: {
      message_id: 9,
      date: 1,
      chat: { id: 5, type: 'private', first_name: 'A' },
      voice: {
        file_id: 'V',
        file_unique_id: 'v',
        duration: 2,
        ...(size === undefined ? {} : { file_size: size }),
      },
    },
  } as unknown as Update;
  return { updateId: 77, payload: update } as unknown as InboxRow;
}

function setup(
  telegram: Record<string, unknown>,
  options: {
    env?: NodeJS.ProcessEnv;
    getFile?: () => Promise<File>;
    download?: () => Promise<Buffer>;
    transcript?: string;
  } = {},
) {
  const settings = validateConfig(
    { transports: { telegram: { bot_token: '1:x', chat_id: 5, voice_transcription: true, ...telegram } } },
    '/tmp/tentacle.toml',
    { env: {} },
  );
  const replies: { text: string; ids: readonly number[] }[] = [];
  const prompts: { text: string; ids: readonly number[]; prefix: string }[] = [];
  const transcribe = vi.fn(async () => ({ ok: true as const, text: options.transcript ?? 'hello there' }));
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const voice = new VoiceNotes({
    settings,
    logger: silentLogger(),
    env: options.env ?? {},
    transcribe,
    client: {
      getFile:
        options.getFile ??
        (async () => ({ file_id: 'V', file_unique_id: 'v', file_size: 100, file_path: 'voice/a.oga' })),
      downloadFile: options.download ?? (async () => Buffer.from('ogg')),
    },
    host: {
      reply: (_m, text, ids) => {
        replies.push({ text, ids });
        done();
      },
      runPrompt: (_m, text, ids, { promptPrefix }) => {
        prompts.push({ text, ids, prefix: promptPrefix });
        done();
      },
    },
  });
  return { voice, replies, prompts, transcribe, finished };
}

describe('VoiceNotes', () => {
  it('runs the transcript as a prompt with the voice prefix, holding the update until then', async () => {
    const t = setup({ voice_transcription_api_key: 'sk-1' });
    t.voice.handle(row(), message);
    expect(t.voice.holds(77)).toBe(true);
    await t.finished;
    expect(t.prompts).toEqual([{ text: 'hello there', ids: [77], prefix: '(voice transcribed) ' }]);
    expect(t.transcribe).toHaveBeenCalledWith(
      expect.objectContaining({
        baseUrl: 'https://api.openai.com/v1',
        apiKey: 'sk-1',
        model: 'gpt-4o-mini-transcribe',
        fileName: 'voice.ogg',
        timeoutMs: 120_000,
      }),
    );
    // Still remembered after the prompt consumed it, so a stale drain pass skips it.
    expect(t.voice.holds(77)).toBe(true);
  });

  it('falls back to OPENAI_API_KEY from the environment', async () => {
    const t = setup({}, { env: { OPENAI_API_KEY: 'sk-env' } });
    t.voice.handle(row(), message);
    await t.finished;
    expect(t.transcribe).toHaveBeenCalledWith(expect.objectContaining({ apiKey: 'sk-env' }));
  });

  it('calls a local server given as base URL without a key', async () => {
    const t = setup({ voice_transcription_base_url: 'http://127.0.0.1:9/v1' });
    t.voice.handle(row(), message);
    await t.finished;
    expect(t.transcribe).toHaveBeenCalledWith(
      expect.objectContaining({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined }),
    );
  });

  it.each([
    [
      'transcription is off',
      { voice_transcription: false },
      {},
      /^voice transcription is disabled\. enable it/,
    ],
    ['OpenAI has no key', {}, {}, /^voice transcription failed: no API key/],
    [
      'Telegram says the note is too large',
      { voice_max_bytes: 10 },
      {},
      /^voice message is too large to transcribe\.$/,
    ],
    [
      'getFile fails',
      { voice_transcription_api_key: 'k' },
      { getFile: async () => Promise.reject(new Error('400: Bad Request: invalid file_id')) },
      /^failed to fetch voice file\.$/,
    ],
    [
      'getFile refuses the size',
      { voice_transcription_api_key: 'k' },
      { getFile: async () => Promise.reject(new Error('400: Bad Request: file is too big')) },
      /^voice message is too large to transcribe\.$/,
    ],
    [
      'the download fails',
      { voice_transcription_api_key: 'k' },
      { download: async () => Promise.reject(new Error('HTTP 502')) },
      /^failed to download voice file\.$/,
    ],
    [
      'the transcript is empty',
      { voice_transcription_api_key: 'k' },
      { transcript: '' },
      /^voice transcription returned no text\.$/,
    ],
  ] as const)('replies and runs nothing when %s', async (_case, telegram, options, reply) => {
    const t = setup(telegram, options);
    t.voice.handle(row(), message);
    await t.finished;
    expect(t.prompts).toEqual([]);
    expect(t.replies).toEqual([{ text: expect.stringMatching(reply), ids: [77] }]);
  });
});
