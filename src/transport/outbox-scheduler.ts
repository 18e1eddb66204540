import type { Message } from 'grammy/types';
import { type Logger, silentLogger } from '../logging/logger.ts';
import { type Clock, systemClock } from './clock.ts';
import { type OperationKind, RateBudget, type RateBudgetOptions } from './rate-budget.ts';
import type { OutgoingText, TelegramClient, TextEdit } from './telegram-client.ts';
import { isMessageGone, isNotModified, isRateLimited, isRetryable, retryAfterMs } from './telegram-errors.ts';

/** The client calls the outbox makes; the real `TelegramClient` or a test double. */
export type OutboxClient = Pick<
  TelegramClient,
  'sendMessage' | 'editMessageText' | 'deleteMessage' | 'editMessageReplyMarkup' | 'sendDocument'
>;

/**
 * Which work goes first when a chat's budget frees a slot: finals, then other sends (replies,
 * placeholders), then deletes, then progress edits; oldest first within a class.
 */
export type OutboxPriority = 'final' | 'send' | 'delete' | 'edit';

const RANK: Record<OutboxPriority, number> = { final: 0, send: 1, delete: 2, edit: 3 };
const KIND: Record<OutboxPriority, OperationKind> = {
  final: 'send',
  send: 'send',
  delete: 'delete',
  edit: 'edit',
};

/**
 * Where work lands. `threadKey` names the lane that shares the chat's budget fairly (a topic key
 * such as `tg:-100123:42`); by default it is the thread id, or `''` for the chat itself.
 */
export interface Lane {
  chatId: number;
  threadKey?: string | undefined;
}

export interface ScheduledSend extends OutgoingText {
  threadKey?: string | undefined;
  /** After this send succeeds, delete that message; its pending edits are dropped at once. */
  replaceMessageId?: number | undefined;
}

export interface ScheduledEdit extends TextEdit {
  threadKey?: string | undefined;
  /** Only used to derive the default `threadKey`. */
  threadId?: number | undefined;
}

export interface ScheduledDelete extends Lane {
  messageId: number;
}

export interface ScheduledRun extends Lane {
  priority: OutboxPriority;
  /** Names the call in logs (`sendDocument`, `editMessageReplyMarkup`, …). */
  label: string;
  /**
   * `true` (default): a 429 waits and tries again, 5xx and network failures are retried with
   * backoff. `false`: any failure rejects at once (a 429 still pauses the chat), for a caller
   * that keeps its own durable retry schedule.
   */
  retry?: boolean | undefined;
}

/** How a progress edit ended. Edits never reject: they are fire-and-forget for the caller. */
export type EditResult =
  /** Telegram shows this content now (a `message is not modified` answer included). */
  | { status: 'edited' }
  /** Skipped without a call: the same as the last content Telegram accepted for the message. */
  | { status: 'unchanged' }
  /** A newer render for the same message replaced this one before it went out. */
  | { status: 'superseded' }
  /** The message was deleted, sealed by a final, or the outbox closed. */
  | { status: 'dropped' }
  /** The message cannot be edited any more (deleted by someone, too old, unknown). */
  | { status: 'gone'; error: unknown }
  | { status: 'failed'; error: unknown };

/** A send its caller withdrew before it left (a progress message for a run that already ended). */
export class OutboxWithdrawnError extends Error {
  override readonly name = 'OutboxWithdrawnError';
  constructor(readonly label: string) {
    super(`'${label}' withdrawn before it was sent`);
  }
}

/** Work refused or abandoned because the outbox is closing. */
export class OutboxClosedError extends Error {
  override readonly name = 'OutboxClosedError';
  constructor(readonly label: string) {
    super(`outbox closed before '${label}' was sent`);
  }
}

export interface OutboxSchedulerOptions {
  client: OutboxClient;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  budget?: RateBudget | undefined;
  /** Budget limits, when no `budget` is given. */
  limits?: Partial<RateBudgetOptions> | undefined;
  /** Attempts before a 5xx or network failure is final (429s do not count). */
  maxAttempts?: Partial<Record<'send' | 'edit' | 'delete' | 'run', number>> | undefined;
  /** Wait before retry number `attempt` (1 = the first retry). */
  backoffMs?: ((attempt: number) => number) | undefined;
}

const DEFAULT_MAX_ATTEMPTS = { send: 3, edit: 4, delete: 3, run: 3 };
const REMEMBERED_MESSAGES = 5_000;

function defaultBackoff(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** (attempt - 1));
}

interface BaseOp {
  seq: number;
  chatId: number;
  threadKey: string;
  priority: OutboxPriority;
  label: string;
  attempts: number;
  notBefore: number;
  maxAttempts: number;
  retry: boolean;
}

interface SendOp extends BaseOp {
  type: 'send';
  message: ScheduledSend;
  withdraw: AbortSignal | undefined;
  resolve: (message: Message.TextMessage) => void;
  reject: (error: unknown) => void;
}

interface EditOp extends BaseOp {
  type: 'edit';
  key: string;
  edit: TextEdit;
  fingerprint: string;
  settle: (result: EditResult) => void;
}

interface DeleteOp extends BaseOp {
  type: 'delete';
  key: string;
  messageId: number;
  waiters: ((deleted: boolean) => void)[];
}

interface RunOp extends BaseOp {
  type: 'run';
  fn: (client: OutboxClient, signal: AbortSignal) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Op = SendOp | EditOp | DeleteOp | RunOp;

interface ChatQueue {
  ops: Op[];
  inFlight: { op: Op; controller: AbortController } | undefined;
}

/**
 * The in-memory outbox for ephemeral work: progress edits, placeholders, replies, deletes. One
 * operation at a time per chat, chats in parallel, each chat and the bot within their budgets.
 *
 * - One pending edit per message: a newer render replaces the queued one and keeps its place.
 * - An edit equal to the content Telegram last accepted for that message is skipped; a
 *   `message is not modified` answer counts as success.
 * - A delete drops pending edits of its message, and later edits of it are dropped.
 * - A 429 pauses that chat for `retry_after` and the operation waits (a stale edit is dropped);
 *   5xx and network failures are retried with backoff, a bounded number of times.
 * - Within a chat, topics take turns (least recently served first), so a chatty topic cannot
 *   starve the others.
 *
 * Pass the inline keyboard on every progress edit: an edit without `replyMarkup` removes it.
 *
 * @example
 * const outbox = new OutboxScheduler({ client });
 * const placeholder = await outbox.send({ chatId, threadId: 42, text: 'starting', replyMarkup: cancel, disableNotification: true });
 * void outbox.edit({ chatId, threadId: 42, messageId: placeholder.message_id, text: 'working', replyMarkup: cancel });
 * await outbox.close({ drainMs: 5_000 });
 */
export class OutboxScheduler {
  readonly #client: OutboxClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #budget: RateBudget;
  readonly #maxAttempts: typeof DEFAULT_MAX_ATTEMPTS;
  readonly #backoffMs: (attempt: number) => number;

  readonly #queues = new Map<number, ChatQueue>();
  readonly #pendingEdits = new Map<string, EditOp>();
  readonly #pendingDeletes = new Map<string, DeleteOp>();
  /** Message key → fingerprint of the content Telegram last accepted for it. */
  readonly #accepted = new Map<string, string>();
  /** Messages that take no more progress edits (deleted, replaced, or finalized). */
  readonly #sealed = new Map<string, true>();
  #seq = 0;
  #timer: unknown;
  #wakeAt = Number.POSITIVE_INFINITY;
  #pumping = false;
  #pumpAgain = false;
  #closing = false;
  #closed = false;
  #drainTimer: unknown;
  readonly #idleWaiters: (() => void)[] = [];

  constructor(options: OutboxSchedulerOptions) {
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger();
    this.#budget = options.budget ?? new RateBudget(() => this.#clock.now(), options.limits);
    this.#maxAttempts = { ...DEFAULT_MAX_ATTEMPTS, ...options.maxAttempts };
    this.#backoffMs = options.backoffMs ?? defaultBackoff;
  }

  /** The shared budget (durable final delivery spends from the same one). */
  get budget(): RateBudget {
    return this.#budget;
  }

  /**
   * Sends a message (a reply, a placeholder) and resolves with it. Rejects with the
   * `TelegramApiError` or `TelegramNetworkError` once retries are spent, `OutboxClosedError`, or
   * `OutboxWithdrawnError` when `withdraw` aborts before the message left.
   * A 5xx or timeout may hide a delivered message, so a retried send can arrive twice.
   */
  send(message: ScheduledSend, options: { withdraw?: AbortSignal } = {}): Promise<Message.TextMessage> {
    return new Promise((resolve, reject) => {
      if (this.#closing) return reject(new OutboxClosedError('sendMessage'));
      if (options.withdraw?.aborted) return reject(new OutboxWithdrawnError('sendMessage'));
      if (message.replaceMessageId !== undefined) this.seal(message.chatId, message.replaceMessageId);
      const op: SendOp = {
        ...this.#base(message.chatId, laneKey(message.threadKey, message.threadId), 'send', 'sendMessage'),
        maxAttempts: this.#maxAttempts.send,
        type: 'send',
        message,
        withdraw: options.withdraw,
        resolve,
        reject,
      };
      // Withdrawn while it waits for budget: it never goes out. Once on its way it is not recalled,
      // since Telegram may apply an aborted call anyway.
      options.withdraw?.addEventListener(
        'abort',
        () => {
          if (!this.#isQueued(op)) return;
          this.#removeFromQueue(op);
          reject(new OutboxWithdrawnError('sendMessage'));
          this.#pump();
        },
        { once: true },
      );
      this.#enqueue(op);
    });
  }

  /**
   * Queues new content for a message. Newest wins: a queued older render is replaced (its promise
   * resolves `superseded`) and the newer one keeps the queue position. Never rejects.
   */
  edit(edit: ScheduledEdit): Promise<EditResult> {
    return new Promise((settle) => {
      const key = messageKey(edit.chatId, edit.messageId);
      if (this.#closing || this.#sealed.has(key)) return settle({ status: 'dropped' });
      const content: TextEdit = {
        chatId: edit.chatId,
        messageId: edit.messageId,
        text: edit.text,
        entities: edit.entities,
        replyMarkup: edit.replyMarkup,
      };
      const fingerprint = fingerprintOf(content);
      const pending = this.#pendingEdits.get(key);
      if (pending) {
        const previous = pending.settle;
        pending.edit = content;
        pending.fingerprint = fingerprint;
        pending.settle = settle;
        previous({ status: 'superseded' });
        this.#pump();
        return;
      }
      if (!this.#editInFlight(key) && this.#accepted.get(key) === fingerprint)
        return settle({ status: 'unchanged' });
      const op: EditOp = {
        ...this.#base(edit.chatId, laneKey(edit.threadKey, edit.threadId), 'edit', 'editMessageText'),
        maxAttempts: this.#maxAttempts.edit,
        type: 'edit',
        key,
        edit: content,
        fingerprint,
        settle,
      };
      this.#pendingEdits.set(key, op);
      this.#enqueue(op);
    });
  }

  /**
   * Deletes a message; pending edits of it are dropped and later ones refused. Resolves `true`
   * when the message is gone (already gone included), `false` when Telegram refused. Never rejects.
   */
  delete(target: ScheduledDelete): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#closing) return resolve(false);
      const key = messageKey(target.chatId, target.messageId);
      this.seal(target.chatId, target.messageId);
      const pending = this.#pendingDeletes.get(key);
      if (pending) {
        pending.waiters.push(resolve);
        return;
      }
      const op: DeleteOp = {
        ...this.#base(target.chatId, laneKey(target.threadKey, undefined), 'delete', 'deleteMessage'),
        maxAttempts: this.#maxAttempts.delete,
        type: 'delete',
        key,
        messageId: target.messageId,
        waiters: [resolve],
      };
      this.#pendingDeletes.set(key, op);
      this.#enqueue(op);
    });
  }

  /**
   * Runs any other chat-bound call (a document, a keyboard change, a durable final's send) within
   * the chat's budget, at `priority`. The call receives an abort signal that fires if the outbox
   * shuts down while it runs.
   *
   * @example
   * await outbox.run({ chatId, priority: 'send', label: 'sendDocument' }, (client, signal) =>
   *   client.sendDocument({ chatId, document: bytes, fileName: 'diff.patch' }, { signal }));
   */
  run<T>(target: ScheduledRun, fn: (client: OutboxClient, signal: AbortSignal) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#closing) return reject(new OutboxClosedError(target.label));
      const retry = target.retry ?? true;
      this.#enqueue({
        ...this.#base(target.chatId, laneKey(target.threadKey, undefined), target.priority, target.label),
        maxAttempts: retry ? this.#maxAttempts.run : 1,
        retry,
        type: 'run',
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  /**
   * No more progress edits for this message: pending ones are dropped (`dropped`) and later ones
   * refused. Call it before a final answer replaces or edits the message, so a late progress
   * render cannot overwrite the final.
   */
  seal(chatId: number, messageId: number): void {
    const key = messageKey(chatId, messageId);
    remember(this.#sealed, key, true);
    const pending = this.#pendingEdits.get(key);
    if (pending) {
      this.#pendingEdits.delete(key);
      this.#removeFromQueue(pending);
      pending.settle({ status: 'dropped' });
    }
  }

  /** Operations waiting or running, for inspection and tests. */
  pendingCount(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.ops.length + (queue.inFlight ? 1 : 0);
    return count;
  }

  /**
   * Stops taking work and lets queued work finish for up to `drainMs`; then what is still queued is
   * abandoned (sends and runs reject with `OutboxClosedError`, edits resolve `dropped`, deletes
   * `false`) and calls in flight are aborted.
   */
  close(options: { drainMs?: number } = {}): Promise<void> {
    this.#closing = true;
    const done = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    if (this.#drainTimer === undefined) {
      this.#drainTimer = this.#clock.setTimeout(() => this.#abandonAll(), options.drainMs ?? 0);
    }
    this.#pump();
    return done;
  }

  #base(
    chatId: number,
    threadKey: string,
    priority: OutboxPriority,
    label: string,
  ): Omit<BaseOp, 'maxAttempts'> & {
    retry: boolean;
  } {
    return { seq: ++this.#seq, chatId, threadKey, priority, label, attempts: 0, notBefore: 0, retry: true };
  }

  #enqueue(op: Op): void {
    let queue = this.#queues.get(op.chatId);
    if (!queue) {
      queue = { ops: [], inFlight: undefined };
      this.#queues.set(op.chatId, queue);
    }
    queue.ops.push(op);
    this.#pump();
  }

  #editInFlight(key: string): boolean {
    for (const queue of this.#queues.values()) {
      const op = queue.inFlight?.op;
      if (op?.type === 'edit' && op.key === key) return true;
    }
    return false;
  }

  #isQueued(op: Op): boolean {
    return this.#queues.get(op.chatId)?.ops.includes(op) ?? false;
  }

  #removeFromQueue(op: Op): void {
    const queue = this.#queues.get(op.chatId);
    if (!queue) return;
    const index = queue.ops.indexOf(op);
    if (index >= 0) queue.ops.splice(index, 1);
  }

  /** Starts every operation whose chat is free and within budget; sleeps until the next one can. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        this.#pumpOnce();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #pumpOnce(): void {
    const now = this.#clock.now();
    let wake = Number.POSITIVE_INFINITY;
    const candidates: Op[] = [];
    for (const [chatId, queue] of this.#queues) {
      if (queue.inFlight) continue;
      const choice = this.#choose(chatId, queue, now);
      if (choice.op) candidates.push(choice.op);
      else wake = Math.min(wake, choice.wakeAt);
      if (!queue.inFlight && queue.ops.length === 0) this.#queues.delete(chatId);
    }
    candidates.sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.seq - b.seq);
    for (const op of candidates) {
      const readyAt = this.#budget.readyAt(op.chatId, KIND[op.priority]);
      if (readyAt <= now) this.#start(op);
      else wake = Math.min(wake, readyAt);
    }
    this.#schedule(wake);
    if (this.#closing && this.#queues.size === 0) this.#finishClose();
  }

  #choose(chatId: number, queue: ChatQueue, now: number): { op?: Op; wakeAt: number } {
    for (;;) {
      let wakeAt = Number.POSITIVE_INFINITY;
      const ready: Op[] = [];
      // Sends of one lane keep their order even while the oldest one waits out a backoff.
      const blockedLanes = new Set<string>();
      const ordered = [...queue.ops].sort((a, b) => a.seq - b.seq);
      for (const op of ordered) {
        const lane = `${op.priority}\u0000${op.threadKey}`;
        const ordersMatter = op.priority === 'send' || op.priority === 'final';
        if (op.notBefore > now) {
          wakeAt = Math.min(wakeAt, op.notBefore);
          if (ordersMatter) blockedLanes.add(lane);
          continue;
        }
        if (ordersMatter && blockedLanes.has(lane)) continue;
        ready.push(op);
      }
      // What the chat's budget allows now: a deletion that costs no slot need not wait behind a send.
      const affordable = ready.filter((op) => {
        const at = this.#budget.readyAt(chatId, KIND[op.priority]);
        wakeAt = Math.min(wakeAt, at);
        return at <= now;
      });
      if (affordable.length === 0) return { wakeAt };
      const best = Math.min(...affordable.map((op) => RANK[op.priority]));
      const ofRank = affordable.filter((op) => RANK[op.priority] === best);
      const lanes = [...new Set(ofRank.map((op) => op.threadKey))];
      const turn = this.#budget.nextThread(chatId, lanes);
      const op = ofRank.find((o) => o.threadKey === turn) ?? ofRank[0]!;
      if (op.type === 'edit' && this.#accepted.get(op.key) === op.fingerprint) {
        this.#pendingEdits.delete(op.key);
        this.#removeFromQueue(op);
        op.settle({ status: 'unchanged' });
        continue;
      }
      return { op, wakeAt };
    }
  }

  #schedule(wakeAt: number): void {
    if (wakeAt === this.#wakeAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeAt = wakeAt;
    if (wakeAt === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#wakeAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, wakeAt - this.#clock.now()),
    );
  }

  #start(op: Op): void {
    const queue = this.#queues.get(op.chatId)!;
    this.#removeFromQueue(op);
    if (op.type === 'edit') this.#pendingEdits.delete(op.key);
    if (op.type === 'delete') this.#pendingDeletes.delete(op.key);
    const controller = new AbortController();
    queue.inFlight = { op, controller };
    op.attempts++;
    const answered = this.#budget.take(op.chatId, op.threadKey, KIND[op.priority]);
    let call: Promise<unknown>;
    try {
      call = this.#execute(op, controller.signal);
    } catch (err) {
      call = Promise.reject(err);
    }
    call.then(
      (value) => {
        answered();
        this.#settled(op, () => this.#succeeded(op, value));
      },
      (error: unknown) => {
        answered();
        this.#settled(op, () => this.#failed(op, error));
      },
    );
  }

  #execute(op: Op, signal: AbortSignal): Promise<unknown> {
    switch (op.type) {
      case 'send':
        return this.#client.sendMessage(op.message, { signal });
      case 'edit':
        return this.#client.editMessageText(op.edit, { signal });
      case 'delete':
        return this.#client.deleteMessage(op.chatId, op.messageId, { signal });
      case 'run':
        return op.fn(this.#client, signal);
    }
  }

  #settled(op: Op, handle: () => void): void {
    const queue = this.#queues.get(op.chatId);
    if (queue?.inFlight?.op === op) queue.inFlight = undefined;
    try {
      handle();
    } finally {
      this.#pump();
    }
  }

  #succeeded(op: Op, value: unknown): void {
    switch (op.type) {
      case 'send': {
        const sent = value as Message.TextMessage;
        remember(this.#accepted, messageKey(op.chatId, sent.message_id), fingerprintOf(op.message));
        op.resolve(sent);
        if (op.message.replaceMessageId !== undefined && !this.#closing) {
          void this.delete({
            chatId: op.chatId,
            threadKey: op.threadKey,
            messageId: op.message.replaceMessageId,
          });
        }
        return;
      }
      case 'edit':
        remember(this.#accepted, op.key, op.fingerprint);
        op.settle({ status: 'edited' });
        return;
      case 'delete':
        this.#accepted.delete(op.key);
        for (const waiter of op.waiters) waiter(true);
        return;
      case 'run':
        op.resolve(value);
        return;
    }
  }

  #failed(op: Op, error: unknown): void {
    if (op.type === 'edit' && isNotModified(error)) {
      remember(this.#accepted, op.key, op.fingerprint);
      op.settle({ status: 'edited' });
    } else if (op.type === 'edit' && isMessageGone(error)) {
      this.#accepted.delete(op.key);
      op.settle({ status: 'gone', error });
    } else if (op.type === 'delete' && isMessageGone(error)) {
      this.#accepted.delete(op.key);
      for (const waiter of op.waiters) waiter(true);
    } else if (isRateLimited(error)) {
      this.#budget.pause(op.chatId, retryAfterMs(error));
      this.#logger.warn(
        { chatId: op.chatId, method: op.label, err: error },
        `outbox: chat ${op.chatId} paused by 429`,
      );
      if (this.#superseded(op)) return;
      // A 429 means the call did nothing: waiting it out costs no attempt.
      op.attempts--;
      if (op.retry && !this.#closed) this.#requeue(op);
      else this.#abandon(op, error);
    } else if (isRetryable(error) && op.retry && !this.#closed && op.attempts < op.maxAttempts) {
      if (this.#superseded(op)) return;
      op.notBefore = this.#clock.now() + this.#backoffMs(op.attempts);
      this.#requeue(op);
    } else {
      this.#abandon(op, error);
    }
  }

  /** A failed edit that a newer render already replaced is not worth another try. */
  #superseded(op: Op): boolean {
    if (op.type !== 'edit' || !this.#pendingEdits.has(op.key)) return false;
    op.settle({ status: 'superseded' });
    return true;
  }

  #requeue(op: Op): void {
    if (op.type === 'send' && op.withdraw?.aborted) {
      op.reject(new OutboxWithdrawnError(op.label));
      return;
    }
    if (op.type === 'edit') {
      if (this.#sealed.has(op.key)) {
        op.settle({ status: 'dropped' });
        return;
      }
      this.#pendingEdits.set(op.key, op);
    }
    if (op.type === 'delete') {
      const newer = this.#pendingDeletes.get(op.key);
      if (newer) {
        newer.waiters.push(...op.waiters);
        return;
      }
      this.#pendingDeletes.set(op.key, op);
    }
    let queue = this.#queues.get(op.chatId);
    if (!queue) {
      queue = { ops: [], inFlight: undefined };
      this.#queues.set(op.chatId, queue);
    }
    queue.ops.push(op);
  }

  /** The operation ends without success; edits and deletes report it, sends and runs reject. */
  #abandon(op: Op, error: unknown): void {
    if (!(error instanceof OutboxClosedError)) {
      this.#logger.warn(
        { chatId: op.chatId, method: op.label, attempts: op.attempts, err: error },
        `outbox: ${op.label} to chat ${op.chatId} failed`,
      );
    }
    if (op.type === 'send' || op.type === 'run') op.reject(error);
    else if (op.type === 'edit') {
      op.settle(error instanceof OutboxClosedError ? { status: 'dropped' } : { status: 'failed', error });
    } else {
      for (const waiter of op.waiters) waiter(false);
    }
  }

  #abandonAll(): void {
    this.#closed = true;
    for (const queue of this.#queues.values()) {
      for (const op of queue.ops.splice(0)) {
        if (op.type === 'edit') this.#pendingEdits.delete(op.key);
        if (op.type === 'delete') this.#pendingDeletes.delete(op.key);
        this.#abandon(op, new OutboxClosedError(op.label));
      }
      queue.inFlight?.controller.abort();
    }
    this.#pump();
  }

  #finishClose(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#drainTimer !== undefined) this.#clock.clearTimeout(this.#drainTimer);
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    this.#closed = true;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function laneKey(threadKey: string | undefined, threadId: number | undefined): string {
  if (threadKey !== undefined) return threadKey;
  return threadId !== undefined && threadId !== 1 ? String(threadId) : '';
}

function messageKey(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

/** What Telegram would compare for `message is not modified`: text, entities and keyboard. */
function fingerprintOf(content: Pick<TextEdit, 'text' | 'entities' | 'replyMarkup'>): string {
  return JSON.stringify([content.text, content.entities ?? [], content.replyMarkup ?? null]);
}

/** A map that forgets its oldest entries past a fixed size (message bookkeeping must not grow forever). */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED_MESSAGES) map.delete(map.keys().next().value as string);
}
