import type { Update } from 'grammy/types';
import { ApiError, CONFLICT_OTHER_POLL } from './api-error.ts';

/** Update types delivered when `allowed_updates` was never set or set to `[]`. */
const NOT_DELIVERED_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export function updateType(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
}

interface Waiter {
  id: number;
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: ApiError) => void;
  timer: NodeJS.Timeout;
}

export interface PollRequest {
  offset: number | undefined;
  limit: number;
  timeoutMs: number;
  allowedUpdates: string[] | undefined;
}

/**
 * The bot's update queue with `getUpdates` semantics:
 * - a call with `offset` confirms (forgets) everything before that update; an offset that is not in the queue
 *   confirms nothing and delivers from the head, which is how a stale offset still sees new, lower ids after
 *   Telegram's id jump; `-N` keeps only the last N;
 * - unconfirmed updates are delivered again on the next call;
 * - with nothing to deliver, the call is held until an update arrives or the timeout passes;
 * - a second call while one is held fails the held one with 409;
 * - `allowed_updates` persists and filters when an update is queued, not when it is delivered.
 *
 * @example
 * const queue = new UpdateQueue(1);
 * queue.enqueue({ message: { … } });
 * await queue.poll({ offset: undefined, limit: 100, timeoutMs: 0, allowedUpdates: undefined });
 */
export class UpdateQueue {
  private queue: Update[] = [];
  private waiter: Waiter | undefined;
  private waiterSeq = 0;
  private confirmedUpTo = 0;
  allowedUpdates: string[] | undefined;
  readonly dropped: Update[] = [];

  constructor(
    private nextId: number,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Queues an update (assigning `update_id` unless it has one); returns undefined when `allowed_updates` drops it. */
  enqueue(update: Omit<Update, 'update_id'> & { update_id?: number }): Update | undefined {
    const { update_id: given, ...rest } = update;
    // update_id leads, as in Telegram's JSON.
    const ordered = { update_id: given ?? this.nextId++, ...rest } as Update;
    if (!this.allows(updateType(ordered))) {
      this.dropped.push(ordered);
      this.onChange();
      return undefined;
    }
    this.queue.push(ordered);
    const waiter = this.waiter;
    if (waiter) {
      // Let updates queued in the same tick go out in one batch, as a real server tends to.
      setImmediate(() => {
        if (this.waiter?.id === waiter.id && this.queue.length > 0)
          this.settle(waiter, this.queue.slice(0, waiter.limit));
      });
    }
    this.onChange();
    return ordered;
  }

  /** Makes the next assigned `update_id` this value (Telegram jumps to a random, possibly lower id after a quiet week). */
  setNextUpdateId(id: number): void {
    this.nextId = id;
  }

  pending(): Update[] {
    return [...this.queue];
  }

  /** The offset that the last confirmation acknowledged: the last confirmed `update_id` + 1, or 0 if none. */
  confirmedOffset(): number {
    return this.confirmedUpTo;
  }

  dropAll(): void {
    if (this.queue.length > 0) this.confirmedUpTo = this.queue[this.queue.length - 1]!.update_id + 1;
    this.queue = [];
    this.onChange();
  }

  /** One getUpdates call. Rejects with 409 when a later call takes over. */
  poll(req: PollRequest): { id: number; result: Promise<Update[]> } {
    const previous = this.waiter;
    if (previous) this.settle(previous, new ApiError(409, CONFLICT_OTHER_POLL));
    if (req.allowedUpdates !== undefined) this.allowedUpdates = req.allowedUpdates;
    this.confirm(req.offset);
    const id = ++this.waiterSeq;
    if (this.queue.length > 0 || req.timeoutMs <= 0) {
      return { id, result: Promise.resolve(this.queue.slice(0, req.limit)) };
    }
    const result = new Promise<Update[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiter?.id === id) this.settle(this.waiter, this.queue.slice(0, req.limit));
      }, req.timeoutMs);
      this.waiter = { id, limit: req.limit, resolve, reject, timer };
    });
    return { id, result };
  }

  /** The client went away while its call was held. */
  abandon(id: number): void {
    if (this.waiter?.id !== id) return;
    clearTimeout(this.waiter.timer);
    this.waiter = undefined;
  }

  /** Answers a held call with what is queued (used when the server stops). */
  releaseHeld(): void {
    if (this.waiter) this.settle(this.waiter, []);
  }

  isHolding(): boolean {
    return this.waiter !== undefined;
  }

  private settle(waiter: Waiter, outcome: Update[] | ApiError): void {
    clearTimeout(waiter.timer);
    if (this.waiter?.id === waiter.id) this.waiter = undefined;
    if (outcome instanceof ApiError) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  private confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0 || this.queue.length === 0) return;
    if (offset < 0) {
      const keep = -offset;
      if (this.queue.length > keep) this.forget(this.queue.length - keep);
      return;
    }
    const at = this.queue.findIndex((u) => u.update_id === offset);
    if (at >= 0) {
      this.forget(at);
      return;
    }
    const head = this.queue[0]!;
    const last = this.queue[this.queue.length - 1]!;
    if (offset === last.update_id + 1) {
      this.forget(this.queue.length);
    } else if (offset > head.update_id && offset <= last.update_id) {
      // A gap (ids injected by hand): confirm what comes before the first update at or after the offset.
      this.forget(this.queue.findIndex((u) => u.update_id >= offset));
    }
    // Any other offset is outside the queue: confirm nothing, deliver from the head.
  }

  private forget(count: number): void {
    if (count <= 0) return;
    this.confirmedUpTo = this.queue[count - 1]!.update_id + 1;
    this.queue = this.queue.slice(count);
    this.onChange();
  }

  private allows(type: string): boolean {
    const allowed = this.allowedUpdates;
    if (allowed === undefined || allowed.length === 0) return !NOT_DELIVERED_BY_DEFAULT.has(type);
    return allowed.includes(type);
  }
}
