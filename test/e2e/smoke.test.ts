import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('tentacle run', () => {
  it('answers a prompt with a progress message and a final answer with its resume line', async () => {
    harness = await BridgeHarness.create(tempDir());
    const { tg } = harness;
    await harness.start();
    const prompt = tg.sendUserMessage({ chatId: harness.chatId, from: ALICE, text: 'fix the tests' });
    const final = await tg.waitForCall(
      'sendMessage',
      (c) => String(c.params['text']).startsWith('done · codex'),
      { timeoutMs: 15_000, label: 'final' },
    );
    expect(
      final.params['reply_to_message_id'] ??
        (final.params['reply_parameters'] as { message_id?: number })?.message_id,
    ).toBe(prompt.message_id);
    expect(String(final.params['text'])).toContain('echo: fix the tests');
    expect(String(final.params['text'])).toMatch(/codex resume \S+/);
    // The progress message is gone once the final arrived (final-notify), whichever came first.
    await tg.waitFor(() => !tg.chatLog(harness!.chatId).some((m) => String(m.text).startsWith('starting')), {
      timeoutMs: 5_000,
      label: 'progress message deleted',
    });
    expect(tg.chatLog(harness.chatId).map((m) => String(m.text).split('\n')[0])).toEqual([
      '🐙 tentacle is ready',
      'fix the tests',
      expect.stringMatching(/^done · codex · \d+s/),
    ]);
  });
});
