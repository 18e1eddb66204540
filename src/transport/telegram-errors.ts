import { redactSecrets } from '../logging/redact.ts';

/**
 * The Bot API answered and refused the call (`{"ok":false,…}`): Telegram itself said no.
 *
 * Match on `description` (the server's stable text), never on `errorCode` alone: Telegram reuses
 * 400 for a dozen unrelated refusals.
 *
 * @example
 * try { await client.editMessageText(edit); }
 * catch (err) { if (isNotModified(err)) return; throw err; }
 * // err.message: "Call to 'editMessageText' failed! (400: Bad Request: message is not modified: …)"
 */
export class TelegramApiError extends Error {
  override readonly name = 'TelegramApiError';
  /** Seconds to wait before the next call to this chat (429 only). */
  readonly retryAfter: number | undefined;
  /** The supergroup a basic group was upgraded to (400 `group chat was upgraded…`). */
  readonly migrateToChatId: number | undefined;

  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
    parameters: { retry_after?: number | undefined; migrate_to_chat_id?: number | undefined } = {},
    options: { cause?: unknown } = {},
  ) {
    super(redactSecrets(`Call to '${method}' failed! (${errorCode}: ${description})`), options);
    this.retryAfter = parameters.retry_after;
    this.migrateToChatId = parameters.migrate_to_chat_id;
  }
}

/**
 * The call never got a Bot API answer: connection refused or reset, timeout, or a proxy page
 * instead of JSON (then `httpStatus` is set, e.g. 502 or 413). Whether a send went through is
 * unknown, so a retried send may arrive twice.
 *
 * @example
 * new TelegramNetworkError('sendMessage', { timedOutMs: 30_000 }).message;
 * // → "Request to 'sendMessage' timed out after 30000 ms"
 */
export class TelegramNetworkError extends Error {
  override readonly name = 'TelegramNetworkError';
  readonly httpStatus: number | undefined;
  readonly timedOut: boolean;

  constructor(
    readonly method: string,
    details: {
      httpStatus?: number | undefined;
      statusText?: string | undefined;
      timedOutMs?: number | undefined;
      detail?: string | undefined;
    } = {},
    options: { cause?: unknown } = {},
  ) {
    super(redactSecrets(networkMessage(method, details)), options);
    this.httpStatus = details.httpStatus;
    this.timedOut = details.timedOutMs !== undefined;
  }
}

export type TelegramError = TelegramApiError | TelegramNetworkError;

function networkMessage(
  method: string,
  details: {
    httpStatus?: number | undefined;
    statusText?: string | undefined;
    timedOutMs?: number | undefined;
    detail?: string | undefined;
  },
): string {
  if (details.timedOutMs !== undefined)
    return `Request to '${method}' timed out after ${details.timedOutMs} ms`;
  let message = `Network request for '${method}' failed!`;
  if (details.httpStatus !== undefined)
    message += ` (${details.httpStatus}: ${details.statusText ?? 'HTTP error'})`;
  if (details.detail) message += ` ${details.detail}`;
  return message;
}

function descriptionOf(err: unknown): string | undefined {
  return err instanceof TelegramApiError ? err.description : undefined;
}

function describes(err: unknown, pattern: RegExp): boolean {
  const description = descriptionOf(err);
  return description !== undefined && pattern.test(description);
}

/** 400 `message is not modified`: the edit changed nothing, which is what the caller wanted. */
export function isNotModified(err: unknown): boolean {
  return describes(err, /message is not modified/i);
}

/**
 * The message to edit or delete is gone or out of reach (deleted, unknown, not the bot's, too
 * old): retrying cannot help; send a new message instead, or drop the operation.
 */
export function isMessageGone(err: unknown): boolean {
  return describes(
    err,
    /message to (edit|delete) not found|message can't be (edited|deleted)|MESSAGE_ID_INVALID/i,
  );
}

/** The entities were refused (bad offsets, too much markup): the same text without them will pass. */
export function isEntityError(err: unknown): boolean {
  return describes(
    err,
    /can't parse (entities|MessageEntity)|ENTITIES_TOO_LONG|entit(y|ies)\b.*\b(offset|length)|ENTITY_/i,
  );
}

/** Over 4096 code points after parsing, or over 32 KiB raw: split the text and try again. */
export function isTooLong(err: unknown): boolean {
  return describes(err, /message is too long|text is too long|MESSAGE_TOO_LONG/i);
}

/** The empty text refusal: nothing to send (a renderer bug, but one a final must survive). */
export function isTextEmpty(err: unknown): boolean {
  return describes(err, /message text is empty|text must be non-empty/i);
}

/**
 * The topic cannot take the message (bad, deleted or closed topic, or General passed as 1): the
 * message can still reach the chat without `message_thread_id`.
 */
export function isThreadNotFound(err: unknown): boolean {
  return describes(err, /message thread not found|TOPIC_DELETED|TOPIC_CLOSED|TOPIC_ID_INVALID/i);
}

/** The message to reply to is gone: send without the reply. */
export function isReplyNotFound(err: unknown): boolean {
  return describes(err, /(message to be replied|replied message) not found/i);
}

/** 429 flood control. `retryAfterMs` says how long the chat must stay quiet. */
export function isRateLimited(err: unknown): boolean {
  return err instanceof TelegramApiError && (err.errorCode === 429 || err.retryAfter !== undefined);
}

/** How long a 429 asks to wait; `fallbackMs` when the server gave no `retry_after`. */
export function retryAfterMs(err: unknown, fallbackMs = 5_000): number {
  if (err instanceof TelegramApiError && err.retryAfter !== undefined && err.retryAfter >= 0)
    return err.retryAfter * 1000;
  return fallbackMs;
}

/**
 * Worth trying again later, unchanged: 429, 5xx and failures that never reached the API (except a
 * proxy's 4xx page, such as 413 for an upload that is too large).
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TelegramNetworkError)
    return err.httpStatus === undefined || err.httpStatus >= 500 || err.httpStatus === 429;
  if (err instanceof TelegramApiError) return err.errorCode === 429 || err.errorCode >= 500;
  return false;
}

/**
 * Retrying cannot ever succeed for this chat as it is: the bot was blocked, kicked or never
 * started, the chat does not exist, or the token is bad.
 */
export function isChatUnreachable(err: unknown): boolean {
  if (!(err instanceof TelegramApiError)) return false;
  return (
    err.errorCode === 401 ||
    err.errorCode === 403 ||
    /chat not found|group chat was upgraded/i.test(err.description)
  );
}
