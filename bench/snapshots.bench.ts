/**
 * snapshots: what persisting every topic transition costs (DESIGN §3.2), what a restart costs with
 * many persisted topics, and what an idle topic kept alive costs in memory.
 *
 * 1. Write cost: a TopicRuntime on a real SQLite file (WAL, synchronous = NORMAL) with a scripted
 *    engine; runs of 10 actions each over 50 topics. Every engine event is one transition and one
 *    committed snapshot; each `send` is timed from the engine's `sendBack` until the commit returned.
 *    The same workload on `:memory:` separates SQLite's file I/O from the rest.
 * 2. Boot: a state file with N persisted topics, all idle or all with a run in flight, opened by a fresh
 *    process (`snapshots.worker.ts boot`) that starts the runtime and waits until every run in flight has
 *    its engine invoked again (lost → resuming → engine).
 * 3. RSS per idle topic: a fresh `--expose-gc` process keeps N idle topics alive (never evicted);
 *    RSS and heap are read after full collections, before and after.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Benchmark, Table } from './lib/report.ts';
import { fmt, median, summary } from './lib/stats.ts';
import { bootRuntime, engineScript, populate, prompt } from './lib/topics.ts';

const WORKER = fileURLToPath(new URL('./snapshots.worker.ts', import.meta.url));

async function worker<T>(args: string[]): Promise<T> {
  const run = await execa(process.execPath, ['--expose-gc', '--import', 'tsx', WORKER, ...args], {
    reject: false,
    timeout: 180_000,
  });
  if (run.exitCode !== 0) throw new Error(`snapshots worker ${args[0]} failed: ${run.stderr || run.stdout}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

/** Runs of `actions` actions over `topics` topics; every engine event timed. */
function writeCost(path: string, runs: number, topics: number, actions: number) {
  const b = bootRuntime(path, 'boot-write');
  const topicsRepo = b.store.topics;
  const saveJson = topicsRepo.saveJson.bind(topicsRepo);
  const bytes: number[] = [];
  topicsRepo.saveJson = (record, json, now) => {
    bytes.push(json.length);
    saveJson(record, json, now);
  };
  // Top-level transactions only: a nested call is a savepoint inside the delivery's transaction.
  const transaction = b.store.transaction.bind(b.store);
  const commitUs: number[] = [];
  let depth = 0;
  b.store.transaction = <T>(fn: () => T): T => {
    if (depth > 0) return transaction(fn);
    depth++;
    const start = process.hrtime.bigint();
    try {
      return transaction(fn);
    } finally {
      depth--;
      commitUs.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  };
  const eventUs: number[] = [];
  const start = performance.now();
  for (let r = 0; r < runs; r++) {
    const run = prompt(b, r % topics);
    for (const event of engineScript(run, actions, true)) {
      const t = process.hrtime.bigint();
      run.send(event);
      eventUs.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }
  const wallMs = performance.now() - start;
  const persisted = bytes.length;
  b.close();
  return {
    runs,
    topics,
    actionsPerRun: actions,
    persisted,
    wallUsPerPersisted: (wallMs * 1000) / persisted,
    engineEventUs: summary(eventUs),
    transactionUs: summary(commitUs),
    snapshotBytes: summary(bytes),
  };
}

interface BootResult {
  startedMs: number;
  settledMs: number;
  settled: boolean;
  lost: number;
  rerun: number;
  alive: number;
  rssMiB: number;
}

interface RssResult {
  topics: number;
  alive: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssPerTopicKiB: number;
  heapPerTopicKiB: number;
}

export const benchmark: Benchmark = {
  name: 'snapshots',
  title: 'snapshot writes, boot with many persisted topics, RSS per idle topic',
  async run({ quick, log }) {
    const dir = mkdtempSync(join(tmpdir(), 'tentacle-bench-snapshots-'));
    const bootTopics = quick ? 2_000 : 10_000;
    const rssTopics = quick ? 2_000 : 10_000;
    const runs = quick ? 150 : 600;
    const bootRepeats = quick ? 1 : 3;
    const tables: Table[] = [];
    const results: Record<string, unknown> = {};
    try {
      log(`write cost: ${runs} runs on a file and in memory`);
      writeCost(join(dir, 'warmup.db'), 20, 5, 10);
      const file = writeCost(join(dir, 'write.db'), runs, 50, 10);
      const memory = writeCost(':memory:', runs, 50, 10);
      results['writeCost'] = { file, memory };
      tables.push({
        title: `Write cost per persisted transition (${runs} runs × 10 actions over 50 topics; ${file.persisted.toLocaleString('en-US')} snapshots)`,
        columns: [
          'database',
          'wall µs / snapshot',
          'engine event µs (median)',
          'p95',
          'transaction µs (median)',
          'p95',
          'snapshot bytes (median)',
        ],
        rows: [],
      });
      for (const [label, r] of [
        ['file (WAL, synchronous = NORMAL)', file],
        [':memory:', memory],
      ] as const) {
        tables[0]!.rows.push([
          label,
          fmt(r.wallUsPerPersisted),
          fmt(r.engineEventUs.median),
          fmt(r.engineEventUs.p95),
          fmt(r.transactionUs.median),
          fmt(r.transactionUs.p95),
          fmt(r.snapshotBytes.median),
        ]);
      }

      log(`boot: preparing ${bootTopics.toLocaleString('en-US')} topics in flight`);
      const inFlightDb = join(dir, 'in-flight.db');
      const idleDb = join(dir, 'idle.db');
      const prep = bootRuntime(join(dir, 'prep.db'), 'boot-before');
      const prepStart = performance.now();
      populate(prep, 0, bootTopics, 'in-flight', 0);
      prep.store.db.exec(`VACUUM INTO '${inFlightDb}'`);
      log('boot: completing them (idle)');
      for (const run of prep.engine.runs) {
        const events = engineScript(run, 0, true);
        run.send(events.at(-1)!);
      }
      prep.store.db.exec(`VACUUM INTO '${idleDb}'`);
      const prepS = (performance.now() - prepStart) / 1000;
      // The prepared runtime is left to the process exit: stopping 10,000 actors is not what is measured.
      prep.store.close();
      const boots: Record<string, BootResult[]> = { idle: [], 'in-flight': [] };
      for (const [state, db, inFlight] of [
        ['idle', idleDb, 0],
        ['in-flight', inFlightDb, bootTopics],
      ] as const) {
        for (let i = 0; i < (state === 'in-flight' && !quick ? 1 : bootRepeats); i++) {
          const copy = join(dir, `boot-${state}-${i}.db`);
          copyFileSync(db, copy);
          log(`boot: ${state} #${i + 1}`);
          boots[state]!.push(await worker<BootResult>(['boot', copy, String(inFlight)]));
        }
      }
      results['boot'] = { topics: bootTopics, prepareSeconds: prepS, ...boots };
      tables.push({
        title: `Boot with ${bootTopics.toLocaleString('en-US')} persisted topics (fresh process; median of the runs)`,
        columns: [
          'topics',
          'runs',
          'runtime started ms',
          'in-flight runs re-invoked ms',
          'alive actors',
          'RSS MiB',
        ],
        rows: Object.entries(boots).map(([state, list]) => [
          state === 'idle'
            ? `${bootTopics.toLocaleString('en-US')} idle, 0 in flight`
            : `0 idle, ${bootTopics.toLocaleString('en-US')} in flight`,
          list.length,
          fmt(median(list.map((b) => b.startedMs))),
          state === 'idle' ? '—' : fmt(median(list.map((b) => b.settledMs))),
          fmt(median(list.map((b) => b.alive))),
          fmt(median(list.map((b) => b.rssMiB))),
        ]),
      });

      log(`rss: ${rssTopics.toLocaleString('en-US')} idle topics`);
      const rss = [await worker<RssResult>(['rss', String(rssTopics)])];
      results['rss'] = rss;
      tables.push({
        title: `Memory per idle topic kept alive (${rssTopics.toLocaleString('en-US')} topics, after full GC; median of ${rss.length})`,
        columns: ['measure', 'KiB per idle topic'],
        rows: [
          ['RSS delta', fmt(median(rss.map((r) => r.rssPerTopicKiB)), 1)],
          ['heapUsed delta', fmt(median(rss.map((r) => r.heapPerTopicKiB)), 1)],
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      tables,
      results,
      notes: [
        '"engine event µs": one ENGINE.* event from the scripted engine to the committed snapshot (XState transition, JSON.stringify of the persisted snapshot, SQLite upsert, transition history, commit). "transaction µs": the SQLite part alone.',
        'Boot: "runtime started" is openStore + new TopicRuntime + start() returning (idle topics are not restored until an event arrives); "re-invoked" waits until every run that was in flight runs its engine again.',
        'Idle topics stay alive here (idleEvictMs = 0); the bridge evicts them after 10 minutes by default and restores them from SQLite on the next event.',
      ],
    };
  },
};
