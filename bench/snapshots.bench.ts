/**
 * snapshots: what persisting every topic transition costs (DESIGN §3.2), what a restart costs with
 * many persisted topics, and what an idle topic kept alive costs in memory.
 *
 * 1. Write cost: a TopicRuntime on a real SQLite file (WAL, synchronous = NORMAL) with a scripted
 *    engine; runs of 10 actions each over 50 topics. Every engine event is one transition and one
 *    committed snapshot; each `send` is timed from the engine's `sendBack` until the commit returned.
 *    The same workload on `:memory:` separates SQLite's file I/O from the rest.
 * 2. Boot: a state file with 10,000 persisted topics (all idle, or 9,000 idle and 1,000 with a run in
 *    flight), and files with 1,000 to 4,000 topics all in flight, each opened by a fresh process
 *    (`snapshots.worker.ts boot`) that starts the runtime and waits until every run in flight has its
 *    engine invoked again (lost → resuming → engine).
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
import { bootRuntime, engineScript, populate, populateEvicted, prompt } from './lib/topics.ts';

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
    const inFlightSeries = quick ? [500, 1_000] : [1_000, 2_000, 4_000];
    const rssTopics = quick ? 2_000 : 5_000;
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

      const prepStart = performance.now();
      const inFlightShare = bootTopics / 10;
      log(`boot: preparing ${bootTopics.toLocaleString('en-US')} topics`);
      const mixedDb = join(dir, 'mixed.db');
      const idleDb = join(dir, 'idle.db');
      const prep = bootRuntime(join(dir, 'prep.db'), 'boot-before', { idleEvictMs: 1 });
      await populateEvicted(prep, 0, bootTopics - inFlightShare);
      const firstInFlight = prep.engine.runs.length;
      populate(prep, bootTopics - inFlightShare, bootTopics, 'in-flight', 0);
      prep.store.db.exec(`VACUUM INTO '${mixedDb}'`);
      for (const run of prep.engine.runs.slice(firstInFlight)) run.send(engineScript(run, 0, true).at(-1)!);
      prep.store.db.exec(`VACUUM INTO '${idleDb}'`);
      // The live actors die with the process: stopping them is not what is measured.
      prep.store.close();
      const cases: { label: string; db: string; inFlight: number; repeats: number }[] = [
        { label: `${fmt(bootTopics)} idle, 0 in flight`, db: idleDb, inFlight: 0, repeats: bootRepeats },
        {
          label: `${fmt(bootTopics - inFlightShare)} idle, ${fmt(inFlightShare)} in flight`,
          db: mixedDb,
          inFlight: inFlightShare,
          repeats: bootRepeats,
        },
      ];
      // Runs in flight only, at growing sizes: how restoring scales with the number of live topics.
      for (const n of inFlightSeries) {
        log(`boot: preparing ${fmt(n)} topics in flight`);
        const db = join(dir, `in-flight-${n}.db`);
        const only = bootRuntime(join(dir, `prep-${n}.db`), 'boot-before');
        populate(only, 0, n, 'in-flight', 0);
        only.store.db.exec(`VACUUM INTO '${db}'`);
        only.store.close();
        cases.push({ label: `0 idle, ${fmt(n)} in flight`, db, inFlight: n, repeats: 1 });
      }
      const prepS = (performance.now() - prepStart) / 1000;
      const boots: Record<string, { inFlight: number; runs: BootResult[] }> = {};
      for (const c of cases) {
        const runs: BootResult[] = [];
        for (let i = 0; i < c.repeats; i++) {
          const copy = join(dir, `boot-${runs.length}-${Object.keys(boots).length}.db`);
          copyFileSync(c.db, copy);
          log(`boot: ${c.label} #${i + 1}`);
          runs.push(await worker<BootResult>(['boot', copy, String(c.inFlight)]));
        }
        boots[c.label] = { inFlight: c.inFlight, runs };
      }
      results['boot'] = { prepareSeconds: prepS, ...boots };
      tables.push({
        title: 'Boot with persisted topics (fresh process; median of the runs)',
        columns: [
          'persisted topics',
          'runs',
          'runtime started ms',
          'in-flight runs re-invoked ms',
          'ms per in-flight topic',
          'RSS MiB',
        ],
        rows: Object.entries(boots).map(([label, { inFlight, runs }]) => {
          const settled = median(runs.map((b) => b.settledMs));
          return [
            label,
            runs.length,
            fmt(median(runs.map((b) => b.startedMs))),
            inFlight === 0 ? '—' : fmt(settled),
            inFlight === 0 ? '—' : fmt(settled / inFlight, 2),
            fmt(median(runs.map((b) => b.rssMiB))),
          ];
        }),
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
