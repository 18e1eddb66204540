import type { Database, Statement } from 'better-sqlite3';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  runId: string;
  topicKey: string;
  chatId: number;
  threadId: number | null;
  userMessageId: number | null;
  progressMessageId: number | null;
  engine: string;
  resumeToken: string | null;
  cwd: string | null;
  prompt: string;
  /** The job as the topic queued it (JSON), to run it again when its topic restarts from facts. */
  job: unknown;
  pid: number | null;
  pidStartTime: string | null;
  bootId: string | null;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

const COLUMNS: Record<keyof RunRecord, string> = {
  runId: 'run_id',
  topicKey: 'topic_key',
  chatId: 'chat_id',
  threadId: 'thread_id',
  userMessageId: 'user_message_id',
  progressMessageId: 'progress_message_id',
  engine: 'engine',
  resumeToken: 'resume_token',
  cwd: 'cwd',
  prompt: 'prompt',
  job: 'job',
  pid: 'pid',
  pidStartTime: 'pid_start_time',
  bootId: 'boot_id',
  status: 'status',
  createdAt: 'created_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};
const FIELDS = Object.keys(COLUMNS) as (keyof RunRecord)[];

/** Every engine run with its process identity, so a restart can find and stop orphans. */
export class RunRepository {
  readonly #insert: Statement;
  readonly #get: Statement;
  readonly #active: Statement;
  readonly #recent: Statement;
  readonly #byMessage: Statement;
  readonly #updates = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO runs (${FIELDS.map((f) => COLUMNS[f]).join(', ')}) VALUES (${FIELDS.map((f) => `@${f}`).join(', ')})`,
    );
    this.#get = db.prepare('SELECT * FROM runs WHERE run_id = ?');
    this.#active = db.prepare("SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at");
    this.#recent = db.prepare('SELECT * FROM runs WHERE topic_key = ? ORDER BY created_at DESC LIMIT ?');
    this.#byMessage = db.prepare(
      'SELECT * FROM runs WHERE chat_id = ? AND progress_message_id = ? ORDER BY created_at DESC LIMIT 1',
    );
  }

  insert(run: RunRecord): void {
    this.#insert.run(toParams(run));
  }

  /** Inserts the run, or updates the given fields when it exists. */
  upsert(run: RunRecord, patch: Partial<Omit<RunRecord, 'runId'>>): void {
    if (this.#get.get(run.runId)) this.update(run.runId, patch);
    else this.insert({ ...run, ...patch });
  }

  /** Updates the given fields of one run. */
  update(runId: string, patch: Partial<Omit<RunRecord, 'runId'>>): void {
    const keys = (Object.keys(patch) as (keyof RunRecord)[]).filter((k) => k !== 'runId').sort();
    if (keys.length === 0) return;
    const cacheKey = keys.join(',');
    let statement = this.#updates.get(cacheKey);
    if (!statement) {
      statement = this.db.prepare(
        `UPDATE runs SET ${keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ')} WHERE run_id = @runId`,
      );
      this.#updates.set(cacheKey, statement);
    }
    statement.run(toParams({ ...patch, runId } as RunRecord));
  }

  get(runId: string): RunRecord | undefined {
    const row = this.#get.get(runId) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Runs still queued or running: after a crash, the ones to reconcile. */
  active(): RunRecord[] {
    return (this.#active.all() as Record<string, unknown>[]).map(fromRow);
  }

  /** The run (or queued job) shown by a progress message or placeholder. */
  findByMessage(chatId: number, messageId: number): RunRecord | undefined {
    const row = this.#byMessage.get(chatId, messageId) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : undefined;
  }

  recentForTopic(topicKey: string, limit = 20): RunRecord[] {
    return (this.#recent.all(topicKey, limit) as Record<string, unknown>[]).map(fromRow);
  }
}

function fromRow(row: Record<string, unknown>): RunRecord {
  const record = {} as Record<string, unknown>;
  for (const field of FIELDS) record[field] = row[COLUMNS[field]] ?? null;
  record['job'] = typeof record['job'] === 'string' ? JSON.parse(record['job']) : null;
  return record as unknown as RunRecord;
}

function toParams(run: Partial<RunRecord>): Record<string, unknown> {
  return 'job' in run
    ? { ...run, job: run.job === null || run.job === undefined ? null : JSON.stringify(run.job) }
    : run;
}
