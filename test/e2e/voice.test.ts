import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { FakeTranscriber } from '../support/fake-transcriber.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
let stt: FakeTranscriber;
beforeEach(async () => {
  stt = await FakeTranscriber.start();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await stt.stop();
});

async function boot(telegram: Record<string, unknown> = {}) {
  harness = await BridgeHarness.create(tempDir(), {
    telegram: {
      voice_transcription: true,
      voice_transcription_base_url: stt.baseUrl,
      voice_transcription_api_key: 'sk-test-voice',
      ...telegram,
    },
  });
  await harness.start();
  return harness;
}

/** A voice note whose "audio" the fake transcriber reads back as `words`. */
function speak(h: BridgeHarness, words: string) {
  return h.tg.sendUserMessage({ chatId: h.chatId, from: ALICE, voice: { bytes: words } });
}

async function replyTo(h: BridgeHarness, messageId: number): Promise<string> {
  await h.tg.waitFor(() => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === messageId), {
    timeoutMs: 15_000,
    label: `a reply to message ${messageId}`,
  });
  return String(h.tg.chatLog(h.chatId).find((m) => m.fromBot && m.replyTo === messageId)!.text);
}

describe('voice notes end to end', () => {
  it('transcribes a voice note and runs it as a prompt marked as transcribed', async () => {
    const h = await boot();
    const note = speak(h, 'fix the failing test');
    await h.tg.waitFor(() => h.finalsFor(note.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.spawns().map((s) => [s.engine, s.stdin])).toEqual([
      ['codex', '(voice transcribed) fix the failing test'],
    ]);
    expect(stt.calls).toEqual([
      {
        authorization: 'Bearer sk-test-voice',
        model: 'gpt-4o-mini-transcribe',
        fileName: 'voice.ogg',
        mimeType: 'audio/ogg',
        bytes: Buffer.from('fix the failing test'),
      },
    ]);
  });

  it('reads directives spoken at the start of the transcript', async () => {
    const h = await boot();
    const note = speak(h, '/claude explain the build');
    await h.tg.waitFor(() => h.finalsFor(note.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    const spawns = h.spawns();
    expect(spawns.map((s) => s.engine)).toEqual(['claude']);
    expect(spawns[0]!.argv.at(-1)).toBe('(voice transcribed) explain the build');
  });

  it.each([
    [
      { status: 401, json: { error: { message: 'Incorrect API key provided' } } },
      'Incorrect API key provided',
    ],
    [{ status: 500, body: 'oops' }, 'voice transcription failed (HTTP 500)'],
  ])('replies with the transcription error %j and runs nothing', async (answer, error) => {
    const h = await boot();
    stt.respondWith(answer);
    const note = speak(h, 'anything');
    expect(await replyTo(h, note.message_id)).toBe(error);
    expect(h.spawns()).toEqual([]);
  });

  it('refuses a voice note over voice_max_bytes without transcribing it', async () => {
    const h = await boot({ voice_max_bytes: 8 });
    const note = speak(h, 'this note is longer than eight bytes');
    expect(await replyTo(h, note.message_id)).toBe('voice message is too large to transcribe.');
    expect(stt.calls).toEqual([]);
    expect(h.spawns()).toEqual([]);
  });

  it('answers with how to enable transcription when it is off', async () => {
    harness = await BridgeHarness.create(tempDir());
    await harness.start();
    const note = speak(harness, 'hello');
    expect(await replyTo(harness, note.message_id)).toBe(
      'voice transcription is disabled. enable it in config:\n\n[transports.telegram]\nvoice_transcription = true',
    );
    expect(stt.calls).toEqual([]);
  });
});
