/**
 * Telegram's flood limits as budgets the outbox spends (reference/telegram.md §4):
 * - a private chat: about 1 message per second (short bursts are tolerated, but not relied on);
 * - a group: 20 messages per minute, and edits count against a similar limit; all topics of a forum
 *   are one chat and share one budget;
 * - the bot: about 30 messages per second across all chats.
 * A 429 names one chat's `retry_after`: only that chat (all its topics) pauses.
 *
 * Telegram counts a call when it arrives, which is somewhere between the moment it leaves and the
 * moment its answer is back; under load (a busy event loop, a slow network) that spread is hundreds of
 * milliseconds, and calls sent a second apart can arrive together. So a call holds its slot while it is
 * in flight and is counted from when its answer came back: two calls counted a window apart by that
 * rule arrived at least a window apart.
 */

/** At most `limit` operations in any `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** How one kind of chat spends its budget. */
export interface ChatPolicy {
  /** Sliding windows every operation (send, edit, delete) counts against. */
  windows: readonly RateWindow[];
  /** Least time between the chat's previous operation and an edit: progress edits go at an even pace. */
  editPaceMs: number;
  /** Slots of the longest window an edit may not take, so a send rarely waits behind edits. */
  editReserve: number;
  /** Whether deletions spend the chat's windows (a 429 pause and the bot's limit hold either way). */
  deletesCount: boolean;
}

export interface RateBudgetOptions {
  private: ChatPolicy;
  group: ChatPolicy;
  /** Per bot, all chats together. */
  bot: readonly RateWindow[];
  /** Extra wait before a slot counts as free again, for clock skew and Telegram's own rounding. */
  marginMs: number;
}

export type OperationKind = 'send' | 'edit' | 'delete';

export const DEFAULT_RATE_BUDGET: RateBudgetOptions = {
  // One message or edit a second, no bursts: bursts are "tolerated" only up to an undocumented point,
  // and a 429 costs a final more than the second it waits. Deleting adds no message to the chat.
  private: {
    windows: [{ limit: 1, windowMs: 1_000 }],
    editPaceMs: 1_000,
    editReserve: 0,
    deletesCount: false,
  },
  group: {
    windows: [
      { limit: 20, windowMs: 60_000 },
      { limit: 3, windowMs: 3_000 },
    ],
    editPaceMs: 3_000,
    editReserve: 2,
    deletesCount: true,
  },
  bot: [{ limit: 30, windowMs: 1_000 }],
  marginMs: 100,
};

/** Private chats have the user's (positive) id; groups, supergroups and channels are negative. */
export function isPrivateChat(chatId: number): boolean {
  return chatId > 0;
}

/**
 * Budgets per chat and per bot over an injected clock, plus the round-robin that keeps one chatty
 * forum topic from starving the others.
 *
 * @example
 * const budget = new RateBudget(() => clock.now());
 * if (budget.readyAt(chatId, 'edit') <= clock.now()) {
 *   const answered = budget.take(chatId, threadKey, 'edit');
 *   await client.editMessageText(edit).finally(answered);
 * }
 * // on a 429: budget.pause(chatId, err.retryAfter * 1000);
 */
export class RateBudget {
  readonly #now: () => number;
  readonly #options: RateBudgetOptions;
  readonly #chats = new Map<number, ChatState>();
  readonly #bot: WindowCount[];
  #served = 0;

  constructor(now: () => number, options: Partial<RateBudgetOptions> = {}) {
    this.#now = now;
    this.#options = { ...DEFAULT_RATE_BUDGET, ...options };
    this.#bot = this.#options.bot.map(emptyWindowCount);
  }

  /** The earliest time an operation of `kind` may start in `chatId` (≤ now when it may start now). */
  readyAt(chatId: number, kind: OperationKind): number {
    const now = this.#now();
    const policy = this.#policy(chatId);
    const chat = this.#chats.get(chatId);
    let at = now;
    this.#bot.forEach((count, i) => {
      at = Math.max(at, windowFreeAt(count, this.#options.bot[i]!, 0, now, this.#options.marginMs));
    });
    if (!chat) return at;
    at = Math.max(at, chat.pausedUntil);
    if (kind === 'delete' && !policy.deletesCount) return at;
    const longest = longestWindowIndex(policy.windows);
    policy.windows.forEach((window, i) => {
      const reserve = kind === 'edit' && i === longest ? policy.editReserve : 0;
      at = Math.max(at, windowFreeAt(chat.windows[i]!, window, reserve, now, this.#options.marginMs));
    });
    if (kind === 'edit' && chat.lastAt !== undefined) at = Math.max(at, chat.lastAt + policy.editPaceMs);
    return at;
  }

  /**
   * Counts an operation of `kind` starting now, for the chat, the thread's turn and the bot. Call the
   * returned function once Telegram has answered (or the call failed): the slot is held until then.
   */
  take(chatId: number, threadKey = '', kind: OperationKind = 'send'): () => void {
    const now = this.#now();
    if (this.#chats.size > 1_000) this.#forgetIdleChats(now);
    const chat = this.#chat(chatId);
    chat.turns.set(threadKey, ++this.#served);
    const counted = kind === 'delete' && !this.#policy(chatId).deletesCount ? [] : chat.windows;
    if (counted.length > 0) chat.lastAt = now;
    const windows = [...this.#bot, ...counted];
    for (const window of windows) window.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const at = this.#now();
      for (const window of windows) {
        window.inFlight--;
        // Clamped so the list stays sorted even if the wall clock steps back.
        window.answered.push(Math.max(at, window.answered.at(-1) ?? at));
      }
    };
  }

  /** A 429 for this chat: nothing goes to it (any topic) before `now + ms`. */
  pause(chatId: number, ms: number): void {
    const chat = this.#chat(chatId);
    chat.pausedUntil = Math.max(chat.pausedUntil, this.#now() + Math.max(0, ms));
  }

  /** Until when a 429 keeps the chat quiet (0 when it is not paused). */
  pausedUntil(chatId: number): number {
    const until = this.#chats.get(chatId)?.pausedUntil ?? 0;
    return until > this.#now() ? until : 0;
  }

  /**
   * Whose turn it is among threads of one chat that have work: the one served least recently
   * (never served first). Ties keep the caller's order, so pass threads oldest work first.
   */
  nextThread(chatId: number, threadKeys: readonly string[]): string | undefined {
    const turns = this.#chats.get(chatId)?.turns;
    let best: string | undefined;
    let bestTurn = Number.POSITIVE_INFINITY;
    for (const key of threadKeys) {
      const turn = turns?.get(key) ?? 0;
      if (turn < bestTurn) {
        best = key;
        bestTurn = turn;
      }
    }
    return best;
  }

  #policy(chatId: number): ChatPolicy {
    return isPrivateChat(chatId) ? this.#options.private : this.#options.group;
  }

  #chat(chatId: number): ChatState {
    let chat = this.#chats.get(chatId);
    if (!chat) {
      chat = {
        windows: this.#policy(chatId).windows.map(emptyWindowCount),
        pausedUntil: 0,
        lastAt: undefined,
        turns: new Map(),
      };
      this.#chats.set(chatId, chat);
    }
    return chat;
  }

  /** Chats with nothing in flight or left in any window and no pause carry nothing worth keeping. */
  #forgetIdleChats(now: number): void {
    for (const [chatId, chat] of this.#chats) {
      const policy = this.#policy(chatId);
      const longest = Math.max(policy.editPaceMs, ...policy.windows.map((w) => w.windowMs));
      // A slow answer counts from when it came back, which can be well after the call started.
      const quiet = chat.windows.every(
        (window) => window.inFlight === 0 && (window.answered.at(-1) ?? 0) + longest < now,
      );
      if (quiet && chat.pausedUntil <= now && (chat.lastAt ?? 0) + longest < now) this.#chats.delete(chatId);
    }
  }
}

/**
 * The calls one window counts: those in flight, and the answer times of those that came back, which
 * are appended as they come and so stay sorted.
 */
interface WindowCount {
  inFlight: number;
  answered: number[];
}

function emptyWindowCount(): WindowCount {
  return { inFlight: 0, answered: [] };
}

interface ChatState {
  /** What each window of the chat's policy counts, in the policy's order. */
  windows: WindowCount[];
  pausedUntil: number;
  lastAt: number | undefined;
  /** Thread key → the serial of its last operation (round-robin order). */
  turns: Map<string, number>;
}

/**
 * When the window has a free slot beyond `reserve` (dropping answers that left the window); infinity
 * while the slot it waits for belongs to a call still in flight.
 */
function windowFreeAt(
  count: WindowCount,
  window: RateWindow,
  reserve: number,
  now: number,
  marginMs: number,
): number {
  const span = window.windowMs + marginMs;
  const { answered } = count;
  let expired = 0;
  while (expired < answered.length && answered[expired]! <= now - span) expired++;
  if (expired > 0) answered.splice(0, expired);
  const allowed = Math.max(1, window.limit - reserve);
  const total = answered.length + count.inFlight;
  if (total < allowed) return now;
  // Sorted, with the calls in flight last: the slot frees when the (total - allowed)-th call leaves.
  const index = total - allowed;
  return index < answered.length ? answered[index]! + span : Number.POSITIVE_INFINITY;
}

function longestWindowIndex(windows: readonly RateWindow[]): number {
  let index = 0;
  windows.forEach((w, i) => {
    if (w.windowMs > windows[index]!.windowMs) index = i;
  });
  return index;
}
