import type { Database, Statement } from 'better-sqlite3';
import { parseSnapshotJson } from './snapshot-json.ts';

/** How many transitions a topic keeps (the trigger in `002_topic_history.sql` prunes older ones). */
export const TOPIC_HISTORY_LIMIT = 50;

export interface TopicTransition {
  topicKey: string;
  /** When the new state was persisted (ms since epoch). */
  at: number;
  /** The event that caused it (`ENGINE.COMPLETED`, …; empty when not known). */
  eventType: string;
  /** Dotted state path before and after (`running.engine` → `idle`). */
  fromState: string;
  toState: string;
  /** The persisted snapshot the topic had before the transition, parsed (raw text if it is not JSON). */
  snapshot: unknown;
}

/**
 * The last state changes of each topic with the snapshot that preceded each one, so the inspector
 * can show what a stuck topic went through.
 *
 * @example
 *   store.topicHistory.record({ topicKey, at: Date.now(), eventType: 'ENGINE.COMPLETED',
 *     fromState: 'running.engine', toState: 'idle' }, previousSnapshotJson);
 *   store.topicHistory.recent(topicKey, 10); // newest first
 */
export class TopicHistoryRepository {
  readonly #insert: Statement;
  readonly #recent: Statement;

  constructor(db: Database) {
    this.#insert =
      db.prepare(`INSERT INTO topic_transitions (topic_key, at, event_type, from_state, to_state, snapshot)
      VALUES (@topicKey, @at, @eventType, @fromState, @toState, @snapshot)`);
    this.#recent = db.prepare('SELECT * FROM topic_transitions WHERE topic_key = ? ORDER BY id DESC LIMIT ?');
  }

  /** Appends one transition; `snapshotJson` is the persisted snapshot from before it, already serialized. */
  record(transition: Omit<TopicTransition, 'snapshot'>, snapshotJson: string): void {
    this.#insert.run({ ...transition, snapshot: snapshotJson });
  }

  /** The topic's latest transitions, newest first. */
  recent(topicKey: string, limit = TOPIC_HISTORY_LIMIT): TopicTransition[] {
    return (this.#recent.all(topicKey, limit) as RawTransitionRow[]).map(toTransition);
  }
}

interface RawTransitionRow {
  topic_key: string;
  at: number;
  event_type: string;
  from_state: string;
  to_state: string;
  snapshot: string;
}

function toTransition(row: RawTransitionRow): TopicTransition {
  const snapshot = parseSnapshotJson(row.snapshot);
  return {
    topicKey: row.topic_key,
    at: row.at,
    eventType: row.event_type,
    fromState: row.from_state,
    toState: row.to_state,
    snapshot,
  };
}
