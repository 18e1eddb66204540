import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transcribe } from '../../../src/transport/voice/transcribe.ts';
import { FakeTranscriber } from '../../support/fake-transcriber.ts';

let stt: FakeTranscriber;
beforeEach(async () => {
  stt = await FakeTranscriber.start();
});
afterEach(async () => {
  await stt.stop();
});

const request = (overrides: Partial<Parameters<typeof transcribe>[0]> = {}) =>
  transcribe({
    baseUrl: stt.baseUrl,
    apiKey: 'sk-test',
    model: 'gpt-4o-mini-transcribe',
    audio: Buffer.from('fix the failing test'),
    fileName: 'voice.ogg',
    mimeType: 'audio/ogg',
    timeoutMs: 5000,
    ...overrides,
  });

describe('transcribe', () => {
  it('posts the audio as voice.ogg with the model and the key, and returns the text', async () => {
    expect(await request()).toEqual({ ok: true, text: 'fix the failing test' });
    expect(stt.calls).toEqual([
      {
        authorization: 'Bearer sk-test',
        model: 'gpt-4o-mini-transcribe',
        fileName: 'voice.ogg',
        mimeType: 'audio/ogg',
        bytes: Buffer.from('fix the failing test'),
      },
    ]);
  });

  it('sends no authorization header without a key, and accepts a trailing slash on the base URL', async () => {
    expect(await request({ apiKey: undefined, baseUrl: `${stt.baseUrl}/` })).toMatchObject({ ok: true });
    expect(stt.calls[0]?.authorization).toBeUndefined();
  });

  it.each([
    [
      { status: 401, json: { error: { message: 'Incorrect API key provided' } } },
      'Incorrect API key provided',
    ],
    [{ status: 400, json: { error: 'unsupported format' } }, 'unsupported format'],
    [{ status: 422, json: { detail: 'model not found' } }, 'model not found'],
    [{ status: 502, body: '<html>bad gateway</html>' }, 'voice transcription failed (HTTP 502)'],
    [{ status: 200, json: { segments: [] } }, 'voice transcription failed: the answer held no text'],
  ])('turns the answer %j into the reply %j', async (reply, error) => {
    stt.respondWith(reply);
    expect(await request()).toEqual({ ok: false, error });
  });

  it('reads a bare text answer as the transcript', async () => {
    stt.respondWith({ status: 200, body: '  spoken words \n' });
    expect(await request()).toEqual({ ok: true, text: 'spoken words' });
  });

  it('gives up after the timeout with a reply that says so', async () => {
    stt.respondWith(() => new Promise((resolve) => setTimeout(() => resolve({ text: 'late' }), 2000)));
    expect(await request({ timeoutMs: 200 })).toEqual({
      ok: false,
      error: 'voice transcription failed: no answer within 0.2 s',
    });
  });

  it('says the server could not be reached', async () => {
    const baseUrl = stt.baseUrl;
    await stt.stop();
    const result = await request({ baseUrl });
    expect(result.ok).toBe(false);
    expect((result as { error: string }).error).toMatch(
      /^voice transcription failed: fetch failed \(ECONNREFUSED\)$/,
    );
    stt = await FakeTranscriber.start();
  });
});
