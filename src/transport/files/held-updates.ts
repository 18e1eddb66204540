/**
 * The inbox rows a background task (a download, an album still arriving, a transcription) is working
 * on. The router leaves them alone while held; once done they are remembered a while longer, because
 * a drain pass that listed them as pending before they were consumed must not handle them again.
 *
 * @example
 *   const held = new HeldUpdates();
 *   held.hold([101, 102]);
 *   held.has(101) // true
 *   held.release([101, 102]);
 *   held.has(101) // still true: recently finished
 */
export class HeldUpdates {
  readonly #active = new Map<number, number>();
  readonly #finished = new Set<number>();
  readonly #remember: number;

  constructor(options: { remember?: number } = {}) {
    this.#remember = options.remember ?? 4096;
  }

  hold(updateIds: Iterable<number>): void {
    for (const id of updateIds) this.#active.set(id, (this.#active.get(id) ?? 0) + 1);
  }

  release(updateIds: Iterable<number>): void {
    for (const id of updateIds) {
      const count = (this.#active.get(id) ?? 1) - 1;
      if (count > 0) {
        this.#active.set(id, count);
        continue;
      }
      this.#active.delete(id);
      this.#finished.add(id);
      if (this.#finished.size > this.#remember) {
        const oldest = this.#finished.values().next().value;
        if (oldest !== undefined) this.#finished.delete(oldest);
      }
    }
  }

  /** Forgets rows that were released without being consumed (shutdown): the next boot handles them. */
  drop(updateIds: Iterable<number>): void {
    for (const id of updateIds) {
      this.#active.delete(id);
      this.#finished.delete(id);
    }
  }

  has(updateId: number): boolean {
    return this.#active.has(updateId) || this.#finished.has(updateId);
  }
}
