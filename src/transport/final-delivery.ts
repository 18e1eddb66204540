import { type Logger, silentLogger } from '../logging/logger.ts';
import type { OutboxRepository, OutboxRow } from '../store/outbox.repository.ts';
import { type Clock, systemClock } from './clock.ts';
import { type FinalDeliveryState, type FinalPayload, parseFinalPayload } from './final-payload.ts';
import { type OutboxClient, OutboxClosedError, type OutboxScheduler } from './outbox-scheduler.ts';
import { codePointLength, indexAfterCodePoints, type RenderedText } from './render/rendered-text.ts';
import { splitBody } from './render/split.ts';
import {
  isEntityError,
  isMessageGone,
  isNotModified,
  isRateLimited,
  isReplyNotFound,
  isRetryable,
  isThreadNotFound,
  isTooLong,
  retryAfterMs,
  TelegramApiError,
} from './telegram-errors.ts';

/** Telegram's text limit, in Unicode code points after parsing. */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const DOCUMENT_NAME = 'answer.md';
/** Tries of the row (each a few calls) to delete a progress message through 5xx before leaving it be. */
const PROGRESS_DELETE_ATTEMPTS = 4;

export interface FinalDeliveryOptions {
  outbox: OutboxRepository<unknown>;
  scheduler: OutboxScheduler;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  /** A row reached Telegram: `messageIds` are the messages that now carry it, in order. */
  onDelivered?: ((rowId: number, messageIds: number[], row: OutboxRow<FinalPayload>) => void) | undefined;
  /** A row was given up (invalid payload, or refused for longer than `abandonAfterMs`). */
  onAbandoned?: ((rowId: number, reason: string, row: OutboxRow<unknown>) => void) | undefined;
  /** Rows refused for good (bot blocked, chat gone) are dropped after this long. Default 7 days. */
  abandonAfterMs?: number | undefined;
  /** Safety net: look for due rows at least this often even without `wake()`. Default 5 s. */
  pollMs?: number | undefined;
  /** Wait before the next try after a 5xx or network failure, by failed attempts so far. */
  backoffMs?: ((attempts: number) => number) | undefined;
}

/** Thrown inside a delivery when `stop()` was called: leave the row as it is, record nothing. */
class DeliveryStopped extends Error {}

/** Every text form was refused: nothing left to try for this row. */
class Undeliverable extends Error {}

function defaultBackoff(attempts: number): number {
  return Math.min(300_000, 2_000 * 2 ** Math.max(0, attempts - 1));
}

function refusedBackoff(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers the durable `outbox` rows (finals, errors, cancelled and interrupted notices): a row is
 * deleted only after Telegram accepted all of it, and its progress is written back after every
 * accepted part, so a final answer is never lost and a part is not sent again after a crash.
 *
 * Rows of one topic go out in order, one at a time; topics and chats go in parallel, through the
 * shared outbox budgets with the highest priority. When Telegram refuses:
 * - 429: the chat pauses for `retry_after` and the row is due again then;
 * - 5xx or no answer: retried with backoff. Telegram may have delivered the message anyway
 *   (reference/telegram.md §11) and the Bot API offers no way to find out, so delivery is
 *   at least once: such a part can arrive twice, but never zero times;
 * - 400 degrades step by step: entity error → the same text without entities; too long → split
 *   again within 4096 code points; thread gone → to the chat without thread; reply target gone
 *   → without reply; progress message gone or not editable → a new message; anything else → the
 *   answer as an `answer.md` document with a one-line caption;
 * - bot blocked, chat gone (403, `chat not found`): tried again rarely, dropped after
 *   `abandonAfterMs` (reported through `onAbandoned`).
 *
 * @example
 * const delivery = new FinalDelivery({ outbox: store.outbox, scheduler, onDelivered: (id, ids) => record(id, ids) });
 * delivery.start();
 * store.transaction(() => { topics.save(next); store.outbox.enqueue({ topicKey, chatId, kind: 'final', payload }); });
 * delivery.wake();
 * await delivery.stop();
 */
export class FinalDelivery {
  readonly #outbox: OutboxRepository<unknown>;
  readonly #scheduler: OutboxScheduler;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onDelivered: NonNullable<FinalDeliveryOptions['onDelivered']>;
  readonly #onAbandoned: NonNullable<FinalDeliveryOptions['onAbandoned']>;
  readonly #abandonAfterMs: number;
  readonly #pollMs: number;
  readonly #backoffMs: (attempts: number) => number;
  /** Topic keys with a row being delivered, and the delivery's promise. */
  readonly #active = new Map<string, Promise<void>>();
  /** Rows whose failure could not be written to the store: held back in memory, not retried in a loop. */
  readonly #holds = new Map<number, number>();
  #timer: unknown;
  #running = false;
  #stopped = false;

  constructor(options: FinalDeliveryOptions) {
    this.#outbox = options.outbox;
    this.#scheduler = options.scheduler;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger();
    this.#onDelivered = options.onDelivered ?? (() => {});
    this.#onAbandoned = options.onAbandoned ?? (() => {});
    this.#abandonAfterMs = options.abandonAfterMs ?? 7 * 24 * 3_600_000;
    this.#pollMs = options.pollMs ?? 5_000;
    this.#backoffMs = options.backoffMs ?? defaultBackoff;
  }

  /** Starts delivering: rows left from before a restart go first. */
  start(): void {
    this.#running = true;
    this.#stopped = false;
    this.wake();
  }

  /** New rows were committed: look now rather than at the next poll. */
  wake(): void {
    if (!this.#running || this.#stopped) return;
    try {
      this.#pass();
    } catch (err) {
      this.#logger.error({ err }, 'final delivery: cannot read the outbox table');
      this.#schedule(this.#clock.now() + this.#pollMs);
    }
  }

  /** Deliveries in progress (topics), for inspection and tests. */
  activeCount(): number {
    return this.#active.size;
  }

  /**
   * Stops taking rows; deliveries in progress stop at their next step (what Telegram accepted is
   * already recorded). Close the scheduler too, so calls waiting for budget end.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#active.values()]);
  }

  #pass(): void {
    const now = this.#clock.now();
    let wakeAt = now + this.#pollMs;
    const firstOfTopic = new Map<string, OutboxRow<unknown>>();
    for (const row of this.#outbox.all())
      if (!firstOfTopic.has(row.topicKey)) firstOfTopic.set(row.topicKey, row);
    for (const row of firstOfTopic.values()) {
      if (this.#active.has(row.topicKey)) continue;
      const dueAt = Math.max(row.nextAttemptAt, this.#holds.get(row.id) ?? 0);
      if (dueAt > now) {
        wakeAt = Math.min(wakeAt, dueAt);
        continue;
      }
      this.#holds.delete(row.id);
      const delivery = this.#deliver(row)
        .catch((err: unknown) =>
          this.#logger.error({ err, rowId: row.id }, `final delivery: row ${row.id} failed`),
        )
        .finally(() => {
          this.#active.delete(row.topicKey);
          this.wake();
        });
      this.#active.set(row.topicKey, delivery);
    }
    this.#schedule(wakeAt);
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.wake();
      },
      Math.max(0, at - this.#clock.now()),
    );
  }

  async #deliver(row: OutboxRow<unknown>): Promise<void> {
    const parsed = parseFinalPayload(row.payload);
    if (!parsed.ok) {
      this.#abandon(row, `invalid payload: ${parsed.reason}`);
      return;
    }
    const payload = parsed.payload;
    const state: FinalDeliveryState = payload.delivery ?? { partsDone: 0, messageIds: [] };
    payload.delivery = state;
    const typedRow = { ...row, payload } as OutboxRow<FinalPayload>;
    if (payload.progress) this.#scheduler.seal(payload.chatId, payload.progress.messageId);
    try {
      await this.#deliverParts(typedRow, payload, state);
      await this.#settleProgress(typedRow, payload, state);
    } catch (err) {
      this.#failed(typedRow, err);
      return;
    }
    try {
      this.#outbox.delete(row.id);
    } catch (err) {
      this.#logger.error({ err, rowId: row.id }, `final delivery: row ${row.id} delivered but not deleted`);
      this.#hold(row.id);
      return;
    }
    this.#logger.info(
      { rowId: row.id, chatId: payload.chatId, messageIds: state.messageIds },
      `final delivery: row ${row.id} delivered to chat ${payload.chatId}`,
    );
    try {
      this.#onDelivered(row.id, [...state.messageIds], typedRow);
    } catch (err) {
      this.#logger.error({ err, rowId: row.id }, 'final delivery: onDelivered failed');
    }
  }

  async #deliverParts(
    row: OutboxRow<FinalPayload>,
    payload: FinalPayload,
    state: FinalDeliveryState,
  ): Promise<void> {
    while (state.partsDone < payload.parts.length) {
      if (this.#stopped) throw new DeliveryStopped();
      const index = state.partsDone;
      const progress = payload.progress;
      if (index === 0 && progress?.disposition === 'edit-in-place' && !state.editFailed) {
        if (await this.#editInPlace(row, payload, progress.messageId)) {
          state.partsDone++;
          state.messageIds.push(progress.messageId);
        } else {
          state.editFailed = true;
        }
        this.#save(row, payload);
        continue;
      }
      await this.#sendPart(row, payload, state, index);
    }
  }

  /** True when the progress message now shows the first part; false when a new message must carry it. */
  async #editInPlace(
    row: OutboxRow<FinalPayload>,
    payload: FinalPayload,
    messageId: number,
  ): Promise<boolean> {
    const part = payload.parts[0]!;
    for (;;) {
      try {
        await this.#call(row, payload, 'editMessageText', (client, signal) =>
          client.editMessageText(
            {
              chatId: this.#chatId(payload),
              messageId,
              text: part.text,
              entities: part.entities,
              replyMarkup: payload.parts.length === 1 ? payload.replyMarkup : undefined,
            },
            { signal },
          ),
        );
        return true;
      } catch (err) {
        if (isNotModified(err)) return true;
        if (isEntityError(err) && part.entities.length > 0) {
          part.entities = [];
          this.#save(row, payload);
          continue;
        }
        if (err instanceof TelegramApiError && err.errorCode === 400) {
          this.#logger.info(
            { rowId: row.id, err },
            `final delivery: progress message ${messageId} cannot show the answer; sending a new message`,
          );
          return false;
        }
        throw err;
      }
    }
  }

  async #sendPart(
    row: OutboxRow<FinalPayload>,
    payload: FinalPayload,
    state: FinalDeliveryState,
    index: number,
  ): Promise<void> {
    const part = payload.parts[index]!;
    for (;;) {
      try {
        const sent = await this.#call(row, payload, 'sendMessage', (client, signal) =>
          client.sendMessage(
            {
              ...this.#placement(payload, state),
              text: part.text,
              entities: part.entities,
              replyMarkup: index === payload.parts.length - 1 ? payload.replyMarkup : undefined,
            },
            { signal },
          ),
        );
        state.partsDone = index + 1;
        state.messageIds.push(sent.message_id);
        this.#save(row, payload);
        return;
      } catch (err) {
        if (!(err instanceof TelegramApiError) || isRateLimited(err) || isRetryable(err)) throw err;
        if (err.migrateToChatId !== undefined && err.migrateToChatId !== state.chatId) {
          state.chatId = err.migrateToChatId;
        } else if (isThreadNotFound(err) && payload.threadId !== undefined && !state.withoutThread) {
          state.withoutThread = true;
        } else if (isReplyNotFound(err) && payload.replyToMessageId !== undefined && !state.withoutReply) {
          state.withoutReply = true;
        } else if (isEntityError(err) && part.entities.length > 0) {
          part.entities = [];
        } else if (isTooLong(err) && codePointLength(part.text) > TEXT_LIMIT) {
          payload.parts.splice(index, 1, ...splitWithin(part, TEXT_LIMIT));
          this.#save(row, payload);
          return;
        } else if (err.errorCode === 400) {
          await this.#sendAsDocument(row, payload, state, err);
          return;
        } else {
          throw err;
        }
        this.#save(row, payload);
      }
    }
  }

  /** Every text form was refused: the whole answer as `answer.md`, captioned with one line. */
  async #sendAsDocument(
    row: OutboxRow<FinalPayload>,
    payload: FinalPayload,
    state: FinalDeliveryState,
    refusal: TelegramApiError,
  ): Promise<void> {
    this.#logger.warn(
      { rowId: row.id, err: refusal },
      `final delivery: row ${row.id} refused as text; sending ${DOCUMENT_NAME}`,
    );
    const source = payload.markdown ?? payload.parts.map((p) => p.text).join('\n\n');
    const caption = captionOf(payload);
    try {
      const sent = await this.#call(row, payload, 'sendDocument', (client, signal) =>
        client.sendDocument(
          {
            ...this.#placement(payload, state),
            document: new TextEncoder().encode(source),
            fileName: DOCUMENT_NAME,
            caption,
          },
          { signal },
        ),
      );
      state.partsDone = payload.parts.length;
      state.messageIds.push(sent.message_id);
      this.#save(row, payload);
    } catch (err) {
      if (!(err instanceof TelegramApiError) || err.errorCode !== 400) throw err;
      throw new Undeliverable(`Telegram refused the answer as text and as a document: ${err.description}`, {
        cause: err,
      });
    }
  }

  #placement(
    payload: FinalPayload,
    state: FinalDeliveryState,
  ): {
    chatId: number;
    threadId: number | undefined;
    replyToMessageId: number | undefined;
    allowSendingWithoutReply: true;
    disableNotification: boolean;
  } {
    return {
      chatId: this.#chatId(payload),
      threadId: state.withoutThread ? undefined : payload.threadId,
      replyToMessageId: state.withoutReply ? undefined : payload.replyToMessageId,
      // A deleted prompt must not cost the user the answer.
      allowSendingWithoutReply: true,
      disableNotification: payload.disableNotification,
    };
  }

  #chatId(payload: FinalPayload): number {
    return payload.delivery?.chatId ?? payload.chatId;
  }

  /** One Telegram call through the shared budgets, at final priority, without in-memory retries. */
  #call<T>(
    row: OutboxRow<FinalPayload>,
    payload: FinalPayload,
    label: string,
    fn: (client: OutboxClient, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.#stopped) return Promise.reject(new DeliveryStopped());
    return this.#scheduler.run(
      {
        chatId: this.#chatId(payload),
        threadKey: laneOf(row, payload),
        priority: 'final',
        label,
        retry: false,
      },
      fn,
    );
  }

  #save(row: OutboxRow<FinalPayload>, payload: FinalPayload): void {
    this.#outbox.updatePayload(row.id, payload);
  }

  #failed(row: OutboxRow<FinalPayload>, err: unknown): void {
    if (err instanceof DeliveryStopped) return;
    if (err instanceof OutboxClosedError) {
      // The bridge is shutting down: nothing can be sent any more, and the row waits for the next run.
      this.#running = false;
      return;
    }
    const now = this.#clock.now();
    const message = err instanceof Error ? err.message : String(err);
    try {
      if (err instanceof Undeliverable) {
        this.#abandon(row, message);
      } else if (isRateLimited(err)) {
        this.#outbox.recordFailure(row.id, message, now + retryAfterMs(err));
      } else if (isRetryable(err)) {
        this.#outbox.recordFailure(row.id, message, now + this.#backoffMs(row.attempts + 1));
      } else if (now - row.createdAt > this.#abandonAfterMs) {
        this.#abandon(row, message);
      } else {
        this.#logger.warn(
          { rowId: row.id, err },
          `final delivery: row ${row.id} refused; trying again later`,
        );
        this.#outbox.recordFailure(row.id, message, now + refusedBackoff(row.attempts + 1));
      }
    } catch (storeErr) {
      this.#logger.error(
        { err: storeErr, rowId: row.id },
        `final delivery: cannot record the failure of row ${row.id}`,
      );
      this.#hold(row.id);
    }
  }

  #hold(rowId: number): void {
    this.#holds.set(rowId, this.#clock.now() + this.#pollMs);
  }

  #abandon(row: OutboxRow<unknown>, reason: string): void {
    this.#logger.error(
      { rowId: row.id, topicKey: row.topicKey, reason },
      `final delivery: row ${row.id} abandoned`,
    );
    try {
      this.#outbox.delete(row.id);
    } catch (err) {
      this.#logger.error({ err, rowId: row.id }, `final delivery: cannot delete abandoned row ${row.id}`);
      this.#hold(row.id);
      return;
    }
    try {
      this.#onAbandoned(row.id, reason, row);
    } catch (err) {
      this.#logger.error({ err, rowId: row.id }, 'final delivery: onAbandoned failed');
    }
  }

  /**
   * The progress message's fate, once every part is out and before the row is deleted: a crash in
   * between delivers nothing twice (the parts are recorded as done) and still cleans up after the
   * restart, so no progress message stays frozen at "working". A deletion that still fails after
   * the outbox's own retries (5xx, the network) keeps the row and is tried again on the row's
   * schedule (a shutdown likewise leaves it for the next run); after `PROGRESS_DELETE_ATTEMPTS`
   * tries, or when Telegram refuses for good (too old to delete), it is logged and given up.
   */
  async #settleProgress(
    row: OutboxRow<FinalPayload>,
    payload: FinalPayload,
    state: FinalDeliveryState,
  ): Promise<void> {
    const progress = payload.progress;
    if (!progress || state.progressSettled) return;
    const chatId = this.#chatId(payload);
    const threadKey = laneOf(row, payload);
    const editedInPlace =
      progress.disposition === 'edit-in-place' && state.messageIds[0] === progress.messageId;
    if (
      progress.disposition === 'delete-after-send' ||
      (progress.disposition === 'edit-in-place' && !editedInPlace)
    ) {
      await this.#deleteProgress(row, chatId, threadKey, progress.messageId);
    } else if (progress.disposition === 'keep' && progress.clearKeyboard) {
      await this.#scheduler
        .run({ chatId, threadKey, priority: 'edit', label: 'editMessageReplyMarkup' }, (client, signal) =>
          client.editMessageReplyMarkup({ chatId, messageId: progress.messageId }, { signal }),
        )
        .catch((err: unknown) => {
          if (!isNotModified(err)) this.#logger.warn({ err, chatId }, 'final delivery: keyboard not cleared');
        });
    }
    state.progressSettled = true;
    this.#outbox.updatePayload(row.id, payload);
  }

  /** Deletes the progress message; throws what should keep the row for another try. */
  async #deleteProgress(
    row: OutboxRow<FinalPayload>,
    chatId: number,
    threadKey: string,
    messageId: number,
  ): Promise<void> {
    if (this.#stopped) throw new DeliveryStopped();
    try {
      // The outbox waits out 429s and retries 5xx a few times at once; the row's schedule comes after.
      await this.#scheduler.run(
        { chatId, threadKey, priority: 'delete', label: 'deleteMessage' },
        (client, signal) => client.deleteMessage(chatId, messageId, { signal }),
      );
    } catch (err) {
      if (isMessageGone(err)) return;
      if (err instanceof OutboxClosedError || this.#stopped) throw err;
      const transient = isRateLimited(err) || isRetryable(err);
      if (transient && row.attempts + 1 < PROGRESS_DELETE_ATTEMPTS) throw err;
      this.#logger.warn(
        { chatId, messageId, attempts: row.attempts + 1, err },
        'final delivery: progress message not deleted; giving up on it',
      );
    }
  }
}

function laneOf(row: OutboxRow<unknown>, payload: FinalPayload): string {
  return payload.threadKey ?? row.topicKey;
}

/** The text split again within `limit` code points, entities kept where they fall. */
function splitWithin(part: RenderedText, limit: number): RenderedText[] {
  const pieces = splitBody(part, limit);
  // splitBody trims; an all-blank text still needs one piece to fail on (and fall back from).
  return pieces.length > 0
    ? pieces
    : [{ text: part.text.slice(0, indexAfterCodePoints(part.text, limit)), entities: [] }];
}

/** The document's caption: the given summary, else the answer's first line, within one line. */
function captionOf(payload: FinalPayload): string {
  const first = payload.summary ?? payload.parts[0]?.text ?? '';
  const line = first.split('\n').find((l) => l.trim() !== '') ?? 'answer';
  const limit = Math.min(200, CAPTION_LIMIT);
  if (codePointLength(line) <= limit) return line;
  return `${line.slice(0, indexAfterCodePoints(line, limit - 1)).trimEnd()}…`;
}
