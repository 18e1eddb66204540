import { assign, fromCallback, fromPromise, sendParent, sendTo, setup } from 'xstate';
import type { CompletedEvent } from '../engines/events.ts';
import { applyEngineEvent, initialProgress } from '../engines/progress-state.ts';
import {
  type EngineRunInput,
  type FileWait,
  type InFlightRun,
  RESTART_CONTINUE_PROMPT,
  type RunJob,
  sessionKey,
  type TopicContext,
  type TopicEvent,
  type TopicInput,
} from './topic.types.ts';

/** How a finished run is announced: the final layout's status. */
export type RunOutcome = 'done' | 'error' | 'cancelled';

/** Input of the actor that terminates a run's process group left over from an earlier boot. */
export interface OrphanInput {
  pid: number | null;
  pidStartTime: string | null;
}

/**
 * A topic: one conversation lane (DESIGN §2). Prompts queue FIFO and run one at a time; the engine
 * process actor is invoked in `running` and stopped when the topic leaves it.
 *
 * States (names are part of the contract): `idle`, `running` (`acquiring` the engine session,
 * then `engine`), `resuming` (after a restart: terminate the lost run's process, then continue,
 * re-run or mark it interrupted). The machine is pure: side effects are named actions and actors
 * the runtime provides (`src/actors/topic-runtime.ts`); the defaults here do nothing.
 */
export const topicMachine = setup({
  types: {
    context: {} as TopicContext,
    events: {} as TopicEvent,
    input: {} as TopicInput,
  },
  actors: {
    engineProcess: fromCallback<{ type: 'ENGINE.CANCEL' }, EngineRunInput>(() => undefined),
    terminateOrphan: fromPromise<void, OrphanInput>(async () => undefined),
    /** Makes the job's working directory ready (a `@branch` worktree); resolves to the cwd to run in. */
    prepareWorkspace: fromPromise<string, { job: RunJob }>(async ({ input }) => input.job.cwd),
    /** Resolves at the absolute time `at` (ms). */
    fileDeadline: fromPromise<void, { at: number }>(async () => undefined),
  },
  actions: {
    /** Durably records a new job (runs table) in the transaction of this transition. */
    recordJob: (_, _params: { job: RunJob }) => undefined,
    /** Durably records that a run started, its process, or its token. */
    recordRun: (_, _params: { run: InFlightRun }) => undefined,
    /** Durably records which Telegram message shows a run or queued job (to route a cancel to it). */
    recordMessage: (_, _params: { runId: string; messageId: number }) => undefined,
    /** Durably records the topic's engine session (sessions index). */
    recordSession: (_, _params: { run: InFlightRun; token: string }) => undefined,
    /** Writes the final, error or cancelled message to the durable outbox. */
    announceRunFinished: (
      _,
      _params: { run: InFlightRun; completed: CompletedEvent | null; outcome: RunOutcome },
    ) => undefined,
    /** Writes the "cancelled" edit of a queued job's placeholder to the durable outbox. */
    announceDroppedFromQueue: (_, _params: { job: RunJob }) => undefined,
    /** Tells the user the upload they were asked for did not come in time. */
    announceFileWaitExpired: (_, _params: { wait: FileWait }) => undefined,
    /** Writes the "interrupted" edit of a run lost to a restart to the durable outbox. */
    announceInterrupted: (_, _params: { run: InFlightRun }) => undefined,
  },
  guards: {
    /** `on_restart = "resume"` (the default): continue a lost run's session. */
    resumeAfterRestart: () => true,
    /** Engine events of an earlier run (a late line after a restart) are ignored. */
    isCurrentRun: ({ context, event }) => 'runId' in event && context.current?.runId === event.runId,
  },
}).createMachine({
  id: 'topic',
  context: ({ input }) => ({
    topicKey: input.topicKey,
    chatId: input.chatId,
    threadId: input.threadId,
    bootId: input.bootId,
    sessions: input.facts?.sessions ?? {},
    queue: input.facts?.queue ?? [],
    current: null,
    recovering: null,
    heldSession: null,
    fileWait: null,
    runsCompleted: 0,
  }),
  on: {
    'TOPIC.ATTACH': { actions: assign({ bootId: ({ event }) => event.bootId }) },
    'TOPIC.NEW_SESSION': {
      actions: assign({
        sessions: ({ context, event }) => {
          if (!event.engine) return {};
          const { [event.engine]: _dropped, ...rest } = context.sessions;
          return rest;
        },
      }),
    },
    'TOPIC.PLACEHOLDER_SENT': {
      guard: ({ context, event }) => context.queue.some((job) => job.jobId === event.jobId),
      actions: [
        assign({
          queue: ({ context, event }) =>
            context.queue.map((job) =>
              job.jobId === event.jobId ? { ...job, placeholderMessageId: event.messageId } : job,
            ),
        }),
        {
          type: 'recordMessage',
          params: ({ event }) => ({ runId: event.jobId, messageId: event.messageId }),
        },
      ],
    },
    'TOPIC.PROMPT': {
      actions: [
        assign({ queue: ({ context, event }) => [...context.queue, event.job] }),
        { type: 'recordJob', params: ({ event }) => ({ job: event.job }) },
      ],
    },
    'TOPIC.CANCEL': {
      guard: ({ context, event }) =>
        context.queue.some((job) => job.placeholderMessageId === event.messageId),
      actions: [
        {
          type: 'announceDroppedFromQueue',
          params: ({ context, event }) => ({
            job: context.queue.find((job) => job.placeholderMessageId === event.messageId)!,
          }),
        },
        assign({
          queue: ({ context, event }) =>
            context.queue.filter((job) => job.placeholderMessageId !== event.messageId),
        }),
      ],
    },
  },
  type: 'parallel',
  states: {
    /** Runs: one at a time, FIFO. */
    lane: {
      initial: 'idle',
      states: {
        idle: {
          always: {
            guard: ({ context }) => context.queue.length > 0,
            target: 'running',
            actions: assign(({ context, event }) => {
              const [job, ...rest] = context.queue as [RunJob, ...RunJob[]];
              return { queue: rest, current: startRun(context, job, eventTime(event) ?? job.enqueuedAt) };
            }),
          },
        },
        running: {
          initial: 'preparing',
          // Whatever ends the run, the engine session becomes free for the next job.
          exit: [
            sendParent(({ context }) => ({
              type: 'SESSION.RELEASE',
              key: context.heldSession ?? '',
              topicKey: context.topicKey,
            })),
            assign({ heldSession: null }),
          ],
          on: {
            'TOPIC.PROGRESS_SENT': {
              guard: ({ context, event }) => context.current?.runId === event.runId,
              actions: [
                assign({
                  current: ({ context, event }) => ({
                    ...context.current!,
                    progressMessageId: event.messageId,
                  }),
                }),
                {
                  type: 'recordMessage',
                  params: ({ event }) => ({ runId: event.runId, messageId: event.messageId }),
                },
              ],
            },
          },
          states: {
            // A `@branch` run needs its worktree first; git runs here, in the topic, never on the
            // intake path, so a slow checkout delays only this topic.
            preparing: {
              // Only `@branch` jobs have anything to prepare; the others go straight on, with no delay.
              always: { guard: ({ context }) => !context.current?.job.worktree, target: 'acquiring' },
              invoke: {
                src: 'prepareWorkspace',
                input: ({ context }) => ({ job: context.current!.job }),
                onDone: {
                  target: 'acquiring',
                  actions: assign({
                    current: ({ context, event }) => ({
                      ...context.current!,
                      job: { ...context.current!.job, cwd: event.output },
                    }),
                  }),
                },
                onError: {
                  target: '#topic.lane.idle',
                  actions: [
                    {
                      type: 'announceRunFinished',
                      params: ({ context, event }) => ({
                        run: context.current!,
                        completed: {
                          type: 'completed',
                          engine: context.current!.job.engine,
                          ok: false,
                          answer: '',
                          error: event.error instanceof Error ? event.error.message : String(event.error),
                        },
                        outcome: 'error',
                      }),
                    },
                    assign({ current: null }),
                  ],
                },
              },
              on: { 'TOPIC.ATTACH': { target: 'preparing', reenter: true } },
            },
            acquiring: {
              // A resumed session must not run twice at once, whichever topic asks (DESIGN §2).
              entry: sendParent(({ context }) => acquireRequest(context)),
              on: {
                'TOPIC.ATTACH': {
                  actions: [
                    assign({ bootId: ({ event }) => event.bootId }),
                    sendParent(({ context }) => acquireRequest(context)),
                  ],
                },
                'SESSION.GRANTED': {
                  target: 'engine',
                  actions: assign({ heldSession: ({ event }) => (event.key === '' ? null : event.key) }),
                },
                'TOPIC.CANCEL': {
                  guard: ({ context, event }) => context.current?.progressMessageId === event.messageId,
                  target: '#topic.lane.idle',
                  actions: [
                    {
                      type: 'announceRunFinished',
                      params: ({ context }) => ({
                        run: context.current!,
                        completed: null,
                        outcome: 'cancelled',
                      }),
                    },
                    assign({ current: null }),
                  ],
                },
              },
            },
            engine: {
              invoke: {
                id: 'engine',
                src: 'engineProcess',
                input: ({ context }) => engineInput(context.current!),
              },
              on: {
                'ENGINE.SPAWNED': {
                  guard: 'isCurrentRun',
                  actions: [
                    assign({
                      current: ({ context, event }) => ({
                        ...context.current!,
                        pid: event.pid,
                        pidStartTime: event.startTime,
                      }),
                    }),
                    { type: 'recordRun', params: ({ context }) => ({ run: context.current! }) },
                  ],
                },
                'ENGINE.STARTED': {
                  guard: 'isCurrentRun',
                  actions: [
                    assign(({ context, event }) => {
                      const current = context.current!;
                      const token = event.event.resume.value;
                      const key = sessionKey(current.job.engine, token);
                      return {
                        current: {
                          ...current,
                          resumeToken: token,
                          progress: applyEngineEvent(current.progress, event.event),
                        },
                        sessions: {
                          ...context.sessions,
                          [current.job.engine]: { token, cwd: current.job.cwd },
                        },
                        heldSession: context.heldSession ?? key,
                      };
                    }),
                    sendParent(({ context }) => ({
                      type: 'SESSION.CLAIM',
                      key: context.heldSession ?? '',
                      topicKey: context.topicKey,
                    })),
                    {
                      type: 'recordSession',
                      params: ({ context }) => ({
                        run: context.current!,
                        token: context.current!.resumeToken!,
                      }),
                    },
                    { type: 'recordRun', params: ({ context }) => ({ run: context.current! }) },
                  ],
                },
                'ENGINE.ACTION': {
                  guard: 'isCurrentRun',
                  actions: assign({
                    current: ({ context, event }) => ({
                      ...context.current!,
                      progress: applyEngineEvent(context.current!.progress, event.event),
                    }),
                  }),
                },
                'ENGINE.COMPLETED': {
                  guard: 'isCurrentRun',
                  target: '#topic.lane.idle',
                  actions: [
                    assign({
                      current: ({ context, event }) => {
                        const current = context.current!;
                        return {
                          ...current,
                          resumeToken: current.resumeToken ?? event.event.resume?.value ?? null,
                          progress: applyEngineEvent(current.progress, event.event),
                        };
                      },
                    }),
                    {
                      type: 'announceRunFinished',
                      params: ({ context, event }) => ({
                        run: context.current!,
                        completed: event.event,
                        outcome: outcomeOf(context.current!, event.event),
                      }),
                    },
                    assign({ current: null, runsCompleted: ({ context }) => context.runsCompleted + 1 }),
                  ],
                },
                'ENGINE.LOST': {
                  guard: 'isCurrentRun',
                  target: '#topic.lane.resuming',
                  actions: assign({ recovering: ({ context }) => context.current, current: null }),
                },
                'TOPIC.CANCEL': {
                  guard: ({ context, event }) => context.current?.progressMessageId === event.messageId,
                  actions: [
                    assign({
                      current: ({ context, event }) => ({ ...context.current!, cancel: { by: event.by } }),
                    }),
                    // The engine actor terminates the process group; its exit ends the run (as cancelled),
                    // so the next job never overlaps a dying process of the same session.
                    sendTo('engine', { type: 'ENGINE.CANCEL' }),
                  ],
                },
              },
            },
          },
        },
        resuming: {
          initial: 'terminating',
          states: {
            // Two processes must never drive one session: the lost run's process group goes first.
            terminating: {
              invoke: {
                src: 'terminateOrphan',
                input: ({ context }) => ({
                  pid: context.recovering?.pid ?? null,
                  pidStartTime: context.recovering?.pidStartTime ?? null,
                }),
                onDone: { target: 'deciding' },
                onError: { target: 'deciding' },
              },
            },
            deciding: {
              always: [
                {
                  // The engine never announced a session: run the original prompt again.
                  guard: ({ context }) => context.recovering?.resumeToken == null,
                  target: '#topic.lane.running',
                  actions: assign(({ context }) => {
                    const lost = context.recovering!;
                    const job: RunJob = { ...lost.job, origin: 'restart-rerun' };
                    return { recovering: null, current: continueRun(context, lost, job) };
                  }),
                },
                {
                  guard: 'resumeAfterRestart',
                  target: '#topic.lane.running',
                  actions: assign(({ context }) => {
                    const lost = context.recovering!;
                    const job: RunJob = {
                      ...lost.job,
                      prompt: RESTART_CONTINUE_PROMPT,
                      session: { mode: 'token', token: lost.resumeToken! },
                      origin: 'restart-continue',
                    };
                    return { recovering: null, current: continueRun(context, lost, job) };
                  }),
                },
                {
                  target: '#topic.lane.idle',
                  actions: [
                    { type: 'announceInterrupted', params: ({ context }) => ({ run: context.recovering! }) },
                    assign({ recovering: null }),
                  ],
                },
              ],
            },
          },
        },
      },
    },
    /**
     * A wait for a user's upload (`/file put <path>` sent without a file). It is its own region so
     * a wait never blocks a run and a run never blocks the wait: prompts keep running while the
     * topic waits, and the upload lands whatever the lane is doing.
     */
    upload: {
      initial: 'none',
      states: {
        none: {
          on: {
            'FILE.AWAIT': {
              target: 'awaiting-file',
              actions: assign({ fileWait: ({ event }) => event.wait }),
            },
          },
        },
        'awaiting-file': {
          // The deadline is an absolute time in the actor's input, so it survives a restart.
          invoke: {
            src: 'fileDeadline',
            input: ({ context }) => ({ at: context.fileWait?.deadline ?? 0 }),
            onDone: {
              target: 'none',
              actions: [
                { type: 'announceFileWaitExpired', params: ({ context }) => ({ wait: context.fileWait! }) },
                assign({ fileWait: null }),
              ],
            },
          },
          on: {
            'FILE.AWAIT': {
              target: 'awaiting-file',
              reenter: true,
              actions: assign({ fileWait: ({ event }) => event.wait }),
            },
            'FILE.RECEIVED': { target: 'none', actions: assign({ fileWait: null }) },
            'FILE.CANCEL_WAIT': { target: 'none', actions: assign({ fileWait: null }) },
          },
        },
      },
    },
  },
});

/** The run a job becomes when it leaves the queue. */
function startRun(context: TopicContext, job: RunJob, at: number): InFlightRun {
  const stored = job.session.mode === 'stored' ? context.sessions[job.engine] : undefined;
  const resumeToken = job.session.mode === 'token' ? job.session.token : (stored?.token ?? null);
  return {
    runId: job.jobId,
    job: stored ? { ...job, cwd: stored.cwd } : job,
    bootId: context.bootId,
    startedAt: at,
    resumeToken,
    progressMessageId: job.placeholderMessageId,
    pid: null,
    pidStartTime: null,
    progress: initialProgress(job.engine),
    cancel: null,
  };
}

/** A restart continues in the same progress message, keeping the lines seen so far. */
function continueRun(context: TopicContext, lost: InFlightRun, job: RunJob): InFlightRun {
  return {
    ...lost,
    job,
    runId: `${lost.runId}.r${context.bootId.slice(0, 8)}`,
    bootId: context.bootId,
    resumeToken: job.session.mode === 'token' ? job.session.token : null,
    pid: null,
    pidStartTime: null,
    progress: { ...lost.progress, outcome: null },
    cancel: null,
  };
}

/** Events from the transport and the engine carry the time they happened; the machine has no clock. */
function eventTime(event: TopicEvent): number | undefined {
  return 'at' in event && typeof event.at === 'number' ? event.at : undefined;
}

function acquireRequest(context: TopicContext) {
  const current = context.current;
  const key = current?.resumeToken ? sessionKey(current.job.engine, current.resumeToken) : '';
  return { type: 'SESSION.ACQUIRE' as const, key, topicKey: context.topicKey };
}

function engineInput(run: InFlightRun): EngineRunInput {
  return {
    runId: run.runId,
    engine: run.job.engine,
    bootId: run.bootId,
    request: {
      prompt: run.job.prompt,
      resume: run.resumeToken ?? undefined,
      model: run.job.model ?? undefined,
      reasoning: run.job.reasoning ?? undefined,
      cwd: run.job.cwd,
    },
  };
}

function outcomeOf(run: InFlightRun, completed: CompletedEvent): RunOutcome {
  if (run.cancel) return 'cancelled';
  return completed.ok && completed.answer.trim() !== '' ? 'done' : 'error';
}
