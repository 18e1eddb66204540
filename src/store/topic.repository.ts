import type { Database, Statement } from 'better-sqlite3';
import { parseSnapshotJson } from './snapshot-json.ts';

export interface TopicRecord {
  topicKey: string;
  chatId: number;
  machineVersion: number;
  /** The state value, flattened (`running`, `awaiting-file`, …). */
  state: string;
  /** XState persisted snapshot, parsed. */
  snapshot: unknown;
  updatedAt: number;
}

/** Persisted topic actor snapshots, one row per topic, rewritten on every state change. */
export class TopicRepository {
  readonly #save: Statement;
  readonly #load: Statement;
  readonly #all: Statement;
  readonly #keys: Statement;
  readonly #delete: Statement;

  constructor(db: Database) {
    this.#save =
      db.prepare(`INSERT INTO topics (topic_key, chat_id, machine_version, state, snapshot, updated_at)
      VALUES (@topicKey, @chatId, @machineVersion, @state, @snapshot, @updatedAt)
      ON CONFLICT (topic_key) DO UPDATE SET chat_id = excluded.chat_id, machine_version = excluded.machine_version,
        state = excluded.state, snapshot = excluded.snapshot, updated_at = excluded.updated_at`);
    this.#load = db.prepare('SELECT * FROM topics WHERE topic_key = ?');
    this.#all = db.prepare('SELECT * FROM topics ORDER BY topic_key');
    this.#keys = db.prepare('SELECT topic_key, state FROM topics');
    this.#delete = db.prepare('DELETE FROM topics WHERE topic_key = ?');
  }

  save(record: Omit<TopicRecord, 'updatedAt'>, now = Date.now()): void {
    this.saveJson(record, JSON.stringify(record.snapshot), now);
  }

  /** Like `save`, with the snapshot already serialized (the hot path serializes once). */
  saveJson(
    record: Omit<TopicRecord, 'updatedAt' | 'snapshot'>,
    snapshotJson: string,
    now = Date.now(),
  ): void {
    this.#save.run({ ...record, snapshot: snapshotJson, updatedAt: now });
  }

  /**
   * The stored record, or undefined. A snapshot that is not valid JSON is returned as the raw
   * text so the caller can report it and restart the topic from its durable facts.
   */
  load(topicKey: string): TopicRecord | undefined {
    const row = this.#load.get(topicKey) as RawTopicRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  all(): TopicRecord[] {
    return (this.#all.all() as RawTopicRow[]).map(toRecord);
  }

  /** Keys and states only: cheap enough to scan at boot with many topics. */
  states(): { topicKey: string; state: string }[] {
    return (this.#keys.all() as { topic_key: string; state: string }[]).map((r) => ({
      topicKey: r.topic_key,
      state: r.state,
    }));
  }

  delete(topicKey: string): void {
    this.#delete.run(topicKey);
  }
}

interface RawTopicRow {
  topic_key: string;
  chat_id: number;
  machine_version: number;
  state: string;
  snapshot: string;
  updated_at: number;
}

function toRecord(row: RawTopicRow): TopicRecord {
  const snapshot = parseSnapshotJson(row.snapshot);
  return {
    topicKey: row.topic_key,
    chatId: row.chat_id,
    machineVersion: row.machine_version,
    state: row.state,
    snapshot,
    updatedAt: row.updated_at,
  };
}
