import type { Benchmark } from './lib/report.ts';

/** Every benchmark, in the order `npm run bench` runs them, with a bound on its wall time. */
export const BENCHMARKS = {
  latency: { file: './latency.bench.ts', limitS: { full: 240, quick: 90 } },
  adapters: { file: './adapters.bench.ts', limitS: { full: 180, quick: 60 } },
  snapshots: { file: './snapshots.bench.ts', limitS: { full: 300, quick: 120 } },
  outbox: { file: './outbox.bench.ts', limitS: { full: 480, quick: 150 } },
  soak: { file: './soak.bench.ts', limitS: { full: 240, quick: 120 } },
} as const;

export type BenchmarkName = keyof typeof BENCHMARKS;

export function isBenchmarkName(name: string): name is BenchmarkName {
  return Object.hasOwn(BENCHMARKS, name);
}

export async function loadBenchmark(name: BenchmarkName): Promise<Benchmark> {
  const module = (await import(BENCHMARKS[name].file)) as { benchmark: Benchmark };
  return module.benchmark;
}
