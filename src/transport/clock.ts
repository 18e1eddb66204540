/**
 * Time as the outbox sees it: the current time and one-shot timers. Tests pass a fake that
 * advances on demand, so pacing is checked without waiting.
 *
 * @example
 * const clock: Clock = systemClock;
 * const handle = clock.setTimeout(() => wake(), 250);
 * clock.clearTimeout(handle);
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time and Node timers; timers are unref'd so a pending wake-up never holds the process open. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, Math.max(0, ms));
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
