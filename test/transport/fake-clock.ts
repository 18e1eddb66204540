import type { Clock } from '../../src/transport/clock.ts';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that moves only when told. `advance` fires due timers in time order and lets promise
 * callbacks run between them, so code awaiting fake API calls makes progress as time passes.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flush();
      const next = [...this.#timers.values()]
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = target;
    await flush();
  }

  /** Jumps to the earliest timer and fires it (nothing when no timer is set). */
  async fireNext(): Promise<void> {
    const next = [...this.#timers.values()].sort((a, b) => a.at - b.at || a.id - b.id)[0];
    if (!next) return;
    this.#timers.delete(next.id);
    this.#now = Math.max(this.#now, next.at);
    next.callback();
    await flush();
  }

  /** Advances in `stepMs` steps until `done()` holds; throws after `maxMs` of fake time. */
  async until(done: () => boolean, { stepMs = 100, maxMs = 600_000 } = {}): Promise<void> {
    const deadline = this.#now + maxMs;
    await flush();
    while (!done()) {
      if (this.#now >= deadline) throw new Error(`condition not met within ${maxMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }
}

/**
 * For code that also waits on real I/O (HTTP to the fake Bot API): gives I/O a few real
 * milliseconds, then jumps to the next timer, until `done()` holds or `realTimeoutMs` passes.
 */
export async function runUntil(
  clock: FakeClock,
  done: () => boolean,
  { realTimeoutMs = 10_000, label = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + realTimeoutMs;
  for (;;) {
    await flush();
    await new Promise((resolve) => setTimeout(resolve, 3));
    await flush();
    if (done()) return;
    if (Date.now() > deadline) throw new Error(`${label} not met within ${realTimeoutMs} ms`);
    await clock.fireNext();
  }
}

/** Lets pending promise callbacks (several hops deep) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
