import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { COUNTERS, readTally } from './chaos-tally.ts';

/**
 * Draws the run's seed (or takes CHAOS_SEED), hands it and a tally directory to every test file,
 * and prints the seed and the counts when the run ends.
 */
export default function setup(project: TestProject): () => void {
  const fromEnv = process.env['CHAOS_SEED'];
  const seed =
    fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`CHAOS_SEED must be an integer, got ${fromEnv}`);
  const tallyDir = mkdtempSync(join(tmpdir(), 'tentacle-chaos-tally-'));
  project.provide('chaosSeed', seed);
  project.provide('chaosTallyDir', tallyDir);
  process.stdout.write(`chaos: seed ${seed} (replay with CHAOS_SEED=${seed} npm run test:chaos)\n`);
  const started = Date.now();
  return () => {
    const totals = readTally(tallyDir);
    rmSync(tallyDir, { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    const counts = COUNTERS.map((c) => `${c} ${totals[c]}`).join(', ');
    process.stdout.write(`chaos: seed ${seed}, ${seconds}s: ${counts}\n`);
  };
}
