import { stateLabel, statePath } from '../topic-runtime.ts';
import type { LiveActor, RecentEvent } from './live-actors.ts';
import { cutString } from './sanitize.ts';

/** What the list shows of one topic. */
export interface TopicRow {
  key: string;
  /** A live actor (false: only its persisted snapshot exists, e.g. an idle topic that was evicted). */
  live: boolean;
  /** Top-level state (`idle`, `running`, `resuming`, …). */
  state: string;
  /** Full state path (`running.engine`). */
  statePath: string;
  /** The bound project and branch (`web @feature-x`), when one applies. */
  binding: string | null;
  engine: string | null;
  /** The engine session the topic runs or would resume. */
  session: string | null;
  queue: { jobId: string; engine: string; prompt: string }[];
  queueLength: number;
  run: RunRow | null;
  runsCompleted: number | null;
  /** Newest first. */
  lastEvents: { at: number; type: string; summary: string }[];
  updatedAt: number | null;
}

export interface RunRow {
  runId: string;
  engine: string;
  prompt: string;
  /** Epoch ms: the page shows the elapsed time from it. */
  startedAt: number;
  step: number;
  pid: number | null;
  cancelling: boolean;
  /** The latest progress line. */
  lastAction: string | null;
  /** Status of the invoked engine actor (`active`) or null when none is running. */
  engineActor: string | null;
}

/** The supervisor's line in the list. */
export interface SupervisorRow {
  key: 'supervisor';
  live: boolean;
  state: string;
  alive: number;
  locks: Record<string, unknown>;
  waiting: Record<string, unknown>;
  parked: Record<string, unknown>;
  lastEvents: { at: number; type: string; summary: string }[];
  updatedAt: number;
}

/** Facts about a topic that live outside its actor: its binding and default engine (prefs). */
export interface TopicFacts {
  binding: string | null;
  engine: string | null;
}

export type DescribeTopic = (topic: {
  topicKey: string;
  chatId: number;
  threadId: number | null;
}) => TopicFacts;

const LAST_EVENTS = 5;
const QUEUE_SHOWN = 5;

/**
 * One topic's row from what the inspector saw of it (`actor`) or, for a topic with no live actor,
 * from its stored state.
 */
export function topicRow(
  key: string,
  actor: LiveActor | undefined,
  stored: { state: string; updatedAt?: number } | undefined,
  describe?: DescribeTopic,
): TopicRow {
  const context = (actor?.context ?? null) as TopicContextish | null;
  const current = context?.current ?? null;
  const facts = context && describe ? safeDescribe(describe, context) : { binding: null, engine: null };
  const runContext = current?.job?.context;
  const binding = runContext?.project
    ? `${runContext.project}${runContext.branch ? ` @${runContext.branch}` : ''}`
    : facts.binding;
  const engine = current?.job?.engine ?? facts.engine ?? firstKey(context?.sessions) ?? null;
  const session =
    current?.resumeToken ?? (engine ? (context?.sessions?.[engine]?.token ?? null) : null) ?? null;
  const queue = Array.isArray(context?.queue) ? context.queue.filter(isJob) : [];
  const value = actor?.value;
  const hasValue = actor !== undefined && value !== null && value !== undefined;
  return {
    key,
    live: actor?.alive ?? false,
    state: hasValue ? stateLabel(value) : (stored?.state ?? 'unknown'),
    statePath: hasValue ? statePath(value) : (stored?.state ?? 'unknown'),
    binding,
    engine,
    session,
    queue: queue.slice(0, QUEUE_SHOWN).map((job) => ({
      jobId: String(job.jobId),
      engine: String(job.engine),
      prompt: cutString(String(job.prompt ?? ''), 80),
    })),
    queueLength: queue.length,
    run: current ? runRow(current, actor?.children ?? {}) : null,
    runsCompleted: typeof context?.runsCompleted === 'number' ? context.runsCompleted : null,
    lastEvents: lastEvents(actor?.events ?? []),
    updatedAt: actor?.updatedAt ?? stored?.updatedAt ?? null,
  };
}

export function supervisorRow(actor: LiveActor): SupervisorRow {
  const context = (actor.context ?? {}) as Record<string, unknown>;
  const record = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return {
    key: 'supervisor',
    live: actor.alive,
    state: actor.status,
    alive: Object.keys(record(context['alive'])).length,
    locks: record(context['locks']),
    waiting: record(context['waiting']),
    parked: record(context['parked']),
    lastEvents: lastEvents(actor.events),
    updatedAt: actor.updatedAt,
  };
}

function runRow(current: RunContextish, children: Record<string, string>): RunRow {
  const lines = Array.isArray(current.progress?.lines) ? current.progress.lines : [];
  const last = lines.at(-1);
  return {
    runId: String(current.runId ?? ''),
    engine: String(current.job?.engine ?? ''),
    prompt: cutString(String(current.job?.prompt ?? ''), 80),
    startedAt: typeof current.startedAt === 'number' ? current.startedAt : 0,
    step: typeof current.progress?.step === 'number' ? current.progress.step : 0,
    pid: typeof current.pid === 'number' ? current.pid : null,
    cancelling: Boolean(current.cancel),
    lastAction:
      last && typeof last === 'object' && 'title' in last ? cutString(String(last.title), 80) : null,
    engineActor: children['engine'] ?? null,
  };
}

function lastEvents(events: RecentEvent[]): TopicRow['lastEvents'] {
  return events
    .slice(-LAST_EVENTS)
    .reverse()
    .map(({ at, type, summary }) => ({ at, type, summary }));
}

function safeDescribe(describe: DescribeTopic, context: TopicContextish): TopicFacts {
  if (typeof context.topicKey !== 'string' || typeof context.chatId !== 'number') {
    return { binding: null, engine: null };
  }
  try {
    return describe({
      topicKey: context.topicKey,
      chatId: context.chatId,
      threadId: typeof context.threadId === 'number' ? context.threadId : null,
    });
  } catch {
    return { binding: null, engine: null };
  }
}

function firstKey(value: unknown): string | undefined {
  return value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
}

function isJob(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && 'jobId' in (value as object);
}

/** The sanitized context of a topic: the shape of `TopicContext`, read defensively. */
interface TopicContextish {
  topicKey?: unknown;
  chatId?: unknown;
  threadId?: unknown;
  sessions?: Record<string, { token?: string } | undefined>;
  queue?: unknown[];
  current?: RunContextish | null;
  runsCompleted?: unknown;
}

interface RunContextish {
  runId?: unknown;
  startedAt?: unknown;
  resumeToken?: string | null;
  pid?: unknown;
  cancel?: unknown;
  job?: {
    engine?: string;
    prompt?: unknown;
    context?: { project?: string | null; branch?: string | null } | null;
  };
  progress?: { step?: unknown; lines?: unknown[] };
}
