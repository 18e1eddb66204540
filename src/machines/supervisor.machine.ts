import { assign, enqueueActions, setup, stopChild } from 'xstate';
import { topicMachine } from './topic.machine.ts';
import type { TopicEvent, TopicInput } from './topic.types.ts';

/** A topic that failed this many times within `FAILURE_WINDOW_MS` is parked. */
export const RESTART_BUDGET = 3;
export const FAILURE_WINDOW_MS = 10 * 60 * 1000;

export interface SupervisorContext {
  bootId: string;
  /** Latest time seen on an event (the machine has no clock of its own). */
  now: number;
  /** Topic actors currently alive, by topic key (also their actor id and systemId). */
  alive: Record<string, true>;
  /** Failure times per topic, within the window. */
  failures: Record<string, number[]>;
  /** Topics that kept failing: not restarted until the user resets them with `/new`. */
  parked: Record<string, string>;
  /** Engine session locks: `engine:token` → the topic running it. */
  locks: Record<string, string>;
  /** Topics waiting for a session lock, in arrival order. */
  waiting: Record<string, string[]>;
}

export type SupervisorEvent =
  /**
   * Route an event to a topic, creating the topic actor when it is not alive. `restore` is the
   * topic's persisted snapshot when the runtime found one; `fresh` discards it (a reset).
   */
  | {
      type: 'SUPERVISOR.DELIVER';
      topic: Omit<TopicInput, 'bootId'>;
      event: TopicEvent;
      restore?: unknown;
      at: number;
    }
  /** Stop a topic actor that has been idle for a while; it is restored from SQLite when needed. */
  | { type: 'SUPERVISOR.EVICT'; topicKey: string }
  | { type: 'SESSION.ACQUIRE'; key: string; topicKey: string }
  | { type: 'SESSION.CLAIM'; key: string; topicKey: string }
  | { type: 'SESSION.RELEASE'; key: string; topicKey: string }
  | { type: `xstate.error.actor.${string}`; actorId?: string; error?: unknown };

export interface SupervisorInput {
  bootId: string;
  now: number;
}

/**
 * The root actor: spawns topic actors on demand (actor id and `systemId` = the topic key), routes
 * events to them, stops idle ones, restarts a failing topic within a budget (parks it after that,
 * and tells the chat), and serializes engine sessions across topics: one `engine:token` never runs
 * twice at once, whichever topics ask.
 */
export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
  },
  actors: { topic: topicMachine },
  actions: {
    /** The runtime restores the topic (from its last snapshot, else its durable facts) and tells the chat. */
    restartTopic: (_, _params: { topicKey: string; error: unknown; attempt: number }) => undefined,
    /** Tells the chat that a topic is parked, or that an event reached a parked topic. */
    reportParked: (_, _params: { topicKey: string; reason: string; event: TopicEvent | null }) => undefined,
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    bootId: input.bootId,
    now: input.now,
    alive: {},
    failures: {},
    parked: {},
    locks: {},
    waiting: {},
  }),
  on: {
    'SUPERVISOR.DELIVER': [
      {
        // `/new` is the way out of a parked topic: it starts again from its durable facts.
        guard: ({ context, event }) =>
          context.parked[event.topic.topicKey] !== undefined && event.event.type !== 'TOPIC.NEW_SESSION',
        actions: {
          type: 'reportParked',
          params: ({ context, event }) => ({
            topicKey: event.topic.topicKey,
            reason: context.parked[event.topic.topicKey]!,
            event: event.event,
          }),
        },
      },
      {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const key = event.topic.topicKey;
          enqueue.assign({ now: Math.max(context.now, event.at) });
          if (context.parked[key] !== undefined) {
            enqueue.assign({
              parked: omit(context.parked, key),
              failures: omit(context.failures, key),
            });
          }
          if (!context.alive[key]) {
            enqueue.spawnChild('topic', {
              id: key,
              systemId: key,
              input: { ...event.topic, bootId: context.bootId, restore: event.restore } as TopicInput,
            });
            enqueue.assign({ alive: { ...context.alive, [key]: true } });
            enqueue.sendTo(key, {
              type: 'TOPIC.ATTACH',
              bootId: context.bootId,
              at: event.at,
              restored: event.restore !== undefined,
            });
          }
          enqueue.sendTo(key, event.event);
        }),
      },
    ],
    'SUPERVISOR.EVICT': {
      guard: ({ context, event }) => context.alive[event.topicKey] === true,
      actions: [
        stopChild(({ event }) => event.topicKey),
        assign({ alive: ({ context, event }) => omit(context.alive, event.topicKey) }),
      ],
    },
    'SESSION.ACQUIRE': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const holder = event.key === '' ? undefined : context.locks[event.key];
        if (holder === undefined || holder === event.topicKey) {
          if (event.key !== '') enqueue.assign({ locks: { ...context.locks, [event.key]: event.topicKey } });
          enqueue.sendTo(event.topicKey, { type: 'SESSION.GRANTED', key: event.key });
          return;
        }
        const queue = context.waiting[event.key] ?? [];
        if (!queue.includes(event.topicKey)) {
          enqueue.assign({ waiting: { ...context.waiting, [event.key]: [...queue, event.topicKey] } });
        }
      }),
    },
    'SESSION.CLAIM': {
      // A new session's token became known while running: nobody else can hold it yet.
      guard: ({ context, event }) => event.key !== '' && context.locks[event.key] === undefined,
      actions: assign({ locks: ({ context, event }) => ({ ...context.locks, [event.key]: event.topicKey }) }),
    },
    'SESSION.RELEASE': {
      guard: ({ context, event }) => event.key !== '' && context.locks[event.key] === event.topicKey,
      actions: enqueueActions(({ context, event, enqueue }) => {
        const [next, ...rest] = (context.waiting[event.key] ?? []).filter((key) => context.alive[key]);
        if (next === undefined) {
          enqueue.assign({
            locks: omit(context.locks, event.key),
            waiting: omit(context.waiting, event.key),
          });
          return;
        }
        enqueue.assign({
          locks: { ...context.locks, [event.key]: next },
          waiting:
            rest.length > 0 ? { ...context.waiting, [event.key]: rest } : omit(context.waiting, event.key),
        });
        enqueue.sendTo(next, { type: 'SESSION.GRANTED', key: event.key });
      }),
    },
    'xstate.error.actor.*': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const key = event.type.slice('xstate.error.actor.'.length);
        if (!context.alive[key]) return;
        const recent = [...(context.failures[key] ?? []), context.now].filter(
          (at) => at > context.now - FAILURE_WINDOW_MS,
        );
        // A failed topic drops its session locks (each RELEASE hands the lock to the next waiter).
        const held = Object.entries(context.locks).filter(([, holder]) => holder === key);
        enqueue.stopChild(key);
        enqueue.assign({
          alive: omit(context.alive, key),
          failures: { ...context.failures, [key]: recent },
          waiting: Object.fromEntries(
            Object.entries(context.waiting).map(([lock, queue]) => [lock, queue.filter((k) => k !== key)]),
          ),
        });
        for (const [lock] of held) enqueue.raise({ type: 'SESSION.RELEASE', key: lock, topicKey: key });
        if (recent.length > RESTART_BUDGET) {
          const reason = `failed ${recent.length} times in ${FAILURE_WINDOW_MS / 60000} minutes`;
          enqueue.assign({ parked: { ...context.parked, [key]: reason } });
          enqueue({ type: 'reportParked', params: { topicKey: key, reason, event: null } });
        } else {
          enqueue({
            type: 'restartTopic',
            params: { topicKey: key, error: event.error, attempt: recent.length },
          });
        }
      }),
    },
  },
});

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _omitted, ...rest } = record;
  return rest;
}
