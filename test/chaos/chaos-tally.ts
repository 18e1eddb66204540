import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';

/** What the summary at the end of `npm run test:chaos` counts. */
export const COUNTERS = [
  'kills survived',
  'faults injected',
  'inputs tried',
  'prompts answered',
  'duplicates',
  'lost',
  'duplicates after applied faults',
  'stale status messages',
] as const;
export type Counter = (typeof COUNTERS)[number];

/**
 * Adds `n` to a counter of the run's summary. Test files run in separate workers, so counts go to
 * a file per worker in the directory the global setup provided; the teardown adds them up.
 *
 * @example
 * tally('kills survived');
 * tally('prompts answered', prompts.length);
 */
export function tally(counter: Counter, n = 1): void {
  if (n === 0) return;
  appendFileSync(
    join(inject('chaosTallyDir'), `${process.pid}.jsonl`),
    `${JSON.stringify({ counter, n })}\n`,
  );
}

/** The totals written so far under `dir`, every counter present (zero when never counted). */
export function readTally(dir: string): Record<Counter, number> {
  const totals = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const { counter, n } = JSON.parse(line) as { counter: Counter; n: number };
      totals[counter] = (totals[counter] ?? 0) + n;
    }
  }
  return totals;
}

/**
 * Counts bot messages left saying queued, starting or working, and names each on stderr with the
 * test it was left in, so a count in the summary can be traced to its cause.
 */
export function tallyStale(stuck: readonly { messageId: number; text?: string | undefined }[]): void {
  tally('stale status messages', stuck.length);
  const test = expect.getState().currentTestName ?? 'a chaos test';
  for (const m of stuck) {
    const status = (m.text ?? '').split('\n')[0];
    process.stderr.write(`chaos: status message ${m.messageId} left as "${status}" in: ${test}\n`);
  }
}
