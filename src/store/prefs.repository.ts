import type { Database, Statement } from 'better-sqlite3';

/**
 * Preferences and bindings of one chat (`tg:<chat>`) or topic (`tg:<chat>:<thread>`): default
 * engine, trigger mode, bound context, model and reasoning overrides. Stored as one JSON object
 * per scope; an empty object deletes the row.
 */
export class PrefsRepository<T extends object = Record<string, unknown>> {
  readonly #get: Statement;
  readonly #set: Statement;
  readonly #delete: Statement;
  readonly #all: Statement;

  constructor(db: Database) {
    this.#get = db.prepare('SELECT data FROM prefs WHERE scope_key = ?');
    this.#set = db.prepare(`INSERT INTO prefs (scope_key, data, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (scope_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`);
    this.#delete = db.prepare('DELETE FROM prefs WHERE scope_key = ?');
    this.#all = db.prepare('SELECT scope_key, data FROM prefs ORDER BY scope_key');
  }

  get(scopeKey: string): Partial<T> {
    const row = this.#get.get(scopeKey) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as Partial<T>) : {};
  }

  set(scopeKey: string, data: Partial<T>, now = Date.now()): void {
    const compact = Object.fromEntries(
      Object.entries(data).filter(([, value]) => value !== undefined && value !== null),
    );
    if (Object.keys(compact).length === 0) this.#delete.run(scopeKey);
    else this.#set.run(scopeKey, JSON.stringify(compact), now);
  }

  /** Merges `patch` into the stored object (`undefined`/`null` values remove keys). */
  update(scopeKey: string, patch: Partial<T>, now = Date.now()): Partial<T> {
    const next = { ...this.get(scopeKey), ...patch };
    this.set(scopeKey, next, now);
    return this.get(scopeKey);
  }

  all(): { scopeKey: string; data: Partial<T> }[] {
    return (this.#all.all() as { scope_key: string; data: string }[]).map((r) => ({
      scopeKey: r.scope_key,
      data: JSON.parse(r.data) as Partial<T>,
    }));
  }
}
