import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeHarness } from '../support/bridge-harness.ts';
import type { Fault } from '../support/fake-telegram/faults.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { chaosSeed, Rng } from './chaos-seed.ts';
import { tally, tallyStale } from './chaos-tally.ts';
import { bridgeAlive, createWorld } from './chaos-world.ts';
import { keepArtifactsOnFailure, note } from './failure-artifacts.ts';
import { PromptLedger, statusLine } from './prompt-ledger.ts';
import { Workload } from './workload.ts';

const seed = chaosSeed();
const tempDir = useTempDir('tentacle-chaos-');
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
keepArtifactsOnFailure(() => harness, seed);

import { arm, runUnder, type Storm, settle } from './telegram-storms.ts';

describe('Telegram faults that were applied anyway (at least once, by design)', () => {
  it(`never lose a final; a duplicate only where a final's send was applied and then failed (seed ${seed})`, async () => {
    const rng = Rng.for(seed, 'telegram:applied');
    const w = await createWorld(tempDir(), { sessionMode: 'stateless' });
    harness = w.h;
    const { h } = w;
    await h.start();
    const ledger = new PromptLedger();
    const applied: Storm = (tg, r) =>
      arm(tg, r.pick(['sendMessage', 'editMessageText', 'deleteMessage']), 'next', r.int(1, 2), {
        ...r.pick<Fault>([{ status: 502 }, { status: 500 }, { reset: true }]),
        applied: true,
      });
    const armed = await runUnder(w, ledger, rng, [applied]);
    await settle(w, ledger);
    // A final whose send Telegram applied but answered with an error: the durable outbox sends it again.
    const appliedFinalSends = h.tg
      .callsOf('sendMessage')
      .filter((c) => c.fault !== undefined && /^(done|error) · /.test(String(c.params['text']))).length;
    const duplicates = ledger.duplicated(h);
    const extra = duplicates.reduce((n, p) => n + ledger.finals(h, p).length - 1, 0);
    tally('faults injected', armed.length);
    tally('prompts answered', ledger.prompts.length - ledger.unanswered(h).length);
    tally('lost', ledger.unanswered(h).length);
    tally('duplicates after applied faults', extra);
    tallyStale(ledger.stuck(h, [w.dm, w.group, w.forum]));
    const context = `seed ${seed}; faults armed:\n${armed.join('\n')}`;
    expect(bridgeAlive(h), `the bridge is running (${context})`).toBe(true);
    expect(
      ledger.unanswered(h).map((p) => p.label),
      `prompts without a final (${context})`,
    ).toEqual([]);
    expect(extra, `extra finals vs applied-then-failed final sends (${context})`).toBeLessThanOrEqual(
      appliedFinalSends,
    );
  });
});

describe("Telegram's own flood control", () => {
  it(`delivers every final exactly once when the fake enforces tight rate limits (seed ${seed})`, async () => {
    const rng = Rng.for(seed, 'telegram:flood-control');
    const w = await createWorld(tempDir(), { sessionMode: 'chat' });
    harness = w.h;
    const { h } = w;
    // Tighter than Telegram's in the groups (so limits bite within the test), as strict in private chats.
    h.tg.setRateLimits({
      privateChat: { limit: 1, windowMs: 1_000 },
      group: { limit: 6, windowMs: 6_000 },
      bot: { limit: 30, windowMs: 1_000 },
    });
    await h.start();
    const ledger = new PromptLedger();
    const workload = new Workload(w, ledger, rng, { otherEngineShare: 0 });
    for (let round = 0; round < 4; round++) {
      workload.burst();
      await sleep(rng.int(200, 1_000));
    }
    await settle(w, ledger);
    const refused = h.tg.tooManyRequestsCount();
    note(`429s from flood control: ${refused}`);
    tally('faults injected', refused);
    tally('prompts answered', ledger.prompts.length - ledger.unanswered(h).length);
    tally('duplicates', ledger.duplicated(h).length);
    tally('lost', ledger.unanswered(h).length);
    tallyStale(ledger.stuck(h, [w.dm, w.group, w.forum]));
    expect(bridgeAlive(h)).toBe(true);
    const report = ledger.describe(h);
    expect(report, `prompts not answered exactly once (seed ${seed}):\n${report}`).toBe('');
  });
});

describe('pacing within the chat budget', () => {
  it('sends no progress message for a run after that run has ended (it would only flash, then be deleted)', async () => {
    harness = await BridgeHarness.create(tempDir());
    const h = harness;
    await h.start();
    const ledger = new PromptLedger();
    for (let i = 1; i <= 5; i++) {
      const m = h.send(`quick ${i}`);
      ledger.add({ label: `q${i}`, chatId: h.chatId, messageId: m.message_id, text: `quick ${i}` });
    }
    await h.tg.waitFor(() => ledger.unanswered(h).length === 0, { timeoutMs: 30_000, label: 'finals' });
    await sleep(3_000);
    // For each prompt: the status messages the bridge sent after its final was accepted.
    const late = ledger.prompts.flatMap((p) => {
      const sends = h.tg
        .callsOf('sendMessage')
        .filter((c) => c.status === 200 && replyTarget(c.params) === p.messageId);
      const final = sends.find((c) => /^(done|error) · /.test(String(c.params['text'])));
      return sends
        .filter((c) => final && c.seq > final.seq && IN_FLIGHT_STATUS.test(String(c.params['text'])))
        .map((c) => `${p.label}: "${String(c.params['text']).split('\n')[0]}" sent after its final`);
    });
    expect(late).toEqual([]);
  });
});

const IN_FLIGHT_STATUS = /^(queued|starting|working) · /;

/** The message a sendMessage call replies to (reply_parameters or the older reply_to_message_id). */
function replyTarget(params: Record<string, unknown>): number | undefined {
  const rp = params['reply_parameters'];
  const parsed =
    typeof rp === 'string'
      ? (JSON.parse(rp) as { message_id?: number })
      : (rp as { message_id?: number } | undefined);
  return parsed?.message_id ?? (params['reply_to_message_id'] as number | undefined);
}

const IN_FLIGHT = /^(queued|starting|working) · /;

/** Waits (bounded) for a status message to be deleted or to show an ended run; returns its status line. */
async function settledStatus(h: BridgeHarness, messageId: number): Promise<string> {
  const now = () =>
    h.tg.wasDeleted(h.chatId, messageId) ? 'deleted' : statusLine(h.tg.message(h.chatId, messageId));
  await h.tg
    .waitFor(() => !IN_FLIGHT.test(now()), { timeoutMs: 20_000, label: 'status settled' })
    .catch(() => undefined);
  return now();
}

describe('clean-up of status messages under Telegram faults', () => {
  it('a progress message whose deletion fails three times in a row does not stay at "starting" (DESIGN §4)', async () => {
    harness = await BridgeHarness.create(tempDir());
    const h = harness;
    await h.start();
    h.tg.failNext('deleteMessage', 3, { status: 502 });
    // Long enough for the progress message to go out (one message a second in a private chat).
    const prompt = h.send('answer me [[fake:delay=700]]');
    const [progress] = await h.waitVisible('starting · codex');
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.finalsFor(prompt.message_id)).toHaveLength(1);
    expect(
      await settledStatus(h, progress!.messageId),
      `progress message ${progress!.messageId}`,
    ).not.toMatch(IN_FLIGHT);
  });

  it('a queued placeholder still on its way when its job starts is adopted or deleted, not left "queued"', async () => {
    harness = await BridgeHarness.create(tempDir(), { telegram: { session_mode: 'chat' } });
    const h = harness;
    await h.start();
    const gate = `${h.dir}/gate`;
    const first = h.send(`first [[fake:block=${gate}]]`);
    await h.waitVisible('starting · codex');
    await h.tg.waitFor(() => h.spawns().length === 1, { timeoutMs: 15_000, label: 'first engine' });
    // Telegram is slow with the placeholder: the first run ends and the second job starts (and is
    // still running) when the placeholder's answer comes back.
    h.tg.failNext('sendMessage', 1, { delayMs: 3_000 });
    const second = h.send('second [[fake:delay=1000]]');
    const placeholderCall = () =>
      h.tg.callsOf('sendMessage').find((c) => String(c.params['text']).startsWith('queued'));
    // Arrived, not yet answered.
    await h.tg.waitFor(() => placeholderCall() !== undefined, {
      timeoutMs: 10_000,
      label: 'placeholder sent',
    });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(gate, '');
    await h.tg.waitFor(() => h.finalsFor(second.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'finals',
    });
    expect(h.finalsFor(first.message_id)).toHaveLength(1);
    const id = (placeholderCall()!.response as { result: { message_id: number } }).result.message_id;
    expect(await settledStatus(h, id), `placeholder ${id}`).not.toMatch(IN_FLIGHT);
  });
});
