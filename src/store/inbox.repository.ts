import type { Database, Statement } from 'better-sqlite3';
import type { MetaRepository } from './meta.repository.ts';

export interface InboxRow {
  updateId: number;
  receivedAt: number;
  /** Telegram's own date of the message or callback, in ms, when the update carries one. */
  sentAt: number | null;
  payload: unknown;
  status: 'pending' | 'consumed' | 'skipped';
}

export interface IncomingUpdate {
  updateId: number;
  sentAt: number | null;
  payload: unknown;
}

const OFFSET_KEY = 'telegram.offset';

/**
 * The intake ledger (DESIGN §3.1). A batch from getUpdates and the offset that acknowledges it are
 * stored in one transaction; only then may the next getUpdates confirm them to Telegram.
 */
export class InboxRepository {
  readonly #insert: Statement;
  readonly #pending: Statement;
  readonly #setStatus: Statement;
  readonly #prune: Statement;
  readonly #count: Statement;

  constructor(
    private readonly db: Database,
    private readonly meta: MetaRepository,
  ) {
    this.#insert = db.prepare(
      'INSERT OR IGNORE INTO inbox (update_id, received_at, sent_at, payload) VALUES (?, ?, ?, ?)',
    );
    this.#pending = db.prepare(
      "SELECT * FROM inbox WHERE status = 'pending' ORDER BY received_at, update_id LIMIT ?",
    );
    this.#setStatus = db.prepare('UPDATE inbox SET status = ?, consumed_at = ? WHERE update_id = ?');
    this.#prune = db.prepare("DELETE FROM inbox WHERE status != 'pending' AND received_at < ?");
    this.#count = db.prepare('SELECT status, COUNT(*) AS n FROM inbox GROUP BY status');
  }

  /**
   * Stores a batch and the next offset atomically. A redelivered `update_id` is ignored.
   * @returns the updates that were new.
   */
  storeBatch(updates: IncomingUpdate[], nextOffset: number, now = Date.now()): IncomingUpdate[] {
    return this.db.transaction(() => {
      const fresh = updates.filter(
        (u) => this.#insert.run(u.updateId, now, u.sentAt, JSON.stringify(u.payload)).changes === 1,
      );
      this.meta.set(OFFSET_KEY, String(nextOffset));
      return fresh;
    })();
  }

  /** The offset to pass to the next getUpdates, if one was ever stored. */
  offset(): number | undefined {
    const value = this.meta.get(OFFSET_KEY);
    return value === undefined ? undefined : Number(value);
  }

  pending(limit = 1000): InboxRow[] {
    return (this.#pending.all(limit) as RawInboxRow[]).map(toInboxRow);
  }

  /** Marks a row consumed; call it inside the transaction that persists the state change it caused. */
  markConsumed(updateId: number, now = Date.now()): void {
    this.#setStatus.run('consumed', now, updateId);
  }

  /** Marks a row handled without effect (too old, unauthorized, or not for us). */
  markSkipped(updateId: number, now = Date.now()): void {
    this.#setStatus.run('skipped', now, updateId);
  }

  /** Forgets handled rows older than `before` (ms); pending rows are never pruned. */
  prune(before: number): number {
    return this.#prune.run(before).changes;
  }

  counts(): Record<InboxRow['status'], number> {
    const counts = { pending: 0, consumed: 0, skipped: 0 };
    for (const row of this.#count.all() as { status: InboxRow['status']; n: number }[])
      counts[row.status] = row.n;
    return counts;
  }
}

interface RawInboxRow {
  update_id: number;
  received_at: number;
  sent_at: number | null;
  payload: string;
  status: InboxRow['status'];
}

function toInboxRow(row: RawInboxRow): InboxRow {
  return {
    updateId: row.update_id,
    receivedAt: row.received_at,
    sentAt: row.sent_at,
    payload: JSON.parse(row.payload),
    status: row.status,
  };
}
