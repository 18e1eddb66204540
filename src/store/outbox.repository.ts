import type { Database, Statement } from 'better-sqlite3';

export interface OutboxRow<P = unknown> {
  id: number;
  topicKey: string;
  chatId: number;
  kind: string;
  payload: P;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/**
 * Durable messages that must reach the user (final, error, cancelled, interrupted). A row is
 * written in the transaction of the transition that produced it and deleted only after Telegram
 * accepted the message, so a crash in between sends it again after restart.
 */
export class OutboxRepository<P = unknown> {
  readonly #insert: Statement;
  readonly #due: Statement;
  readonly #all: Statement;
  readonly #get: Statement;
  readonly #attempt: Statement;
  readonly #updatePayload: Statement;
  readonly #delete: Statement;
  readonly #count: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO outbox (topic_key, chat_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#due = db.prepare('SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY id LIMIT ?');
    this.#all = db.prepare('SELECT * FROM outbox ORDER BY id');
    this.#get = db.prepare('SELECT * FROM outbox WHERE id = ?');
    this.#attempt = db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
    );
    this.#updatePayload = db.prepare('UPDATE outbox SET payload = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM outbox WHERE id = ?');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM outbox');
  }

  enqueue(row: { topicKey: string; chatId: number; kind: string; payload: P }, now = Date.now()): number {
    return Number(
      this.#insert.run(row.topicKey, row.chatId, row.kind, JSON.stringify(row.payload), now).lastInsertRowid,
    );
  }

  due(now = Date.now(), limit = 100): OutboxRow<P>[] {
    return (this.#due.all(now, limit) as RawOutboxRow[]).map((r) => toRow<P>(r));
  }

  all(): OutboxRow<P>[] {
    return (this.#all.all() as RawOutboxRow[]).map((r) => toRow<P>(r));
  }

  get(id: number): OutboxRow<P> | undefined {
    const row = this.#get.get(id) as RawOutboxRow | undefined;
    return row ? toRow<P>(row) : undefined;
  }

  /** Records a failed attempt and when to try again. */
  recordFailure(id: number, error: string, nextAttemptAt: number): void {
    this.#attempt.run(error, nextAttemptAt, id);
  }

  /** Saves progress within a multi-part delivery (e.g. which parts Telegram already accepted). */
  updatePayload(id: number, payload: P): void {
    this.#updatePayload.run(JSON.stringify(payload), id);
  }

  /** Telegram accepted the message: forget it. */
  delete(id: number): void {
    this.#delete.run(id);
  }

  count(): number {
    return (this.#count.get() as { n: number }).n;
  }
}

interface RawOutboxRow {
  id: number;
  topic_key: string;
  chat_id: number;
  kind: string;
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

function toRow<P>(row: RawOutboxRow): OutboxRow<P> {
  return {
    id: row.id,
    topicKey: row.topic_key,
    chatId: row.chat_id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as P,
    createdAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}
