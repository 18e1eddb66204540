import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { DEFAULT_LIMITS, type SanitizeLimits, sanitizeForInspection } from './sanitize.ts';

/** Somewhere sanitized inspection events go: the JSONL log, the live page, Stately's inspector. */
export interface InspectionSink {
  send(event: StatelyInspectionEvent): void;
  stop?(): void | Promise<void>;
}

export interface ActorInspectorOptions {
  sinks: InspectionSink[];
  limits?: SanitizeLimits;
  /** A sink that throws is reported here once and then skipped: inspecting must never stop the bridge. */
  onSinkError?: (error: unknown, sink: InspectionSink) => void;
}

/** The observer handed to the actor system (`TopicRuntime`'s `inspect` option). */
export interface ActorInspector {
  inspect(event: InspectionEvent): void;
  /** Lets already observed events reach the sinks, then stops the sinks. */
  stop(): Promise<void>;
}

/** What the inspector keeps of XState's inspection stream: actors, events and snapshots. */
const KEPT = new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);

/**
 * Turns the actor system's inspection events into Stately's inspection format (through
 * `@statelyai/inspect`'s `createInspector`, so Stately's tools read them as they are), sanitized,
 * and hands each to every sink. Microsteps and action events are dropped before any work is done.
 *
 * @example
 *   const inspector = createActorInspector({ sinks: [new InspectionLog('events.jsonl')] });
 *   const runtime = new TopicRuntime({ ...options, inspect: inspector.inspect });
 *   // …
 *   await inspector.stop();
 */
export function createActorInspector(options: ActorInspectorOptions): ActorInspector {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const failed = new Set<InspectionSink>();
  let stopped = false;
  const adapter = {
    send(event: StatelyInspectionEvent): void {
      if (stopped) return;
      for (const sink of options.sinks) {
        if (failed.has(sink)) continue;
        try {
          sink.send(event);
        } catch (error) {
          failed.add(sink);
          options.onSinkError?.(error, sink);
        }
      }
    },
  };
  const inspector = createInspector(adapter, {
    serialize: (event) => sanitizeInspectionEvent(event, limits),
    // Deep enough for a topic's progress lines; the sanitizer bounds what is kept.
    serializationDepthLimit: 16,
  });
  return {
    inspect(event) {
      if (stopped || !KEPT.has(event.type)) return;
      inspector.inspect.next?.(event);
    },
    async stop() {
      // The library converts each event on a zero-delay timer: one more tick lets those run first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      stopped = true;
      for (const sink of options.sinks) await sink.stop?.();
    },
  };
}

/** Sanitizes the parts of an inspection event that carry data: events, snapshots, contexts. */
export function sanitizeInspectionEvent(
  event: StatelyInspectionEvent,
  limits: SanitizeLimits = DEFAULT_LIMITS,
): StatelyInspectionEvent {
  const clean = <T>(value: T): T => sanitizeForInspection(value, limits) as T;
  switch (event.type) {
    case '@xstate.actor':
      return { ...event, snapshot: clean(event.snapshot) };
    case '@xstate.snapshot':
      return { ...event, event: clean(event.event), snapshot: clean(event.snapshot) };
    case '@xstate.event':
      return { ...event, event: clean(event.event) };
    default:
      return event;
  }
}
