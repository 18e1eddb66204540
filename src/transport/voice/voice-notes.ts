import type { File, Message, Update } from 'grammy/types';
import type { Settings } from '../../config/load-config.ts';
import type { Logger } from '../../logging/logger.ts';
import type { InboxRow } from '../../store/inbox.repository.ts';
import { HeldUpdates } from '../files/held-updates.ts';
import type { IncomingMessage } from '../routing/message-kind.ts';
import type { TelegramClient } from '../telegram-client.ts';
import { DEFAULT_TRANSCRIPTION_BASE_URL, type TranscriptionResult, transcribe } from './transcribe.ts';

/** What voice notes need from the router. */
export interface VoiceNotesHost {
  /** A durable reply to `message` that consumes `updateIds`. */
  reply(message: IncomingMessage, markdown: string, updateIds: readonly number[]): void;
  /** Runs `text` as if typed in `message`; `promptPrefix` goes before the prompt once directives are read. */
  runPrompt(
    message: IncomingMessage,
    text: string,
    updateIds: readonly number[],
    options: { promptPrefix: string },
  ): void;
}

export interface VoiceNotesOptions {
  settings: Settings;
  client: Pick<TelegramClient, 'getFile' | 'downloadFile'>;
  host: VoiceNotesHost;
  logger: Logger;
  /** Where `OPENAI_API_KEY` is read when the config has no key (default: the bridge's environment). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Transcription call (default: `transcribe` over `fetch`). */
  transcribe?: typeof transcribe;
}

export const VOICE_TEXT = {
  disabled:
    'voice transcription is disabled. enable it in config:\n```toml\n[transports.telegram]\nvoice_transcription = true\n```',
  tooLarge: 'voice message is too large to transcribe.',
  fetchFailed: 'failed to fetch voice file.',
  downloadFailed: 'failed to download voice file.',
  empty: 'voice transcription returned no text.',
  noKey: 'voice transcription failed: no API key (set `voice_transcription_api_key` or `OPENAI_API_KEY`).',
} as const;

/** Put before a transcribed prompt, so the engine knows the words were spoken. */
export const VOICE_PREFIX = '(voice transcribed) ';
const TIMEOUT_MS = 120_000;

/**
 * Voice notes (takopi-behavior.md §9): downloaded through `getFile`, transcribed by an
 * OpenAI-compatible endpoint, and routed like typed text, so spoken directives work; the prompt the
 * engine gets starts with "(voice transcribed) ". The work runs in the background while the update
 * stays held (and pending in SQLite until the prompt or the reply consumes it).
 *
 * @example
 *   const voice = new VoiceNotes({ settings, client, host, logger });
 *   voice.handle(row, message); // later: a run, or a reply saying why not
 */
export class VoiceNotes {
  readonly #o: VoiceNotesOptions;
  readonly #held = new HeldUpdates();
  readonly #tasks = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(options: VoiceNotesOptions) {
    this.#o = options;
  }

  /** A reloaded config (`watch_config`); transport keys, the voice ones included, wait for a restart. */
  applySettings(settings: Settings): void {
    this.#o.settings = settings;
  }

  holds(updateId: number): boolean {
    return this.#held.has(updateId);
  }

  handle(row: InboxRow, message: IncomingMessage): void {
    const ids = [row.updateId];
    const telegram = this.#o.settings.transports.telegram;
    const voice = ((row.payload as Update).message as Message | undefined)?.voice;
    const refusal = !telegram.voice_transcription
      ? VOICE_TEXT.disabled
      : !voice
        ? VOICE_TEXT.fetchFailed
        : voice.file_size !== undefined && voice.file_size > telegram.voice_max_bytes
          ? VOICE_TEXT.tooLarge
          : undefined;
    if (refusal !== undefined || !voice) {
      this.#o.host.reply(message, refusal ?? VOICE_TEXT.fetchFailed, ids);
      return;
    }
    this.#held.hold(ids);
    const task = this.#transcribe(message, voice.file_id, ids)
      .catch((error: unknown) => {
        if (this.#stopped) return;
        this.#o.logger.error({ err: error, updateIds: ids }, 'voice note could not be handled');
        this.#o.host.reply(message, 'voice transcription failed', ids);
      })
      .finally(() => {
        if (this.#stopped) this.#held.drop(ids);
        else this.#held.release(ids);
      });
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
  }

  /** Abandons transcriptions in flight; their updates are handled again on the next boot. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await Promise.allSettled([...this.#tasks]);
  }

  async #transcribe(message: IncomingMessage, fileId: string, ids: number[]): Promise<void> {
    const telegram = this.#o.settings.transports.telegram;
    const signal = this.#abort.signal;
    const maxBytes = telegram.voice_max_bytes;
    let file: File;
    try {
      file = await this.#o.client.getFile(fileId, { signal });
    } catch (error) {
      signal.throwIfAborted();
      const tooBig = /file is too big/i.test(String(error));
      return this.#o.host.reply(message, tooBig ? VOICE_TEXT.tooLarge : VOICE_TEXT.fetchFailed, ids);
    }
    if (file.file_size !== undefined && file.file_size > maxBytes) {
      return this.#o.host.reply(message, VOICE_TEXT.tooLarge, ids);
    }
    let audio: Buffer;
    try {
      audio = await this.#o.client.downloadFile(file, { maxBytes, signal });
    } catch (error) {
      signal.throwIfAborted();
      const tooBig = /file over \d+ bytes/.test(String(error));
      return this.#o.host.reply(message, tooBig ? VOICE_TEXT.tooLarge : VOICE_TEXT.downloadFailed, ids);
    }
    const baseUrl = telegram.voice_transcription_base_url ?? DEFAULT_TRANSCRIPTION_BASE_URL;
    const apiKey = telegram.voice_transcription_api_key ?? (this.#o.env ?? process.env)['OPENAI_API_KEY'];
    // OpenAI itself always wants a key; a local server given as a base URL may not.
    if (!apiKey && telegram.voice_transcription_base_url === null) {
      return this.#o.host.reply(message, VOICE_TEXT.noKey, ids);
    }
    const result: TranscriptionResult = await (this.#o.transcribe ?? transcribe)({
      baseUrl,
      apiKey: apiKey || undefined,
      model: telegram.voice_transcription_model,
      audio,
      fileName: 'voice.ogg',
      mimeType: 'audio/ogg',
      timeoutMs: TIMEOUT_MS,
      signal,
    });
    if (!result.ok) return this.#o.host.reply(message, result.error, ids);
    if (result.text === '') return this.#o.host.reply(message, VOICE_TEXT.empty, ids);
    this.#o.host.runPrompt(message, result.text, ids, { promptPrefix: VOICE_PREFIX });
  }
}
