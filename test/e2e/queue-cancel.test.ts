import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { assertNoConcurrentSessions } from '../support/fake-engine/index.ts';
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

describe('queueing and cancelling', () => {
  it('queues a follow-up of a running session with a placeholder and runs it after the first exits', async () => {
    const h = await boot({ telegram: { session_mode: 'chat' } });
    const gate = join(h.dir, 'gate');
    const first = h.send(`first [[fake:block=${gate}]]`);
    await h.waitVisible('starting · codex');
    await h.tg.waitFor(() => h.spawns().length === 1, { label: 'first engine' });
    const second = h.send('second');
    const [placeholder] = await h.waitVisible('queued · codex');
    expect(placeholder!.replyTo).toBe(second.message_id);
    expect(placeholder!.replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'cancel', callback_data: 'tentacle:cancel' }]],
    });
    expect(h.spawns()).toHaveLength(1);
    writeFileSync(gate, '');
    await h.tg.waitFor(() => h.finalsFor(second.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'second final',
    });
    expect(h.finalsFor(first.message_id)).toHaveLength(1);
    const [one, two] = h.spawns();
    expect(two).toMatchObject({ resumed: true, sessionId: one!.sessionId });
    const firstExit = h.records().find((r) => r.kind === 'exit' && r.pid === one!.pid)!;
    expect(two!.time).toBeGreaterThanOrEqual(firstExit.time);
    assertNoConcurrentSessions(h.records());
  });

  it('cancels a running engine from the button: SIGTERM, the cancelled layout, the toast', async () => {
    const h = await boot();
    h.send('work forever [[fake:hang]]');
    const [progress] = await h.waitVisible('starting · codex');
    await h.tg.waitFor(() => h.spawns().length === 1, { label: 'engine' });
    const query = h.tg.pressButton({
      chatId: h.chatId,
      messageId: progress!.messageId,
      from: ALICE,
      data: 'tentacle:cancel',
    });
    await h.tg.waitFor(() => h.tg.callbackAnswer(query) !== undefined, { label: 'toast' });
    expect(h.tg.callbackAnswer(query)).toMatchObject({ text: 'cancelling...' });
    await h.tg.waitFor(
      () => String(h.tg.message(h.chatId, progress!.messageId)?.text).startsWith('cancelled'),
      {
        timeoutMs: 10_000,
        label: 'cancelled edit',
      },
    );
    const cancelled = h.tg.message(h.chatId, progress!.messageId)!;
    expect(cancelled.entities?.[0]).toMatchObject({ type: 'code', offset: 0, length: 'cancelled'.length });
    expect(cancelled.reply_markup).toBeUndefined();
    expect(h.records().some((r) => r.kind === 'signal' && r.signal === 'SIGTERM')).toBe(true);
  });

  it('kills an engine that ignores SIGTERM 2 s later', async () => {
    const h = await boot();
    h.send('stubborn [[fake:hang]] [[fake:ignore-sigterm]]');
    const [progress] = await h.waitVisible('starting · codex');
    await h.tg.waitFor(() => h.spawns().length === 1, { label: 'engine' });
    h.tg.pressButton({
      chatId: h.chatId,
      messageId: progress!.messageId,
      from: ALICE,
      data: 'tentacle:cancel',
    });
    await h.tg.waitFor(
      () => String(h.tg.message(h.chatId, progress!.messageId)?.text).startsWith('cancelled'),
      {
        timeoutMs: 10_000,
        label: 'cancelled edit',
      },
    );
    const pid = h.spawns()[0]!.pid;
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('drops a cancelled queued prompt without running it', async () => {
    const h = await boot({ telegram: { session_mode: 'chat' } });
    const gate = join(h.dir, 'gate');
    h.send(`first [[fake:block=${gate}]]`);
    await h.tg.waitFor(() => h.spawns().length === 1, { label: 'first engine' });
    const second = h.send('second');
    const [placeholder] = await h.waitVisible('queued · codex');
    const query = h.tg.pressButton({
      chatId: h.chatId,
      messageId: placeholder!.messageId,
      from: ALICE,
      data: 'tentacle:cancel',
    });
    await h.tg.waitFor(() => h.tg.callbackAnswer(query) !== undefined, { label: 'toast' });
    expect(h.tg.callbackAnswer(query)).toMatchObject({ text: 'dropped from queue.' });
    await h.tg.waitFor(
      () => String(h.tg.message(h.chatId, placeholder!.messageId)?.text).startsWith('cancelled'),
      {
        label: 'placeholder cancelled',
      },
    );
    writeFileSync(gate, '');
    const third = h.send('third');
    await h.tg.waitFor(() => h.finalsFor(third.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'third final',
    });
    expect(h.spawns().map((s) => s.stdin ?? s.argv.at(-1))).not.toContain('second');
    expect(h.finalsFor(second.message_id)).toHaveLength(0);
  });

  it('answers /cancel without a reply, and a press on a finished run, with the catalogue texts', async () => {
    const h = await boot();
    const cancel = h.send('/cancel');
    await h.tg.waitFor(
      () => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === cancel.message_id),
      {
        label: '/cancel reply',
      },
    );
    expect(h.tg.chatLog(h.chatId).find((m) => m.fromBot && m.replyTo === cancel.message_id)?.text).toBe(
      'reply to the progress message to cancel.',
    );
    const done = h.send('quick');
    await h.tg.waitFor(() => h.finalsFor(done.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    const final = h.finalsFor(done.message_id)[0]!;
    const late = h.send('/cancel', { replyTo: final.messageId });
    await h.tg.waitFor(() => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === late.message_id), {
      label: 'late /cancel reply',
    });
    expect(h.tg.chatLog(h.chatId).find((m) => m.fromBot && m.replyTo === late.message_id)?.text).toBe(
      'nothing is currently running for that message.',
    );
  });
});
