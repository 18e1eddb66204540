/**
 * Collects the messages of a Telegram album (one update per item, sharing `media_group_id`, possibly
 * spread over several `getUpdates` batches) until no new item came for the debounce time, then hands
 * the whole group over at once, items ordered by message id.
 *
 * @example
 *   const albums = new MediaGroupBuffer<Item>({ debounceMs: 1000, onGroup: (key, items) => handle(items) });
 *   albums.add('5:album-1', { messageId: 10, … });
 */
export class MediaGroupBuffer<T extends { messageId: number }> {
  readonly #groups = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();
  readonly #debounceMs: number;
  readonly #onGroup: (key: string, items: T[]) => void;

  constructor(options: { debounceMs: number; onGroup(key: string, items: T[]): void }) {
    this.#debounceMs = options.debounceMs;
    this.#onGroup = options.onGroup;
  }

  add(key: string, item: T): void {
    const group = this.#groups.get(key);
    if (group) {
      clearTimeout(group.timer);
      if (!group.items.some((i) => i.messageId === item.messageId)) group.items.push(item);
      group.timer = setTimeout(() => this.#flush(key), this.#debounceMs);
      return;
    }
    this.#groups.set(key, { items: [item], timer: setTimeout(() => this.#flush(key), this.#debounceMs) });
  }

  /** Drops every open group without handing it over. */
  clear(): T[] {
    const dropped: T[] = [];
    for (const group of this.#groups.values()) {
      clearTimeout(group.timer);
      dropped.push(...group.items);
    }
    this.#groups.clear();
    return dropped;
  }

  #flush(key: string): void {
    const group = this.#groups.get(key);
    if (!group) return;
    this.#groups.delete(key);
    this.#onGroup(
      key,
      [...group.items].sort((a, b) => a.messageId - b.messageId),
    );
  }
}
