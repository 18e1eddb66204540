import {
  type Actor,
  type AnyActorLogic,
  type AnyActorRef,
  createActor,
  fromPromise,
  type InspectionEvent,
  type SnapshotFrom,
} from 'xstate';
import type { CompletedEvent, EngineId } from '../engines/events.ts';
import type { Logger } from '../logging/logger.ts';
import { type SupervisorEvent, supervisorMachine } from '../machines/supervisor.machine.ts';
import { type OrphanInput, type RunOutcome, topicMachine } from '../machines/topic.machine.ts';
import {
  type FileWait,
  type InFlightRun,
  type RunJob,
  TOPIC_MACHINE_VERSION,
  type TopicContext,
  type TopicEvent,
  type TopicInput,
} from '../machines/topic.types.ts';
import type { RunRecord, RunStatus } from '../store/run.repository.ts';
import type { Store } from '../store/store.ts';
import { terminateProcessGroup } from './process-group.ts';
import { restorableTopicLogic } from './restorable-topic.ts';

/** A message that must reach the user, written to the durable outbox with the state change. */
export interface DurableMessage {
  kind: string;
  chatId: number;
  payload: unknown;
}

/**
 * What the transport contributes to the topic runtime: turning facts into messages, and keeping
 * Telegram in step with each topic. The runtime knows nothing of Telegram formatting.
 */
export interface TopicEffects {
  runFinished(
    topic: TopicContext,
    params: { run: InFlightRun; completed: CompletedEvent | null; outcome: RunOutcome },
  ): DurableMessage[];
  droppedFromQueue(topic: TopicContext, job: RunJob): DurableMessage[];
  /** The upload a topic waited for did not arrive before its deadline. */
  fileWaitExpired(topic: TopicContext, wait: FileWait): DurableMessage[];
  interrupted(topic: TopicContext, run: InFlightRun): DurableMessage[];
  /** The topic lost its saved state (incompatible or corrupt) and restarted from durable facts. */
  restartedFromFacts(topic: TopicInput, reason: string): DurableMessage[];
  /** A topic kept failing and is parked, or an event reached a parked topic. */
  parked(topicKey: string, reason: string, event: TopicEvent | null): DurableMessage[];
  /** Called after the commit that persisted a topic's new snapshot (progress messages, placeholders). */
  topicChanged(topicKey: string, view: TopicView): void;
  /** Called after new durable messages were committed. */
  outboxChanged(): void;
}

/** A topic as the rest of tentacle reads it. */
export interface TopicView {
  topicKey: string;
  /** `idle`, `running`, `resuming`, … (the top-level state). */
  state: string;
  context: TopicContext;
}

export interface TopicRuntimeOptions {
  store: Store;
  logger: Logger;
  bootId: string;
  now?: () => number;
  /** The engine process actor logic (`createEngineProcessLogic`). */
  engineProcess: AnyActorLogic;
  /** Ends a lost run's process group (default: SIGTERM, SIGKILL after 2 s, pid reuse checked). */
  terminateOrphan?: AnyActorLogic;
  /** `on_restart`: continue lost runs (`resume`) or only mark them interrupted (`notify`). */
  onRestart: 'resume' | 'notify';
  effects: TopicEffects;
  /** Makes a job's working directory ready (creates `@branch` worktrees); resolves to the cwd. */
  prepareWorkspace?: (job: RunJob) => Promise<string>;
  /** A topic idle this long is stopped (and restored from SQLite when an event arrives). */
  idleEvictMs?: number;
  /** Receives every inspection event of the actor system (dev tools). */
  inspect?: (event: InspectionEvent) => void;
}

type TopicTopic = Omit<TopicInput, 'bootId'>;

/**
 * Hosts the supervisor and its topic actors: delivers events inside SQLite transactions, persists
 * every topic snapshot together with the durable side effects of the transition that produced it,
 * and restores topics after a restart (DESIGN §3–§4).
 */
export class TopicRuntime {
  readonly #options: TopicRuntimeOptions;
  readonly #store: Store;
  readonly #now: () => number;
  readonly #supervisor: Actor<typeof supervisorMachine>;
  /** Durable writes produced by a topic's actions, flushed with its next snapshot. */
  readonly #pendingWrites = new Map<string, (() => void)[]>();
  readonly #lastPersisted = new Map<string, string>();
  /** Dotted state path last persisted per topic: a change is written to the transition history. */
  readonly #lastState = new Map<string, string>();
  readonly #evictTimers = new Map<string, NodeJS.Timeout>();
  /** Topics whose pending writes include outbox messages. */
  readonly #pendingMessages = new Set<string>();
  /** A failed snapshot write seen while delivering: rethrown so the delivery's transaction rolls back. */
  #persistError: unknown;
  #persisting = true;

  constructor(options: TopicRuntimeOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    const topicLogic = restorableTopicLogic(this.#provideTopic(), (input, error) =>
      this.#factsInput(input, error),
    );
    const supervisor = supervisorMachine.provide({
      actors: { topic: topicLogic },
      actions: {
        restartTopic: (_, params) => {
          options.logger.error(
            { topic: params.topicKey, err: params.error, attempt: params.attempt },
            `topic ${params.topicKey}: failed; restarting from its last snapshot`,
          );
          queueMicrotask(() => this.#wake(params.topicKey));
        },
        reportParked: (_, params) => {
          options.logger.error(
            { topic: params.topicKey },
            `topic ${params.topicKey}: parked (${params.reason})`,
          );
          const messages = options.effects.parked(params.topicKey, params.reason, params.event);
          this.#store.transaction(() => this.#writeMessages(params.topicKey, messages));
          queueMicrotask(() => options.effects.outboxChanged());
        },
      },
    });
    this.#supervisor = createActor(supervisor, {
      input: { bootId: options.bootId, now: this.#now() },
      inspect: (event) => {
        if (event.type === '@xstate.snapshot')
          this.#onSnapshot(event.actorRef as AnyActorRef, event.event.type);
        options.inspect?.(event);
      },
    });
  }

  /** Starts the supervisor and restores every topic that was not idle when tentacle stopped. */
  start(): void {
    this.#supervisor.start();
    for (const { topicKey, state } of this.#store.topics.states()) {
      if (state !== 'idle') this.#wake(topicKey);
    }
  }

  /**
   * Routes an event to a topic, restoring or creating its actor. Runs in one transaction that also
   * marks the inbox rows consumed, so an update is consumed exactly when its effect is persisted.
   */
  deliver(topic: TopicTopic, event: TopicEvent, options: { updateIds?: readonly number[] } = {}): void {
    try {
      this.#deliverInTransaction(topic, event, options);
    } catch (error) {
      // The actor moved on but SQLite did not: drop the actor so the next event restores it from
      // the last snapshot that was saved, and let the caller retry the update later.
      if (this.#supervisor.getSnapshot().context.alive[topic.topicKey]) {
        this.#send({ type: 'SUPERVISOR.EVICT', topicKey: topic.topicKey });
      }
      throw error;
    }
  }

  #deliverInTransaction(
    topic: TopicTopic,
    event: TopicEvent,
    options: { updateIds?: readonly number[] },
  ): void {
    this.#store.transaction(() => {
      this.#persistError = undefined;
      this.#send({
        type: 'SUPERVISOR.DELIVER',
        topic,
        event,
        at: this.#now(),
        ...this.#restoreFor(topic.topicKey),
      });
      // XState swallows exceptions thrown by inspection observers; a failed write must not be lost.
      const failure = this.#persistError;
      this.#persistError = undefined;
      if (failure !== undefined) throw failure;
      for (const updateId of options.updateIds ?? []) this.#store.inbox.markConsumed(updateId);
    });
  }

  /** `on_restart` changed in a reloaded config: applies to the next restart. */
  setOnRestart(mode: 'resume' | 'notify'): void {
    this.#options.onRestart = mode;
  }

  /** The topic's current state: from its live actor, else from its persisted snapshot. */
  view(topicKey: string): TopicView | undefined {
    const ref = this.#topicRef(topicKey);
    if (ref) return toView(topicKey, ref.getSnapshot());
    const record = this.#store.topics.load(topicKey);
    if (!record || typeof record.snapshot !== 'object' || record.snapshot === null) return undefined;
    const snapshot = record.snapshot as { value: unknown; context: TopicContext };
    return { topicKey, state: stateLabel(snapshot.value), context: snapshot.context };
  }

  /** Topic keys with a live actor. */
  aliveTopics(): string[] {
    return Object.keys(this.#supervisor.getSnapshot().context.alive);
  }

  /**
   * Stops every actor without persisting what stopping does: the saved snapshots still say which
   * runs were in flight, so the next boot resumes them (the engine processes get SIGTERM now).
   */
  stop(): void {
    this.#persisting = false;
    for (const timer of this.#evictTimers.values()) clearTimeout(timer);
    this.#supervisor.stop();
  }

  #send(event: SupervisorEvent): void {
    this.#supervisor.send(event);
  }

  /** Re-creates a topic from SQLite with a no-op event (boot, or after a failure). */
  #wake(topicKey: string): void {
    const record = this.#store.topics.load(topicKey);
    if (!record) return;
    const threadId = topicKey.split(':')[2];
    this.deliver(
      {
        topicKey,
        chatId: record.chatId,
        threadId: threadId !== undefined && /^\d+$/.test(threadId) ? Number(threadId) : null,
      },
      { type: 'TOPIC.ATTACH', bootId: this.#options.bootId, at: this.#now(), restored: true },
    );
  }

  #restoreFor(topicKey: string): { restore?: unknown } {
    if (this.#supervisor.getSnapshot().context.alive[topicKey]) return {};
    const record = this.#store.topics.load(topicKey);
    if (!record) return {};
    if (record.machineVersion !== TOPIC_MACHINE_VERSION || typeof record.snapshot !== 'object') {
      // The wrapper's fallback builds the topic from its durable facts and tells the user.
      return {
        restore: {
          incompatible:
            typeof record.snapshot !== 'object'
              ? 'snapshot is corrupt'
              : `snapshot v${record.machineVersion} does not fit machine v${TOPIC_MACHINE_VERSION}`,
        },
      };
    }
    return { restore: record.snapshot };
  }

  /** Fresh input for a topic whose snapshot could not be restored: its sessions and queued jobs. */
  #factsInput(input: TopicInput, error: unknown): TopicInput {
    const reason =
      typeof input.restore === 'object' && input.restore !== null && 'incompatible' in input.restore
        ? String((input.restore as { incompatible: unknown }).incompatible)
        : `snapshot could not be restored (${error instanceof Error ? error.message : String(error)})`;
    this.#options.logger.warn(
      { topic: input.topicKey },
      `topic ${input.topicKey}: ${reason}; restarting from stored facts`,
    );
    const sessions: TopicContext['sessions'] = {};
    for (const session of this.#store.sessions.forTopic(input.topicKey).reverse()) {
      sessions[session.engine as EngineId] = { token: session.token, cwd: session.cwd ?? '' };
    }
    const queue: RunJob[] = [];
    for (const run of this.#store.runs.active().filter((r) => r.topicKey === input.topicKey)) {
      const job = run.job as RunJob | null;
      if (!job) continue;
      if (run.status === 'running') {
        // Its process (if any) is ended before the job runs again.
        if (run.pid) void terminateProcessGroup(run.pid, { startTime: run.pidStartTime });
        queue.unshift({ ...job, origin: 'restart-rerun' });
      } else {
        queue.push(job);
      }
      this.#store.runs.update(run.runId, { status: 'interrupted', endedAt: this.#now() });
    }
    this.#pendingMessages.add(input.topicKey);
    this.#queueWrite(input.topicKey, () =>
      this.#writeMessages(input.topicKey, this.#options.effects.restartedFromFacts(input, reason)),
    );
    const { restore: _restore, ...rest } = input;
    return { ...rest, facts: { sessions, queue } };
  }

  #provideTopic() {
    const effects = this.#options.effects;
    const store = this.#store;
    const now = this.#now;
    const write = (topicKey: string, fn: () => void) => this.#queueWrite(topicKey, fn);
    const writeMessages = (topicKey: string, messages: DurableMessage[]) => {
      if (messages.length === 0) return;
      this.#pendingMessages.add(topicKey);
      write(topicKey, () => this.#writeMessages(topicKey, messages));
    };
    const finishRun = (run: InFlightRun, status: RunStatus) =>
      store.runs.update(run.runId, { status, endedAt: now(), resumeToken: run.resumeToken });
    return topicMachine.provide({
      actors: {
        engineProcess: this.#options.engineProcess as never,
        terminateOrphan: (this.#options.terminateOrphan ??
          fromPromise<void, OrphanInput>(async ({ input }) => {
            if (input.pid) await terminateProcessGroup(input.pid, { startTime: input.pidStartTime });
          })) as never,
        prepareWorkspace: fromPromise<string, { job: RunJob }>(async ({ input }) =>
          this.#options.prepareWorkspace ? this.#options.prepareWorkspace(input.job) : input.job.cwd,
        ) as never,
        fileDeadline: fromPromise<void, { at: number }>(
          ({ input, signal }) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.max(0, input.at - now()));
              signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
            }),
        ) as never,
      },
      actions: {
        recordJob: ({ context }, { job }) =>
          write(context.topicKey, () => store.runs.insert(runRecord(context, job, now()))),
        recordRun: ({ context }, { run }) =>
          write(context.topicKey, () =>
            store.runs.upsert(runRecord(context, run.job, now(), run.runId), {
              status: 'running',
              progressMessageId: run.progressMessageId,
              resumeToken: run.resumeToken,
              pid: run.pid,
              pidStartTime: run.pidStartTime,
              bootId: run.bootId,
              startedAt: run.startedAt,
            }),
          ),
        recordMessage: ({ context }, { runId, messageId }) =>
          write(context.topicKey, () => store.runs.update(runId, { progressMessageId: messageId })),
        recordSession: ({ context }, { run, token }) =>
          write(context.topicKey, () =>
            store.sessions.upsert({
              engine: run.job.engine,
              token,
              topicKey: context.topicKey,
              cwd: run.job.cwd,
            }),
          ),
        announceRunFinished: ({ context }, params) => {
          const status: RunStatus =
            params.outcome === 'cancelled' ? 'cancelled' : params.outcome === 'done' ? 'completed' : 'failed';
          write(context.topicKey, () => finishRun(params.run, status));
          writeMessages(context.topicKey, effects.runFinished(context, params));
        },
        announceDroppedFromQueue: ({ context }, { job }) => {
          write(context.topicKey, () =>
            store.runs.update(job.jobId, { status: 'cancelled', endedAt: now() }),
          );
          writeMessages(context.topicKey, effects.droppedFromQueue(context, job));
        },
        announceFileWaitExpired: ({ context }, { wait }) =>
          writeMessages(context.topicKey, effects.fileWaitExpired(context, wait)),
        announceInterrupted: ({ context }, { run }) => {
          write(context.topicKey, () => finishRun(run, 'interrupted'));
          writeMessages(context.topicKey, effects.interrupted(context, run));
        },
      },
      guards: { resumeAfterRestart: () => this.#options.onRestart === 'resume' },
    });
  }

  #queueWrite(topicKey: string, fn: () => void): void {
    const list = this.#pendingWrites.get(topicKey);
    if (list) list.push(fn);
    else this.#pendingWrites.set(topicKey, [fn]);
  }

  #writeMessages(topicKey: string, messages: DurableMessage[]): void {
    for (const message of messages) {
      this.#store.outbox.enqueue({
        topicKey,
        chatId: message.chatId,
        kind: message.kind,
        payload: message.payload,
      });
    }
  }

  #topicRef(topicKey: string): AnyActorRef | undefined {
    return this.#supervisor.getSnapshot().children[topicKey] as AnyActorRef | undefined;
  }

  /**
   * Every snapshot of a topic actor is written with the durable effects its transition queued, in
   * one transaction; the view is updated only after that commit.
   */
  #onSnapshot(ref: AnyActorRef, eventType: string): void {
    if (!this.#persisting || ref._parent !== this.#supervisor) return;
    const topicKey = ref.id;
    const snapshot = ref.getSnapshot() as SnapshotFrom<typeof topicMachine>;
    const writes = this.#pendingWrites.get(topicKey) ?? [];
    const hadMessages = this.#pendingMessages.delete(topicKey);
    this.#pendingWrites.delete(topicKey);
    // An errored or stopped actor is not saved: the last good snapshot stays the one to restore.
    if (snapshot.status !== 'active') return;
    const persisted = JSON.stringify(ref.getPersistedSnapshot());
    if (persisted === this.#lastPersisted.get(topicKey) && writes.length === 0) return;
    const view = toView(topicKey, snapshot);
    const fromState = this.#lastState.get(topicKey);
    const toState = statePath(snapshot.value);
    const before = this.#lastPersisted.get(topicKey);
    try {
      this.#store.transaction(() => {
        this.#store.topics.saveJson(
          {
            topicKey,
            chatId: snapshot.context.chatId,
            machineVersion: TOPIC_MACHINE_VERSION,
            state: view.state,
          },
          persisted,
          this.#now(),
        );
        for (const fn of writes) fn();
        if (fromState !== undefined && fromState !== toState && before !== undefined) {
          this.#store.topicHistory.record(
            { topicKey, at: this.#now(), eventType, fromState, toState },
            before,
          );
        }
      });
    } catch (error) {
      this.#persistError = error;
      this.#options.logger.error({ topic: topicKey, err: error }, `topic ${topicKey}: snapshot not saved`);
      return;
    }
    this.#lastPersisted.set(topicKey, persisted);
    this.#lastState.set(topicKey, toState);
    this.#scheduleEviction(topicKey, view);
    queueMicrotask(() => {
      this.#options.effects.topicChanged(topicKey, view);
      if (hadMessages) this.#options.effects.outboxChanged();
    });
  }

  #scheduleEviction(topicKey: string, view: TopicView): void {
    const existing = this.#evictTimers.get(topicKey);
    if (existing) clearTimeout(existing);
    this.#evictTimers.delete(topicKey);
    const idleMs = this.#options.idleEvictMs ?? 10 * 60 * 1000;
    if (view.state !== 'idle' || idleMs <= 0) return;
    const timer = setTimeout(() => {
      this.#evictTimers.delete(topicKey);
      if (this.view(topicKey)?.state === 'idle') this.#send({ type: 'SUPERVISOR.EVICT', topicKey });
    }, idleMs);
    timer.unref();
    this.#evictTimers.set(topicKey, timer);
  }
}

function runRecord(context: TopicContext, job: RunJob, now: number, runId = job.jobId): RunRecord {
  return {
    runId,
    topicKey: context.topicKey,
    chatId: context.chatId,
    threadId: context.threadId,
    userMessageId: job.userMessageId,
    progressMessageId: job.placeholderMessageId,
    engine: job.engine,
    resumeToken: job.session.mode === 'token' ? job.session.token : null,
    cwd: job.cwd,
    prompt: job.prompt,
    job,
    pid: null,
    pidStartTime: null,
    bootId: null,
    status: 'queued',
    createdAt: now,
    startedAt: null,
    endedAt: null,
  };
}

function toView(topicKey: string, snapshot: { value: unknown; context: TopicContext }): TopicView {
  return { topicKey, state: stateLabel(snapshot.value), context: snapshot.context };
}

/** The full state as a dotted path: `running.engine` for `{ running: 'engine' }`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, child]) =>
        child && (typeof child === 'string' || Object.keys(child).length > 0)
          ? `${key}.${statePath(child)}`
          : key,
      )
      .join(',');
  }
  return 'unknown';
}

/**
 * The topic's state in one word, as status and inspection show it: the lane's state (`idle`,
 * `running`, `resuming`), or `awaiting-file` when an idle topic waits for an upload.
 *
 * @example stateLabel({ lane: { running: 'engine' }, upload: 'none' }) // 'running'
 */
export function stateLabel(value: unknown): string {
  if (!value || typeof value !== 'object') return typeof value === 'string' ? value : 'unknown';
  const { lane, upload } = value as { lane?: unknown; upload?: unknown };
  const laneState =
    typeof lane === 'string' ? lane : lane && typeof lane === 'object' ? Object.keys(lane)[0] : undefined;
  if (laneState === undefined) return Object.keys(value)[0] ?? 'unknown';
  if (laneState === 'idle' && upload === 'awaiting-file') return 'awaiting-file';
  return laneState;
}
