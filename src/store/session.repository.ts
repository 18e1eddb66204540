import type { Database, Statement } from 'better-sqlite3';

export interface SessionRecord {
  engine: string;
  token: string;
  topicKey: string;
  /** The directory the session was created in; opencode and pi must resume there. */
  cwd: string | null;
  updatedAt: number;
}

/** The index `engine:token → topic` (stateless lanes join the topic that owns a token). */
export class SessionRepository {
  readonly #upsert: Statement;
  readonly #find: Statement;
  readonly #forTopic: Statement;

  constructor(db: Database) {
    this.#upsert = db.prepare(`INSERT INTO sessions (engine, token, topic_key, cwd, updated_at)
      VALUES (@engine, @token, @topicKey, @cwd, @updatedAt)
      ON CONFLICT (engine, token) DO UPDATE SET topic_key = excluded.topic_key,
        cwd = COALESCE(sessions.cwd, excluded.cwd), updated_at = excluded.updated_at`);
    this.#find = db.prepare('SELECT * FROM sessions WHERE engine = ? AND token = ?');
    this.#forTopic = db.prepare('SELECT * FROM sessions WHERE topic_key = ? ORDER BY updated_at DESC');
  }

  /** Records (or moves) a session; the first cwd seen for a session is kept. */
  upsert(session: Omit<SessionRecord, 'updatedAt'>, now = Date.now()): void {
    this.#upsert.run({ ...session, updatedAt: now });
  }

  find(engine: string, token: string): SessionRecord | undefined {
    const row = this.#find.get(engine, token) as RawSessionRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  forTopic(topicKey: string): SessionRecord[] {
    return (this.#forTopic.all(topicKey) as RawSessionRow[]).map(toRecord);
  }
}

interface RawSessionRow {
  engine: string;
  token: string;
  topic_key: string;
  cwd: string | null;
  updated_at: number;
}

function toRecord(row: RawSessionRow): SessionRecord {
  return {
    engine: row.engine,
    token: row.token,
    topicKey: row.topic_key,
    cwd: row.cwd,
    updatedAt: row.updated_at,
  };
}
