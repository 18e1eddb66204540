import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.ts';
import { TOPIC_HISTORY_LIMIT } from '../../src/store/topic-history.repository.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let store: Store;

beforeEach(() => {
  store = openStore(join(tempDir(), 'state.db'));
});
afterEach(() => store.close());

function record(topicKey: string, n: number): void {
  store.topicHistory.record(
    { topicKey, at: 1000 + n, eventType: `E${n}`, fromState: `s${n}`, toState: `s${n + 1}` },
    JSON.stringify({ value: `s${n}`, n }),
  );
}

describe('topic history', () => {
  it('returns a topic’s transitions newest first with the snapshot from before each', () => {
    record('tg:1', 1);
    record('tg:2', 1);
    record('tg:1', 2);
    expect(store.topicHistory.recent('tg:1')).toEqual([
      {
        topicKey: 'tg:1',
        at: 1002,
        eventType: 'E2',
        fromState: 's2',
        toState: 's3',
        snapshot: { value: 's2', n: 2 },
      },
      {
        topicKey: 'tg:1',
        at: 1001,
        eventType: 'E1',
        fromState: 's1',
        toState: 's2',
        snapshot: { value: 's1', n: 1 },
      },
    ]);
  });

  it('keeps only the latest transitions of each topic, leaving other topics alone', () => {
    for (let n = 0; n < TOPIC_HISTORY_LIMIT + 7; n++) record('tg:busy', n);
    record('tg:quiet', 0);
    const busy = store.topicHistory.recent('tg:busy', 1000);
    expect(busy).toHaveLength(TOPIC_HISTORY_LIMIT);
    expect(busy[0]?.eventType).toBe(`E${TOPIC_HISTORY_LIMIT + 6}`);
    expect(busy.at(-1)?.eventType).toBe('E7');
    expect(store.topicHistory.recent('tg:quiet')).toHaveLength(1);
    const rows = store.db.prepare('SELECT COUNT(*) AS n FROM topic_transitions').get() as { n: number };
    expect(rows.n).toBe(TOPIC_HISTORY_LIMIT + 1);
  });
});
