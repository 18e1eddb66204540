/**
 * Runs the mock LLM as its own process and prints its port as the first line of stdout.
 *
 * Usage: `node --import tsx test/support/mock-llm/main.ts`
 * Environment: MOCK_PORT (default 0 = any free port), MOCK_SLOW_MS (default 500),
 * MOCK_MAX_SECONDS (default 1800), MOCK_MAX_REQUESTS (default 500), MOCK_LOG=<file> (one JSON line per
 * request), MOCK_LOG_BODIES=1 (include request bodies in that log).
 * It exits on SIGTERM/SIGINT, or by itself once either bound is reached.
 */
import { MockLlm } from './mock-llm.ts';

const env = process.env;
const number = (name: string): number | undefined => {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative number, got ${value}`);
  return parsed;
};

const llm = await MockLlm.start({
  port: number('MOCK_PORT'),
  slowFrameMs: number('MOCK_SLOW_MS'),
  maxSeconds: number('MOCK_MAX_SECONDS'),
  maxRequests: number('MOCK_MAX_REQUESTS'),
  logFile: env.MOCK_LOG || undefined,
  logBodies: env.MOCK_LOG_BODIES === '1',
});
process.stdout.write(`${llm.port}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void llm.stop());
await llm.stopped;
