import { existsSync } from 'node:fs';
import { stateLabel } from '../actors/topic-runtime.ts';
import type { InFlightRun, RunJob, TopicContext } from '../machines/topic.types.ts';
import type { RunRecord } from '../store/run.repository.ts';
import type { Store } from '../store/store.ts';
import type { ScopePrefs } from '../transport/prefs.ts';
import { chatPrefsKey } from '../transport/routing/topic-key.ts';
import { isProcessAlive, type LockContent } from './lockfile.ts';

/** What `tentacle status` shows; `--json` prints it as is. Times are ms since the epoch. */
export interface StatusReport {
  generatedAt: number;
  configPath: string;
  bridge: { running: boolean; pid: number | null; staleLock: boolean };
  database: { path: string; exists: boolean; schemaVersion: number | null };
  inbox: { pending: number; consumed: number; skipped: number } | null;
  topics: TopicStatus[];
  outbox: OutboxStatus[];
}

export interface TopicStatus {
  topicKey: string;
  chatId: number;
  /** `idle`, `running`, `awaiting-file`, `resuming`, … */
  state: string;
  updatedAt: number;
  /** The project binding from `/topic` or `/ctx set`, and where it is stored. */
  binding: { project: string; branch: string | null; scope: 'topic' | 'chat' } | null;
  /** `/agent set` default of the topic (or its chat). */
  defaultEngine: string | null;
  /** Stored engine sessions (engine → resume token). */
  sessions: Record<string, string>;
  queue: { jobId: string; engine: string; enqueuedAt: number }[];
  run: RunStatus | null;
  /** The upload an `awaiting-file` topic waits for (`/file put <path>` without a file). */
  fileWait: { path: string; deadline: number } | null;
  /** False when the stored snapshot could not be read (the topic restarts from its facts). */
  snapshotReadable: boolean;
}

export interface RunStatus {
  runId: string;
  engine: string;
  startedAt: number;
  ageSeconds: number;
  pid: number | null;
  /** Whether that pid is alive now (a run of a stopped bridge may have left it behind). */
  pidAlive: boolean;
  resumeToken: string | null;
  cwd: string | null;
  progressMessageId: number | null;
  /** A run being reconciled after a restart rather than the current run. */
  recovering: boolean;
}

export interface OutboxStatus {
  id: number;
  topicKey: string;
  chatId: number;
  kind: string;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/**
 * Reads everything `tentacle status` shows from a read-only store: safe while the bridge writes
 * (WAL readers see the last commit and never block it).
 *
 * @example
 *   const report = readStatus({ configPath, statePath, store, lock: readLock(lockPath), now: Date.now() });
 */
export function readStatus(input: {
  configPath: string;
  statePath: string;
  store: Store | undefined;
  lock: LockContent | undefined;
  now: number;
}): StatusReport {
  const { store, lock, now } = input;
  const pidAlive = lock !== undefined && isProcessAlive(lock.pid);
  const report: StatusReport = {
    generatedAt: now,
    configPath: input.configPath,
    bridge: { running: pidAlive, pid: lock?.pid ?? null, staleLock: lock !== undefined && !pidAlive },
    database: { path: input.statePath, exists: existsSync(input.statePath), schemaVersion: null },
    inbox: null,
    topics: [],
    outbox: [],
  };
  if (!store) return report;
  report.database.schemaVersion = store.schemaVersion();
  report.inbox = store.inbox.counts();
  const activeRuns = new Map<string, RunRecord>();
  for (const run of store.runs.active()) {
    if (run.status === 'running') activeRuns.set(run.topicKey, run);
  }
  const prefsOf = (scopeKey: string) => store.prefs.get(scopeKey) as Partial<ScopePrefs>;
  report.topics = store.topics.all().map((record) => {
    const snapshot = asSnapshot(record.snapshot);
    const context = snapshot?.context;
    // A chat-mode lane of a private chat shares its key with the chat's prefs.
    const isChatLane = record.topicKey === chatPrefsKey(record.chatId);
    const topicPrefs = prefsOf(record.topicKey);
    const chatPrefs = prefsOf(chatPrefsKey(record.chatId));
    const bound = topicPrefs.context ?? chatPrefs.context;
    const inFlight = context?.current ?? context?.recovering ?? null;
    const stored = activeRuns.get(record.topicKey);
    return {
      topicKey: record.topicKey,
      chatId: record.chatId,
      state: snapshot ? stateLabel(snapshot.value) : record.state,
      updatedAt: record.updatedAt,
      binding: bound
        ? {
            project: bound.project,
            branch: bound.branch ?? null,
            scope: topicPrefs.context && !isChatLane ? 'topic' : 'chat',
          }
        : null,
      defaultEngine: topicPrefs.default_engine ?? chatPrefs.default_engine ?? null,
      sessions: Object.fromEntries(
        Object.entries(context?.sessions ?? {}).flatMap(([engine, session]) =>
          session?.token ? [[engine, session.token]] : [],
        ),
      ),
      queue: (context?.queue ?? []).map((job: RunJob) => ({
        jobId: job.jobId,
        engine: job.engine,
        enqueuedAt: job.enqueuedAt,
      })),
      run: inFlight
        ? runFromContext(inFlight, context?.current === null, now)
        : stored
          ? runFromRecord(stored, now)
          : null,
      fileWait: context?.fileWait
        ? { path: context.fileWait.path, deadline: context.fileWait.deadline }
        : null,
      snapshotReadable: snapshot !== undefined,
    };
  });
  report.outbox = store.outbox.all().map((row) => ({
    id: row.id,
    topicKey: row.topicKey,
    chatId: row.chatId,
    kind: row.kind,
    attempts: row.attempts,
    createdAt: row.createdAt,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
  }));
  return report;
}

interface PersistedTopic {
  value: unknown;
  context: Partial<TopicContext> | undefined;
}

function asSnapshot(value: unknown): PersistedTopic | undefined {
  if (value === null || typeof value !== 'object' || !('value' in value)) return undefined;
  const context = (value as { context?: unknown }).context;
  return {
    value: (value as { value: unknown }).value,
    context: context !== null && typeof context === 'object' ? (context as Partial<TopicContext>) : undefined,
  };
}

function runFromContext(run: InFlightRun, recovering: boolean, now: number): RunStatus {
  return {
    runId: run.runId,
    engine: run.job.engine,
    startedAt: run.startedAt,
    ageSeconds: Math.max(0, Math.floor((now - run.startedAt) / 1000)),
    pid: run.pid,
    pidAlive: run.pid !== null && isProcessAlive(run.pid),
    resumeToken: run.resumeToken,
    cwd: run.job.cwd,
    progressMessageId: run.progressMessageId,
    recovering,
  };
}

function runFromRecord(run: RunRecord, now: number): RunStatus {
  const startedAt = run.startedAt ?? run.createdAt;
  return {
    runId: run.runId,
    engine: run.engine,
    startedAt,
    ageSeconds: Math.max(0, Math.floor((now - startedAt) / 1000)),
    pid: run.pid,
    pidAlive: run.pid !== null && isProcessAlive(run.pid),
    resumeToken: run.resumeToken,
    cwd: run.cwd,
    progressMessageId: run.progressMessageId,
    recovering: false,
  };
}
