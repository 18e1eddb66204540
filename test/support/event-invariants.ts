import type { EngineEvent } from '../../src/engines/events.ts';

/**
 * Throws with a precise message when a run's events break the normalized model's invariants:
 * at most one `started`; after `started` exactly one `completed`, last; action ids consistent
 * (one kind per id; phases never go back from `completed` to `started`).
 */
export function assertEventInvariants(events: EngineEvent[]): void {
  const startedAt = events.findIndex((e) => e.type === 'started');
  const startedCount = events.filter((e) => e.type === 'started').length;
  if (startedCount > 1) throw new Error(`expected at most one started event, got ${startedCount}`);
  const completedIdx = events.flatMap((e, i) => (e.type === 'completed' ? [i] : []));
  if (completedIdx.length > 1)
    throw new Error(`expected at most one completed event, got ${completedIdx.length}`);
  if (startedAt >= 0 && completedIdx.length !== 1) {
    throw new Error('a run that emitted started must emit exactly one completed');
  }
  if (completedIdx.length === 1 && completedIdx[0] !== events.length - 1) {
    throw new Error(`completed must be the last event (index ${completedIdx[0]} of ${events.length})`);
  }
  const engines = new Set(events.map((e) => e.engine));
  if (engines.size > 1) throw new Error(`events from more than one engine: ${[...engines].join(', ')}`);
  const kinds = new Map<string, string>();
  const finished = new Set<string>();
  for (const e of events) {
    if (e.type !== 'action') continue;
    const { id, kind } = e.action;
    if (!id) throw new Error('action without id');
    const known = kinds.get(id);
    if (known !== undefined && known !== kind) {
      throw new Error(`action id ${id} changed kind from ${known} to ${kind}`);
    }
    kinds.set(id, kind);
    if (e.phase === 'started' && finished.has(id)) {
      throw new Error(`action id ${id} was started again after it completed (ids must be unique per action)`);
    }
    if (e.phase === 'completed') finished.add(id);
  }
  const started = events[startedAt];
  const completed = completedIdx.length === 1 ? events[completedIdx[0]!] : undefined;
  if (started?.type === 'started' && completed?.type === 'completed' && completed.resume) {
    if (completed.resume.value !== started.resume.value) {
      throw new Error(
        `completed.resume ${completed.resume.value} differs from started.resume ${started.resume.value}`,
      );
    }
  }
}
