import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type {
  BotCommand,
  BotCommandScope,
  ChatFullInfo,
  ChatMember,
  File,
  ForumTopic,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  Update,
  UserFromGetMe,
} from 'grammy/types';
import { TelegramApiError, TelegramNetworkError } from './telegram-errors.ts';

/** Per-call options: a caller's abort (shutdown) and a timeout other than the client's default. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** A text message to send, already rendered to text + entities (`parse_mode` is never used). */
export interface OutgoingText {
  chatId: number;
  /** A forum topic. Omitted (and 1, General, is treated as omitted): General takes no thread id. */
  threadId?: number | undefined;
  text: string;
  entities?: readonly MessageEntity[] | undefined;
  replyToMessageId?: number | undefined;
  /** Send anyway when the message to reply to is gone. */
  allowSendingWithoutReply?: boolean | undefined;
  replyMarkup?: InlineKeyboardMarkup | undefined;
  disableNotification?: boolean | undefined;
}

/** New text for a message the bot sent. */
export interface TextEdit {
  chatId: number;
  messageId: number;
  text: string;
  entities?: readonly MessageEntity[] | undefined;
  /** Leaving it out removes the message's inline keyboard: pass it again on every edit that keeps it. */
  replyMarkup?: InlineKeyboardMarkup | undefined;
}

/** A file to upload as a document. */
export interface OutgoingDocument {
  chatId: number;
  threadId?: number | undefined;
  /** The bytes, or a local path to read. */
  document: Uint8Array | string;
  fileName: string;
  caption?: string | undefined;
  captionEntities?: readonly MessageEntity[] | undefined;
  replyToMessageId?: number | undefined;
  allowSendingWithoutReply?: boolean | undefined;
  disableNotification?: boolean | undefined;
}

export type ChatAction =
  | 'typing'
  | 'upload_document'
  | 'upload_photo'
  | 'record_voice'
  | 'upload_voice'
  | 'find_location';

export interface TelegramClientOptions {
  token: string;
  /** Bot API root without a trailing slash; a local Bot API server or a test fake goes here. */
  apiRoot?: string | undefined;
  /** Default timeout per call (getUpdates adds its long-poll wait to it). Default 30 s. */
  timeoutMs?: number | undefined;
  /** For tests: the `fetch` grammY and downloads use. */
  fetch?: typeof fetch | undefined;
}

export const DEFAULT_API_ROOT = 'https://api.telegram.org';
const DEFAULT_TIMEOUT_MS = 30_000;
const NO_PREVIEW = { is_disabled: true } as const;

/**
 * The Bot API methods the bridge uses, over grammY's `Api`, with one timeout per call and errors
 * that say who failed: `TelegramApiError` when Telegram refused, `TelegramNetworkError` when no
 * answer came. It applies the bridge-wide rules once: link previews are off on every text send
 * and edit, and `message_thread_id` is sent only for a real topic (never 1, General).
 *
 * @example
 * const client = new TelegramClient({ token, apiRoot: 'http://127.0.0.1:8081' });
 * const sent = await client.sendMessage({ chatId, threadId: 42, text: 'starting', replyToMessageId: 7 });
 * await client.editMessageText({ chatId, messageId: sent.message_id, text: 'working', replyMarkup });
 */
export class TelegramClient {
  readonly #api: Api;
  readonly #token: string;
  readonly #apiRoot: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: TelegramClientOptions) {
    this.#token = options.token;
    this.#apiRoot = (options.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#api = new Api(this.#token, {
      apiRoot: this.#apiRoot,
      // Our own per-call timer decides; grammY's must never fire first.
      timeoutSeconds: 24 * 3600,
      fetch: statusAwareFetch(this.#fetch) as never,
    });
  }

  getMe(options?: CallOptions): Promise<UserFromGetMe> {
    return this.#call('getMe', (signal) => this.#api.raw.getMe(signal), options);
  }

  /** Long polling: the call's timeout is the poll wait plus the client's default. */
  getUpdates(
    params: { offset?: number; limit?: number; timeout?: number; allowed_updates?: readonly string[] },
    options: CallOptions = {},
  ): Promise<Update[]> {
    const timeoutMs = options.timeoutMs ?? (params.timeout ?? 0) * 1000 + this.#timeoutMs;
    return this.#call(
      'getUpdates',
      (signal) => this.#api.raw.getUpdates(params as Parameters<Api['raw']['getUpdates']>[0], signal),
      { ...options, timeoutMs },
    );
  }

  sendMessage(message: OutgoingText, options?: CallOptions): Promise<Message.TextMessage> {
    const payload = {
      chat_id: message.chatId,
      text: message.text,
      link_preview_options: NO_PREVIEW,
      ...threadField(message.threadId),
      ...entitiesField('entities', message.entities),
      ...replyField(message.replyToMessageId, message.allowSendingWithoutReply),
      ...(message.replyMarkup ? { reply_markup: message.replyMarkup } : {}),
      ...(message.disableNotification !== undefined
        ? { disable_notification: message.disableNotification }
        : {}),
    };
    return this.#call('sendMessage', (signal) => this.#api.raw.sendMessage(payload, signal), options);
  }

  /** Returns the edited message (or `true` for inline-mode messages). */
  editMessageText(edit: TextEdit, options?: CallOptions): Promise<Message.TextMessage | true> {
    const payload = {
      chat_id: edit.chatId,
      message_id: edit.messageId,
      text: edit.text,
      link_preview_options: NO_PREVIEW,
      ...entitiesField('entities', edit.entities),
      ...(edit.replyMarkup ? { reply_markup: edit.replyMarkup } : {}),
    };
    return this.#call(
      'editMessageText',
      (signal) => this.#api.raw.editMessageText(payload, signal) as Promise<Message.TextMessage | true>,
      options,
    );
  }

  /** Replaces the inline keyboard; without `replyMarkup` it removes it. */
  editMessageReplyMarkup(
    target: { chatId: number; messageId: number; replyMarkup?: InlineKeyboardMarkup | undefined },
    options?: CallOptions,
  ): Promise<Message | true> {
    const payload = {
      chat_id: target.chatId,
      message_id: target.messageId,
      ...(target.replyMarkup ? { reply_markup: target.replyMarkup } : {}),
    };
    return this.#call(
      'editMessageReplyMarkup',
      (signal) => this.#api.raw.editMessageReplyMarkup(payload, signal) as Promise<Message | true>,
      options,
    );
  }

  deleteMessage(chatId: number, messageId: number, options?: CallOptions): Promise<true> {
    return this.#call(
      'deleteMessage',
      (signal) => this.#api.raw.deleteMessage({ chat_id: chatId, message_id: messageId }, signal),
      options,
    );
  }

  answerCallbackQuery(
    callbackQueryId: string,
    answer: { text?: string; showAlert?: boolean } = {},
    options?: CallOptions,
  ): Promise<true> {
    const payload = {
      callback_query_id: callbackQueryId,
      ...(answer.text !== undefined ? { text: answer.text } : {}),
      ...(answer.showAlert !== undefined ? { show_alert: answer.showAlert } : {}),
    };
    return this.#call(
      'answerCallbackQuery',
      (signal) => this.#api.raw.answerCallbackQuery(payload, signal),
      options,
    );
  }

  setMyCommands(
    commands: readonly BotCommand[],
    scope: { scope?: BotCommandScope; language_code?: string } = {},
    options?: CallOptions,
  ): Promise<true> {
    return this.#call(
      'setMyCommands',
      (signal) => this.#api.raw.setMyCommands({ commands, ...scope } as never, signal),
      options,
    );
  }

  getChat(chatId: number, options?: CallOptions): Promise<ChatFullInfo> {
    return this.#call('getChat', (signal) => this.#api.raw.getChat({ chat_id: chatId }, signal), options);
  }

  getChatMember(chatId: number, userId: number, options?: CallOptions): Promise<ChatMember> {
    return this.#call(
      'getChatMember',
      (signal) => this.#api.raw.getChatMember({ chat_id: chatId, user_id: userId }, signal),
      options,
    );
  }

  createForumTopic(
    chatId: number,
    name: string,
    extra: { icon_color?: number; icon_custom_emoji_id?: string } = {},
    options?: CallOptions,
  ): Promise<ForumTopic> {
    return this.#call(
      'createForumTopic',
      (signal) => this.#api.raw.createForumTopic({ chat_id: chatId, name, ...extra } as never, signal),
      options,
    );
  }

  editForumTopic(
    chatId: number,
    threadId: number,
    changes: { name?: string; icon_custom_emoji_id?: string },
    options?: CallOptions,
  ): Promise<true> {
    return this.#call(
      'editForumTopic',
      (signal) =>
        this.#api.raw.editForumTopic({ chat_id: chatId, message_thread_id: threadId, ...changes }, signal),
      options,
    );
  }

  sendDocument(doc: OutgoingDocument, options?: CallOptions): Promise<Message.DocumentMessage> {
    const payload = {
      chat_id: doc.chatId,
      document: new InputFile(doc.document, doc.fileName),
      ...threadField(doc.threadId),
      ...(doc.caption !== undefined ? { caption: doc.caption } : {}),
      ...entitiesField('caption_entities', doc.captionEntities),
      ...replyField(doc.replyToMessageId, doc.allowSendingWithoutReply),
      ...(doc.disableNotification !== undefined ? { disable_notification: doc.disableNotification } : {}),
    };
    return this.#call('sendDocument', (signal) => this.#api.raw.sendDocument(payload, signal), options);
  }

  getFile(fileId: string, options?: CallOptions): Promise<File> {
    return this.#call('getFile', (signal) => this.#api.raw.getFile({ file_id: fileId }, signal), options);
  }

  /**
   * The bytes of a file `getFile` described. A local Bot API server answers with an absolute path
   * on its own disk, which is read directly. The download URL holds the token, so it never
   * appears in an error.
   */
  async downloadFile(
    file: Pick<File, 'file_path'>,
    options: CallOptions & { maxBytes?: number } = {},
  ): Promise<Buffer> {
    const path = file.file_path;
    if (!path)
      throw new TelegramNetworkError('downloadFile', { detail: 'the file has no file_path (call getFile)' });
    if (isAbsolute(path)) return readFile(path);
    const url = `${this.#apiRoot}/file/bot${this.#token}/${path.split('/').map(encodeURIComponent).join('/')}`;
    return this.#call(
      'downloadFile',
      async (signal) => {
        const response = await this.#fetch(url, { signal });
        if (!response.ok) {
          throw new TelegramNetworkError('downloadFile', {
            httpStatus: response.status,
            statusText: response.statusText,
          });
        }
        const declared = Number(response.headers.get('content-length') ?? Number.NaN);
        if (options.maxBytes !== undefined && declared > options.maxBytes) {
          await response.body?.cancel();
          throw new TelegramNetworkError('downloadFile', { detail: `file over ${options.maxBytes} bytes` });
        }
        const bytes = Buffer.from(await response.arrayBuffer());
        if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
          throw new TelegramNetworkError('downloadFile', { detail: `file over ${options.maxBytes} bytes` });
        }
        return bytes;
      },
      options,
    );
  }

  sendChatAction(
    chatId: number,
    action: ChatAction,
    threadId?: number,
    options?: CallOptions,
  ): Promise<true> {
    return this.#call(
      'sendChatAction',
      (signal) => this.#api.raw.sendChatAction({ chat_id: chatId, action, ...threadField(threadId) }, signal),
      options,
    );
  }

  async #call<T>(
    method: string,
    run: (signal: CallSignal) => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const outer = options.signal;
    const forwardAbort = () => controller.abort();
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener('abort', forwardAbort, { once: true });
    try {
      return await run(controller.signal as CallSignal);
    } catch (err) {
      throw toTelegramError(method, err, timedOut ? timeoutMs : undefined);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forwardAbort);
    }
  }
}

/** grammY types signals with the `abort-controller` polyfill; at run time it takes Node's own. */
type CallSignal = AbortSignal & NonNullable<Parameters<Api['raw']['deleteMessage']>[1]>;

/** General (thread 1) and "no topic" both mean: leave the field out. */
function threadField(threadId: number | undefined): { message_thread_id?: number } {
  return threadId !== undefined && threadId !== 1 ? { message_thread_id: threadId } : {};
}

function entitiesField<K extends string>(
  key: K,
  entities: readonly MessageEntity[] | undefined,
): Partial<Record<K, MessageEntity[]>> {
  return entities && entities.length > 0 ? ({ [key]: [...entities] } as Record<K, MessageEntity[]>) : {};
}

function replyField(
  messageId: number | undefined,
  allowWithoutReply: boolean | undefined,
): { reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean } } {
  if (messageId === undefined) return {};
  return {
    reply_parameters: {
      message_id: messageId,
      ...(allowWithoutReply !== undefined ? { allow_sending_without_reply: allowWithoutReply } : {}),
    },
  };
}

/** A proxy page (HTML 502, 413…) instead of the Bot API's JSON envelope. */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`HTTP ${status} ${statusText}`);
  }
}

/**
 * grammY reads every answer as JSON, so an HTML error page would surface as a bare parse error;
 * throwing first keeps the HTTP status, which decides whether a retry can help.
 */
function statusAwareFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!response.ok && !(response.headers.get('content-type') ?? '').includes('json')) {
      await response.body?.cancel().catch(() => {});
      throw new HttpStatusError(response.status, response.statusText);
    }
    return response;
  };
}

/** Classifies whatever a call threw: the API refused, or no answer came. */
export function toTelegramError(method: string, err: unknown, timedOutMs?: number): Error {
  if (err instanceof TelegramApiError || err instanceof TelegramNetworkError) return err;
  if (err instanceof GrammyError) {
    return new TelegramApiError(method, err.error_code, err.description, err.parameters, { cause: err });
  }
  if (timedOutMs !== undefined) return new TelegramNetworkError(method, { timedOutMs }, { cause: err });
  const inner = err instanceof HttpError ? err.error : err;
  if (inner instanceof HttpStatusError) {
    return new TelegramNetworkError(
      method,
      { httpStatus: inner.status, statusText: inner.statusText },
      { cause: err },
    );
  }
  return new TelegramNetworkError(method, { detail: describeFailure(inner) }, { cause: err });
}

/** `fetch failed (ECONNREFUSED)`: Node's fetch hides the useful part in `cause.code`. */
function describeFailure(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}
