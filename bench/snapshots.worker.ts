/**
 * The parts of the snapshots benchmark that need a fresh process, started by snapshots.bench.ts:
 * - `boot <db> <in-flight>`: open a state file and start the runtime on it, as a restarted bridge does;
 *   wait until every run that was in flight has its engine invoked again;
 * - `rss <topics>`: RSS and heap per idle topic kept alive (needs `--expose-gc`).
 * Prints one JSON object on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootRuntime, populate } from './lib/topics.ts';

const [mode, ...args] = process.argv.slice(2);

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

async function boot(path: string, inFlight: number) {
  const t0 = performance.now();
  const b = bootRuntime(path, 'boot-measured');
  const startedMs = performance.now() - t0;
  const settled = await waitUntil(() => b.engine.runs.length >= inFlight, 120_000);
  const settledMs = performance.now() - t0;
  const result = {
    startedMs,
    settledMs,
    settled,
    lost: b.engine.lost.length,
    rerun: b.engine.runs.length,
    alive: b.runtime.aliveTopics().length,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
  b.close();
  return result;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
}

async function rss(topics: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tentacle-bench-rss-'));
  try {
    const b = bootRuntime(join(dir, 'state.db'), 'boot-rss');
    // Warm up code paths and caches so the delta is the topics, not the first use of each module.
    populate(b, 0, 200, 'idle');
    await new Promise((resolve) => setTimeout(resolve, 50));
    collect();
    const before = process.memoryUsage();
    populate(b, 200, 200 + topics, 'idle');
    await new Promise((resolve) => setTimeout(resolve, 50));
    collect();
    const after = process.memoryUsage();
    const alive = b.runtime.aliveTopics().length;
    b.close();
    return {
      topics,
      alive,
      rssBeforeMiB: before.rss / 2 ** 20,
      rssAfterMiB: after.rss / 2 ** 20,
      rssPerTopicKiB: (after.rss - before.rss) / topics / 1024,
      heapPerTopicKiB: (after.heapUsed - before.heapUsed) / topics / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const result =
  mode === 'boot'
    ? await boot(args[0]!, Number(args[1]))
    : mode === 'rss'
      ? await rss(Number(args[0]))
      : (() => {
          throw new Error(`unknown mode ${mode}`);
        })();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
