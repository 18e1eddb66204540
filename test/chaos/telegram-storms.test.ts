import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeHarness } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { chaosSeed, Rng } from './chaos-seed.ts';
import { tally, tallyStale } from './chaos-tally.ts';
import { bridgeAlive, createWorld } from './chaos-world.ts';
import { keepArtifactsOnFailure } from './failure-artifacts.ts';
import { PromptLedger } from './prompt-ledger.ts';

const seed = chaosSeed();
const tempDir = useTempDir('tentacle-chaos-');
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
keepArtifactsOnFailure(() => harness, seed);

import { runUnder, STORMS, settle } from './telegram-storms.ts';

const CASES = [
  ...STORMS.map(([name, storm], i) => ({
    name,
    storms: [storm],
    mode: i % 2 === 0 ? ('stateless' as const) : ('chat' as const),
  })),
  { name: 'all of them at once', storms: STORMS.map(([, storm]) => storm), mode: 'stateless' as const },
];

describe('Telegram faults that were not applied', () => {
  it.each(CASES)(
    `deliver every final exactly once through $name ($mode mode, seed ${seed})`,
    async ({ name, storms, mode }) => {
      const rng = Rng.for(seed, `telegram:${name}`);
      const w = await createWorld(tempDir(), { sessionMode: mode });
      harness = w.h;
      const { h } = w;
      await h.start();
      const ledger = new PromptLedger();
      const armed = await runUnder(w, ledger, rng, storms);
      await settle(w, ledger);
      tally('faults injected', armed.length);
      tally('prompts answered', ledger.prompts.length - ledger.unanswered(h).length);
      tally('duplicates', ledger.duplicated(h).length);
      tally('lost', ledger.unanswered(h).length);
      const context = `seed ${seed}; faults armed:\n${armed.join('\n')}`;
      expect(bridgeAlive(h), `the bridge is running (${context})`).toBe(true);
      const report = ledger.describe(h);
      expect(report, `prompts not answered exactly once (${context}):\n${report}`).toBe('');
      // Status messages still in flight here are the known clean-up gaps pinned down below; counted.
      tallyStale(ledger.stuck(h, [w.dm, w.group, w.forum]));
    },
  );
});
