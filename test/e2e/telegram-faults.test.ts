import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function boot(options: Parameters<typeof BridgeHarness.create>[1] = {}) {
  harness = await BridgeHarness.create(tempDir(), options);
  await harness.start();
  return harness;
}

describe('Telegram faults and edge cases', () => {
  it.each([
    ['a 429 storm on sendMessage', { status: 429, retryAfter: 1 }, 'sendMessage', 4],
    ['5xx on sendMessage', { status: 502 }, 'sendMessage', 3],
    ['429s on editMessageText', { status: 429, retryAfter: 1 }, 'editMessageText', 5],
    ['connection resets on sendMessage', { reset: true }, 'sendMessage', 2],
  ] as const)('delivers every final exactly once through %s', async (_name, fault, method, count) => {
    const h = await boot();
    h.tg.failNext(method, count, fault as never);
    const a = h.send('first [[fake:delay=300]]');
    const b = h.send('second [[fake:delay=300]]');
    await h.tg.waitFor(() => h.finalsFor(a.message_id).length >= 1 && h.finalsFor(b.message_id).length >= 1, {
      timeoutMs: 40_000,
      label: 'both finals',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(h.finalsFor(a.message_id)).toHaveLength(1);
    expect(h.finalsFor(b.message_id)).toHaveLength(1);
  });

  it('falls back to plain text when Telegram refuses the entities of a final', async () => {
    const h = await boot();
    h.tg.failFor('sendMessage', 60_000, {
      status: 400,
      description: "Bad Request: can't parse entities: boom",
    });
    const prompt = h.send('format me');
    await h.tg.waitFor(
      () =>
        h.tg
          .callsOf('sendMessage')
          .some((c) => c.status === 400 && String(c.params['text']).startsWith('done')),
      { timeoutMs: 15_000, label: 'final refused' },
    );
    h.tg.clearFaults();
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'final',
    });
    const accepted = h.tg
      .callsOf('sendMessage')
      .filter((c) => c.status === 200 && String(c.params['text']).startsWith('done'));
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.params['entities'] ?? []).toEqual([]);
  });

  it('keeps the elapsed time moving while the engine is silent', async () => {
    const h = await boot();
    const gate = join(h.dir, 'gate');
    h.send(`think [[fake:block=${gate}]]`);
    const [progress] = await h.waitVisible('working · codex', 1, { timeoutMs: 15_000 });
    const first = String(h.tg.message(h.chatId, progress!.messageId)?.text).split('\n')[0];
    await h.tg.waitFor(
      () => String(h.tg.message(h.chatId, progress!.messageId)?.text).split('\n')[0] !== first,
      { timeoutMs: 15_000, label: 'header changed while silent' },
    );
    const later = String(h.tg.message(h.chatId, progress!.messageId)?.text).split('\n')[0];
    expect(later).toMatch(/^working · codex · \d+s/);
    expect(h.tg.message(h.chatId, progress!.messageId)?.reply_markup).toBeDefined();
    writeFileSync(gate, '');
  });

  it('leaves progress messages truthful and exits promptly on SIGTERM, then continues the run', async () => {
    const h = await boot();
    const gate = join(h.dir, 'gate');
    const prompt = h.send(`long [[fake:block=${gate}]]`);
    const [progress] = await h.waitVisible('working · codex', 1, { timeoutMs: 15_000 });
    const started = Date.now();
    const code = await h.stop('SIGTERM');
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(code).toBe(0);
    expect(String(h.tg.message(h.chatId, progress!.messageId)?.text)).toMatch(/^interrupted · codex/);
    writeFileSync(gate, '');
    await h.start();
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'final',
    });
  });

  it('in mentions mode runs only what addresses the bot', async () => {
    const h = await boot();
    const setMode = h.send('/trigger mentions');
    await h.tg.waitFor(
      () => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === setMode.message_id),
      {
        label: 'trigger reply',
      },
    );
    const ignored = h.send('just chatting');
    const addressed = h.send('@tentacle_test_bot please run');
    await h.tg.waitFor(() => h.finalsFor(addressed.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.finalsFor(ignored.message_id)).toHaveLength(0);
    expect(h.spawns()).toHaveLength(1);
  });

  it('runs a comment and the messages forwarded with it as one prompt', async () => {
    const h = await boot();
    const comment = h.send('summarize these');
    h.tg.sendUserMessage({
      chatId: h.chatId,
      from: ALICE,
      text: 'forwarded one',
      forward: { from: { id: 77, first_name: 'Carol' }, date: 1 },
    });
    h.tg.sendUserMessage({
      chatId: h.chatId,
      from: ALICE,
      text: 'forwarded two',
      forward: { from: { id: 77, first_name: 'Carol' }, date: 1 },
    });
    await h.tg.waitFor(() => h.finalsFor(comment.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.spawns()).toHaveLength(1);
    expect(h.spawns()[0]!.stdin).toBe('summarize these\n\nforwarded one\n\nforwarded two');
  });
});
