import type { ActionEvent, CompletedEvent, EngineId, StartedEvent } from '../engines/events.ts';
import type { ProgressState } from '../engines/progress-state.ts';

/**
 * The data of a topic actor. Everything here is plain JSON: it is persisted on every state change
 * and restored after a crash (DESIGN §2), so no Date, Map, class instance, secret or live handle.
 */

/** Bumped whenever a persisted snapshot of an older shape can no longer be restored as is. */
export const TOPIC_MACHINE_VERSION = 2;

/** How a job picks its engine session. */
export type JobSession =
  /** Start a new engine session. */
  | { mode: 'new' }
  /** Continue this session (a reply or a pasted resume line). */
  | { mode: 'token'; token: string }
  /** Continue the session the topic stored for the job's engine, if any, when the job starts. */
  | { mode: 'stored' };

/** One prompt waiting for, or being run by, an engine. */
export interface RunJob {
  /** Unique id; becomes the run id. */
  jobId: string;
  prompt: string;
  engine: EngineId;
  session: JobSession;
  /** Where the engine runs (project checkout, worktree, or the bridge's cwd). */
  cwd: string;
  model: string | null;
  reasoning: string | null;
  /** Project and branch shown in the footer, when a project context applies. */
  context: { project: string | null; branch: string | null } | null;
  /** A `@branch` worktree to create (or reuse) before the run; its path becomes the cwd. */
  worktree?: { project: string; branch: string } | null;
  /** The Telegram message this job answers (replies go to it). */
  userMessageId: number | null;
  senderId: number | null;
  /** The `queued` placeholder, edited into the progress message when the job starts. */
  placeholderMessageId: number | null;
  enqueuedAt: number;
  /** Why the job exists: a user's prompt, or a restart continuing or re-running a lost run. */
  origin: 'user' | 'restart-continue' | 'restart-rerun';
}

/** The run the engine process actor is executing. */
export interface InFlightRun {
  runId: string;
  job: RunJob;
  /** Boot of the bridge that spawned (or will spawn) the process. */
  bootId: string;
  startedAt: number;
  /** The session token in use: the resumed one, or the one the engine announced. */
  resumeToken: string | null;
  progressMessageId: number | null;
  pid: number | null;
  pidStartTime: string | null;
  progress: ProgressState;
  /** Set when a user asked to cancel; the engine is being terminated. */
  cancel: { by: number | null } | null;
}

/** `/file put <path>` without a file: where that sender's next upload goes, until when. */
export interface FileWait {
  path: string;
  force: boolean;
  senderId: number | null;
  /** The message that asked, replied to when the file lands or the wait expires. */
  messageId: number | null;
  /** Where relative paths are resolved: the project checkout or worktree, or the bridge's cwd. */
  root: string;
  /** Absolute time (ms) after which the wait ends. */
  deadline: number;
}

/** A stored engine session of the topic (chat mode, forum topics, and stateless lanes). */
export interface StoredSession {
  token: string;
  cwd: string;
}

export interface TopicContext {
  topicKey: string;
  chatId: number;
  /** Forum thread, when the topic is one (never 1: General has no thread id). */
  threadId: number | null;
  bootId: string;
  sessions: Partial<Record<EngineId, StoredSession>>;
  queue: RunJob[];
  current: InFlightRun | null;
  /** The run a restart is reconciling (terminating its orphaned process first). */
  recovering: InFlightRun | null;
  /** The engine session lock (`engine:token`) this topic holds while running. */
  heldSession: string | null;
  /** The upload the topic waits for, if any (`awaiting-file`). */
  fileWait: FileWait | null;
  /** Runs finished since the topic was created: shown by `tentacle status`. */
  runsCompleted: number;
}

export interface TopicInput {
  topicKey: string;
  chatId: number;
  threadId: number | null;
  bootId: string;
  /** A persisted snapshot to continue from (read by the runtime's restorable topic logic). */
  restore?: unknown;
  /** Durable facts to start from when no snapshot fits (sessions and queued jobs from SQLite). */
  facts?: { sessions: TopicContext['sessions']; queue: RunJob[] };
}

/** Prompt the engine gets when a run lost to a restart continues its session (DESIGN §4). */
export const RESTART_CONTINUE_PROMPT =
  'The bridge restarted while you were working. Continue where you left off.';

/** What the engine process actor is invoked with (saved in the snapshot; re-used on restore). */
export interface EngineRunInput {
  runId: string;
  engine: EngineId;
  /** The boot that started the run: a restored actor from an earlier boot reports ENGINE.LOST. */
  bootId: string;
  request: { prompt: string; resume?: string; model?: string; reasoning?: string; cwd: string };
}

/** Events the engine process actor sends its topic; `at` is when it happened (ms). */
export type EngineProcessEventForTopic =
  | { type: 'ENGINE.SPAWNED'; runId: string; pid: number; startTime: string | null; at?: number }
  | { type: 'ENGINE.STARTED'; runId: string; event: StartedEvent; at?: number }
  | { type: 'ENGINE.ACTION'; runId: string; event: ActionEvent; at?: number }
  | { type: 'ENGINE.COMPLETED'; runId: string; event: CompletedEvent; at?: number }
  | { type: 'ENGINE.LOST'; runId: string; at?: number };

export type TopicEvent =
  /** A resolved prompt from the transport. `at` is the time the bridge received it. */
  | { type: 'TOPIC.PROMPT'; job: RunJob; at: number }
  /** Cancel the run or queued job shown by this Telegram message. */
  | { type: 'TOPIC.CANCEL'; messageId: number; by: number | null; at: number }
  /** `/new`: forget stored sessions. */
  | { type: 'TOPIC.NEW_SESSION'; engine?: EngineId }
  /** Sent by the runtime right after the actor is created or restored in this boot. */
  | { type: 'TOPIC.ATTACH'; bootId: string; at: number; restored: boolean }
  /** The progress message of a run was sent. */
  | { type: 'TOPIC.PROGRESS_SENT'; runId: string; messageId: number }
  /** The queued placeholder of a job was sent. */
  | { type: 'TOPIC.PLACEHOLDER_SENT'; jobId: string; messageId: number }
  /** Wait for this sender's next upload (replaces an earlier wait). */
  | { type: 'FILE.AWAIT'; wait: FileWait }
  /** The awaited upload was saved. */
  | { type: 'FILE.RECEIVED' }
  | { type: 'FILE.CANCEL_WAIT' }
  /** The supervisor granted the engine session lock. */
  | { type: 'SESSION.GRANTED'; key: string }
  | EngineProcessEventForTopic;

/** The lock key of an engine session: `engine:token`. */
export function sessionKey(engine: EngineId, token: string): string {
  return `${engine}:${token}`;
}
