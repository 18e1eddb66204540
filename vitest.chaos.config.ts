import { defineConfig } from 'vitest/config';

// The chaos tier: the bridge under SIGKILLs, Telegram faults, broken engines and hostile input.
// Seeded (CHAOS_SEED, else drawn and printed); the global setup prints the counts at the end.
// Two files at a time on CI's two cores; every wait inside is bounded.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/chaos/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
