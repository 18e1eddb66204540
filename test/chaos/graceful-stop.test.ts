import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { chaosSeed } from './chaos-seed.ts';
import { BOB } from './chaos-world.ts';
import { keepArtifactsOnFailure } from './failure-artifacts.ts';
import { PromptLedger, statusLine } from './prompt-ledger.ts';

const seed = chaosSeed();
const tempDir = useTempDir('tentacle-chaos-');
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
keepArtifactsOnFailure(() => harness, seed);

const IN_FLIGHT = /^(queued|starting|working) · /;

/** A harness whose main chat is a group: 20 messages a minute, so clean-ups trail the finals. */
async function groupHarness(): Promise<BridgeHarness> {
  harness = await BridgeHarness.create(tempDir(), { chatId: 0 });
  const h = harness;
  const group = h.tg.addGroup({
    title: 'team',
    members: [
      { user: ALICE, status: 'creator' },
      { user: BOB, status: 'member' },
    ],
  });
  (h as unknown as { chatId: number }).chatId = group;
  h.writeConfig({});
  await h.start();
  return h;
}

/** Waits (bounded) until no status message of the chat is in flight; returns those still in flight. */
async function inFlightAfterSettling(h: BridgeHarness): Promise<string[]> {
  const inFlight = () =>
    h.tg
      .chatLog(h.chatId)
      .filter((m) => m.fromBot && IN_FLIGHT.test(statusLine(m)))
      .map((m) => `${m.messageId}: ${statusLine(m)}`);
  await h.tg
    .waitFor(() => inFlight().length === 0, { timeoutMs: 20_000, label: 'settled' })
    .catch(() => undefined);
  return inFlight();
}

describe('a graceful stop (SIGTERM) with Telegram work still queued', () => {
  it('right after finals in a group: exits 0, and no status message stays in flight after the restart', async () => {
    const h = await groupHarness();
    const ledger = new PromptLedger();
    for (const label of ['a', 'b', 'c']) {
      const m = h.send(label);
      ledger.add({ label, chatId: h.chatId, messageId: m.message_id, text: label });
    }
    await h.tg.waitFor(() => ledger.unanswered(h).length === 0, { timeoutMs: 30_000, label: 'finals' });
    expect.soft(await h.stop('SIGTERM'), 'exit code of the SIGTERM').toBe(0);
    await h.start();
    expect(await inFlightAfterSettling(h)).toEqual([]);
    expect(ledger.describe(h)).toBe('');
  });

  it('while a progress deletion waits out a 429: exits 0, and the deletion happens after the restart', async () => {
    harness = await BridgeHarness.create(tempDir());
    const h = harness;
    await h.start();
    // Longer than a graceful stop may take (5 s), short enough to see the deletion after the restart:
    // Telegram's retry_after still holds when the bridge comes back.
    h.tg.failNext('deleteMessage', 1, { status: 429, retryAfter: 8 });
    const ledger = new PromptLedger();
    // Long enough for the progress message to go out (one message a second in a private chat).
    const m = h.send('answer me [[fake:delay=700]]');
    ledger.add({ label: 'p1', chatId: h.chatId, messageId: m.message_id, text: 'answer me' });
    await h.tg.waitForCall('deleteMessage', (c) => c.status === 429, { timeoutMs: 15_000, label: '429' });
    expect.soft(await h.stop('SIGTERM'), 'exit code of the SIGTERM').toBe(0);
    await h.start();
    expect(await inFlightAfterSettling(h)).toEqual([]);
    expect(ledger.describe(h)).toBe('');
  });
});
