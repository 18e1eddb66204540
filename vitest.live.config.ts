import { defineConfig } from 'vitest/config';

// The live tier: the real agent CLIs (installed by scripts/install-live-engines.sh) driven against
// the mock LLM. One file per engine, files in parallel, the turns of one engine in sequence.
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 150_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 4,
  },
});
