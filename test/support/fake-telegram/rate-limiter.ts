/** One sliding window: at most `limit` counted calls in any `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** Per private chat (Telegram: about 1 message per second). */
  privateChat: RateWindow;
  /** Per group or supergroup, all forum topics together (Telegram: 20 per minute). */
  group: RateWindow;
  /** Per bot across all chats (Telegram: about 30 per second). */
  bot: RateWindow;
  /** Fixed `retry_after` in seconds; by default the time until the window frees a slot, rounded up. */
  retryAfterSeconds?: number;
}

export const TELEGRAM_RATE_LIMITS: RateLimitOptions = {
  privateChat: { limit: 1, windowMs: 1_000 },
  group: { limit: 20, windowMs: 60_000 },
  bot: { limit: 30, windowMs: 1_000 },
};

/**
 * Flood control as a test can switch it on: sends and edits are counted per chat and per bot; over a limit the
 * call gets `retry_after` and the chat (or the bot) stays blocked until it passes, as on Telegram, where calls
 * that ignore a 429 get another one.
 *
 * @example
 * const limiter = new RateLimiter({ ...TELEGRAM_RATE_LIMITS, group: { limit: 3, windowMs: 500 } }, Date.now);
 * limiter.admit(chatId, 'group'); // undefined when admitted, else the retry_after in seconds
 */
export class RateLimiter {
  private readonly chatHits = new Map<number, number[]>();
  private readonly botHits: number[] = [];
  private readonly blockedUntil = new Map<number | 'bot', number>();

  constructor(
    readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Counts one call for the chat; returns `retry_after` seconds when refused (and then counts nothing). */
  admit(chatId: number, scope: 'private' | 'group'): number | undefined {
    const t = this.now();
    const chatWindow = scope === 'private' ? this.options.privateChat : this.options.group;
    const hits = this.chatHits.get(chatId) ?? [];
    this.chatHits.set(chatId, hits);
    prune(hits, t, chatWindow.windowMs);
    prune(this.botHits, t, this.options.bot.windowMs);
    // Calls during a block learn how long is left; the block itself is not extended.
    const blockedMs = Math.max(
      (this.blockedUntil.get(chatId) ?? 0) - t,
      (this.blockedUntil.get('bot') ?? 0) - t,
    );
    if (blockedMs > 0) return Math.max(1, Math.ceil(blockedMs / 1000));
    const chatFull = hits.length >= chatWindow.limit;
    const botFull = this.botHits.length >= this.options.bot.limit;
    const waitMs = Math.max(
      chatFull ? hits[0]! + chatWindow.windowMs - t : 0,
      botFull ? this.botHits[0]! + this.options.bot.windowMs - t : 0,
    );
    if (waitMs > 0) {
      const retryAfter = this.options.retryAfterSeconds ?? Math.max(1, Math.ceil(waitMs / 1000));
      this.blockedUntil.set(botFull ? 'bot' : chatId, t + retryAfter * 1000);
      return retryAfter;
    }
    hits.push(t);
    this.botHits.push(t);
    return undefined;
  }
}

function prune(hits: number[], now: number, windowMs: number): void {
  while (hits.length > 0 && hits[0]! <= now - windowMs) hits.shift();
}
