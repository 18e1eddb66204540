import { setTimeout as sleep } from 'node:timers/promises';
import type { BridgeHarness } from '../support/bridge-harness.ts';
import type { Fault } from '../support/fake-telegram/faults.ts';
import type { Rng } from './chaos-seed.ts';
import type { ChaosWorld } from './chaos-world.ts';
import { note } from './failure-artifacts.ts';
import type { PromptLedger } from './prompt-ledger.ts';
import { Workload } from './workload.ts';

export type FakeTelegram = BridgeHarness['tg'];
/** Arms one fault (or a timed period of faults) and says what it armed. */
export type Storm = (tg: FakeTelegram, rng: Rng) => string;

const METHODS = ['sendMessage', 'editMessageText', 'deleteMessage', 'answerCallbackQuery', '*'] as const;

export function arm(tg: FakeTelegram, method: string, how: 'next' | 'for', n: number, fault: Fault): string {
  if (how === 'next') tg.failNext(method, n, fault);
  else tg.failFor(method, n, fault);
  return `${method} ${how} ${n}: ${JSON.stringify(fault)}`;
}

/**
 * Faults Telegram answers without applying the call, each arming one fault or a timed period of
 * them: the bridge must deliver every final exactly once through any of them.
 */
export const STORMS: readonly (readonly [string, Storm])[] = [
  [
    '429 storms',
    (tg, rng) =>
      arm(tg, rng.pick(METHODS), 'for', rng.int(1_000, 4_000), { status: 429, retryAfter: rng.int(1, 3) }),
  ],
  [
    '5xx answers',
    (tg, rng) =>
      arm(tg, rng.pick(METHODS), 'next', rng.int(1, 3), {
        status: rng.pick([500, 502, 503, 504]),
        html: rng.chance(0.5),
      }),
  ],
  ['connection resets', (tg, rng) => arm(tg, rng.pick(METHODS), 'next', rng.int(1, 3), { reset: true })],
  [
    'slow responses',
    (tg, rng) => arm(tg, rng.pick(METHODS), 'for', rng.int(1_000, 4_000), { delayMs: rng.int(300, 2_500) }),
  ],
  [
    'getUpdates failing for a while',
    (tg, rng) => {
      const ms = rng.int(2_000, 8_000);
      const fault = rng.pick<Fault>([
        { status: 502, html: true },
        { status: 500 },
        { reset: true },
        { status: 429, retryAfter: 2 },
      ]);
      tg.failGetUpdatesFor(ms, fault);
      return `getUpdates for ${ms}: ${JSON.stringify(fault)}`;
    },
  ],
];

const ROUNDS = 6;

/** A workload in rounds, with `storm` armed once or twice a round; returns the faults armed. */
export async function runUnder(
  w: ChaosWorld,
  ledger: PromptLedger,
  rng: Rng,
  storms: Storm[],
): Promise<string[]> {
  const workload = new Workload(w, ledger, rng, { otherEngineShare: 0.1 });
  const armed: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = rng.int(1, 2); i > 0; i--) {
      armed.push(rng.pick(storms)(w.h.tg, rng));
      note(`fault: ${armed.at(-1)}`);
    }
    workload.burst();
    await sleep(rng.int(300, 1_500));
  }
  return armed;
}

/**
 * Waits (bounded) until every prompt has a final, then a little for the clean-up of status
 * messages: the outbox paces deletions at the chat's rate (20 a minute in a group), behind finals.
 */
export async function settle(w: ChaosWorld, ledger: PromptLedger): Promise<void> {
  const { h } = w;
  await h.tg
    .waitFor(() => ledger.unanswered(h).length === 0, { timeoutMs: 150_000, label: 'every prompt answered' })
    .catch(() => undefined);
  h.tg.clearFaults();
  await h.tg
    .waitFor(() => ledger.stuck(h, [w.dm, w.group, w.forum]).length === 0, {
      timeoutMs: 10_000,
      label: 'status messages settled',
    })
    .catch(() => undefined);
  // A final sent twice would show within the outbox's next passes.
  await sleep(1_500);
}
