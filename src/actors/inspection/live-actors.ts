import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { summarizeEvent } from './event-summary.ts';
import type { InspectionSink } from './inspector.ts';

/** An event an actor received, as the inspector lists it. */
export interface RecentEvent {
  at: number;
  type: string;
  /** One line: what the event carries. */
  summary: string;
  /** The actor that sent it (`supervisor`, a topic key, `engine`), when known. */
  source: string | null;
  /** Received by a child of the topic (`engine`) rather than the topic itself. */
  target: string | null;
  /** The sanitized event. */
  event: unknown;
}

/** The supervisor or one topic, as its inspection events last described it. */
export interface LiveActor {
  /** `supervisor`, or the topic key. */
  key: string;
  kind: 'supervisor' | 'topic';
  sessionId: string;
  /** False once the actor stopped (an idle topic evicted, or the bridge stopping). */
  alive: boolean;
  status: string;
  value: unknown;
  context: Record<string, unknown> | null;
  updatedAt: number;
  /** Actors the topic invoked (the engine process), by name, with their status. */
  children: Record<string, string>;
  /** Newest last. */
  events: RecentEvent[];
}

interface SessionEntry {
  key: string;
  name: string;
  /** A child of a topic (the engine process): its events and status belong to that topic. */
  child: boolean;
  /** The session of the topic incarnation that owns a child. */
  parentSession?: string;
}

export interface LiveActorsOptions {
  /** Events kept per actor. */
  eventsKept?: number;
  /**
   * Stopped topics remembered (their last events); older ones are forgotten. Stateless chats open
   * a lane per new message, so a long inspected run would otherwise grow without bound.
   */
  stoppedKept?: number;
}

/**
 * The live picture of the actor system, built from its inspection events alone: the supervisor,
 * every topic it spawned, what each last received, and their state. Listeners hear which key
 * changed.
 *
 * @example
 *   const live = new LiveActors();
 *   createActorInspector({ sinks: [live] });
 *   live.onChange((key) => console.log(key, live.get(key)?.value));
 */
export class LiveActors implements InspectionSink {
  readonly #eventsKept: number;
  readonly #stoppedKept: number;
  readonly #sessions = new Map<string, SessionEntry>();
  readonly #actors = new Map<string, LiveActor>();
  readonly #listeners = new Set<(key: string) => void>();
  #rootSession: string | undefined;

  constructor(options: LiveActorsOptions = {}) {
    this.#eventsKept = options.eventsKept ?? 50;
    this.#stoppedKept = options.stoppedKept ?? 200;
  }

  get(key: string): LiveActor | undefined {
    return this.#actors.get(key);
  }

  /** The supervisor first, then topics by key. */
  list(): LiveActor[] {
    return [...this.#actors.values()].sort((a, b) =>
      a.kind === b.kind ? a.key.localeCompare(b.key) : a.kind === 'supervisor' ? -1 : 1,
    );
  }

  /** Calls `listener` with the key of each actor that changed; returns the unsubscribe function. */
  onChange(listener: (key: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  send(event: StatelyInspectionEvent): void {
    const at = Number(event.createdAt) || Date.now();
    switch (event.type) {
      case '@xstate.actor':
        this.#onActor(event, at);
        break;
      case '@xstate.snapshot':
        this.#onSnapshot(event.sessionId, event.snapshot as Snapshotish, at);
        break;
      case '@xstate.event':
        this.#onEvent(event.sessionId, event.sourceId, event.event, at);
        break;
    }
  }

  #onActor(event: StatelyInspectionEvent & { type: '@xstate.actor' }, at: number): void {
    const parent = event.parentId === undefined ? undefined : this.#sessions.get(event.parentId);
    if (event.parentId === undefined) {
      this.#rootSession = event.sessionId;
      this.#sessions.set(event.sessionId, { key: 'supervisor', name: 'supervisor', child: false });
      this.#upsert('supervisor', 'supervisor', event.sessionId, event.snapshot as Snapshotish, at);
    } else if (event.parentId === this.#rootSession) {
      this.#sessions.set(event.sessionId, { key: event.name, name: event.name, child: false });
      this.#upsert(event.name, 'topic', event.sessionId, event.snapshot as Snapshotish, at);
    } else if (parent && !parent.child) {
      this.#sessions.set(event.sessionId, {
        key: parent.key,
        name: event.name,
        child: true,
        parentSession: event.parentId,
      });
      const owner = this.#actors.get(parent.key);
      if (owner) {
        owner.children[event.name] = String((event.snapshot as Snapshotish).status ?? 'active');
        this.#changed(parent.key);
      }
    }
  }

  #upsert(key: string, kind: LiveActor['kind'], sessionId: string, snapshot: Snapshotish, at: number): void {
    const previous = this.#actors.get(key);
    this.#actors.set(key, {
      key,
      kind,
      sessionId,
      alive: true,
      status: String(snapshot?.status ?? 'active'),
      value: snapshot?.value ?? previous?.value ?? null,
      context: asRecord(snapshot?.context) ?? previous?.context ?? null,
      updatedAt: at,
      children: {},
      // A topic evicted and restored is the same lane: its history goes on.
      events: previous?.events ?? [],
    });
    this.#changed(key);
  }

  #onSnapshot(sessionId: string, snapshot: Snapshotish, at: number): void {
    const entry = this.#sessions.get(sessionId);
    if (!entry) return;
    const actor = this.#actors.get(entry.key);
    if (!actor) return;
    if (entry.child) {
      const status = String(snapshot?.status ?? 'active');
      if (status !== 'active') this.#sessions.delete(sessionId);
      if (actor.sessionId !== entry.parentSession) return;
      if (status === 'active') actor.children[entry.name] = status;
      else delete actor.children[entry.name];
      this.#changed(entry.key);
      return;
    }
    // A stopped incarnation of a topic reports after its successor registered: ignore it.
    if (actor.sessionId !== sessionId) return;
    actor.status = String(snapshot?.status ?? 'active');
    actor.alive = actor.status === 'active';
    actor.value = snapshot?.value ?? actor.value;
    actor.context = asRecord(snapshot?.context) ?? actor.context;
    actor.updatedAt = at;
    if (actor.kind === 'supervisor') this.#markStoppedTopics(snapshot);
    this.#changed(entry.key);
  }

  /** Topics the supervisor no longer has as children were stopped (evicted when idle). */
  #markStoppedTopics(snapshot: Snapshotish): void {
    const children = asRecord(snapshot?.children);
    if (!children || '…' in children) return;
    const stopped: LiveActor[] = [];
    for (const actor of this.#actors.values()) {
      if (actor.kind !== 'topic' || actor.key in children) continue;
      if (actor.alive) {
        actor.alive = false;
        actor.children = {};
        this.#changed(actor.key);
      }
      stopped.push(actor);
    }
    if (stopped.length <= this.#stoppedKept) return;
    stopped.sort((a, b) => a.updatedAt - b.updatedAt);
    for (const actor of stopped.slice(0, stopped.length - this.#stoppedKept)) {
      this.#actors.delete(actor.key);
      this.#sessions.delete(actor.sessionId);
    }
  }

  #onEvent(sessionId: string, sourceId: string | undefined, event: unknown, at: number): void {
    const entry = this.#sessions.get(sessionId);
    if (!entry) return;
    const actor = this.#actors.get(entry.key);
    if (!actor) return;
    const type = String((event as { type?: unknown })?.type ?? '');
    const source = sourceId === undefined ? null : (this.#sessions.get(sourceId)?.name ?? null);
    actor.events.push({
      at,
      type,
      summary: summarizeEvent(event),
      source,
      target: entry.child ? entry.name : null,
      event,
    });
    if (actor.events.length > this.#eventsKept)
      actor.events.splice(0, actor.events.length - this.#eventsKept);
    this.#changed(entry.key);
  }

  #changed(key: string): void {
    for (const listener of this.#listeners) listener(key);
  }
}

interface Snapshotish {
  status?: unknown;
  value?: unknown;
  context?: unknown;
  children?: unknown;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
