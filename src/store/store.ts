import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { InboxRepository } from './inbox.repository.ts';
import { MetaRepository } from './meta.repository.ts';
import { migrate, schemaVersion } from './migrate.ts';
import { OutboxRepository } from './outbox.repository.ts';
import { PrefsRepository } from './prefs.repository.ts';
import { RunRepository } from './run.repository.ts';
import { SessionRepository } from './session.repository.ts';
import { TopicRepository } from './topic.repository.ts';
import { TopicHistoryRepository } from './topic-history.repository.ts';

/**
 * tentacle's state database: one SQLite file in WAL mode, migrated on open, with a small typed
 * repository per table. All SQL lives under `src/store/`.
 *
 * @example
 *   const store = openStore('/home/me/.tentacle/tentacle.db');
 *   store.transaction(() => { store.inbox.markConsumed(42); store.topics.save(record); });
 */
export class Store {
  readonly meta: MetaRepository;
  readonly inbox: InboxRepository;
  readonly topics: TopicRepository;
  readonly runs: RunRepository;
  readonly sessions: SessionRepository;
  readonly prefs: PrefsRepository;
  readonly outbox: OutboxRepository;
  readonly topicHistory: TopicHistoryRepository;

  constructor(readonly db: Database) {
    this.meta = new MetaRepository(db);
    this.inbox = new InboxRepository(db, this.meta);
    this.topics = new TopicRepository(db);
    this.runs = new RunRepository(db);
    this.sessions = new SessionRepository(db);
    this.prefs = new PrefsRepository(db);
    this.outbox = new OutboxRepository(db);
    this.topicHistory = new TopicHistoryRepository(db);
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** `PRAGMA integrity_check`: `['ok']` when the file is sound. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export interface OpenStoreOptions {
  /** Open without creating or migrating (for `tentacle status` next to a running bridge). */
  readonly?: boolean;
}

export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  if (!options.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
  });
  // Another process (status, doctor) may read while the bridge writes: wait rather than fail.
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode keeps every commit atomic and durable across a crash or SIGKILL of the
    // process (the contract tentacle tests); only an OS crash or power cut may roll back the last
    // commits, and costs far fewer fsyncs on the per-transition snapshot path.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return new Store(db);
}
