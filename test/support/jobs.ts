import type { RunJob } from '../../src/machines/topic.types.ts';

let counter = 0;

/** A resolved prompt as the transport would build it. */
export function job(overrides: Partial<RunJob> = {}): RunJob {
  counter += 1;
  return {
    jobId: `job-${counter}`,
    prompt: `prompt ${counter}`,
    engine: 'codex',
    session: { mode: 'new' },
    cwd: '/repo',
    model: null,
    reasoning: null,
    context: null,
    userMessageId: 100 + counter,
    senderId: 7,
    placeholderMessageId: null,
    enqueuedAt: 1_000,
    origin: 'user',
    ...overrides,
  };
}
