import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's master seed (CHAOS_SEED, or drawn once by the global setup). */
    chaosSeed: number;
    /** Where each test file appends its counts for the summary printed at the end of the run. */
    chaosTallyDir: string;
  }
}

/** The master seed of this run; every test derives its own stream from it and its own name. */
export function chaosSeed(): number {
  return inject('chaosSeed');
}

/**
 * A small seeded PRNG (mulberry32): the same seed and label give the same choices, whatever
 * order the tests run in, so a failure is replayed with `CHAOS_SEED=<seed>`.
 *
 * @example
 * const rng = Rng.for(chaosSeed(), 'kills in chat mode');
 * const delay = rng.int(0, 3_000);
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A stream for one test: the master seed mixed with the test's label. */
  static for(seed: number, label: string): Rng {
    let h = seed >>> 0;
    for (const ch of label) h = Math.imul(h ^ ch.codePointAt(0)!, 0x9e3779b1) >>> 0;
    return new Rng(h);
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A 31-bit integer, e.g. a seed for fast-check. */
  seed(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }
}
