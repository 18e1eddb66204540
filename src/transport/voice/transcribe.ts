/** An OpenAI-compatible transcription endpoint and what to send it. */
export interface TranscriptionRequest {
  /** Base URL without the trailing `/audio/transcriptions` (default OpenAI's `https://api.openai.com/v1`). */
  baseUrl: string;
  /** Bearer key; a local server may need none. */
  apiKey: string | undefined;
  model: string;
  audio: Uint8Array;
  /** The name the server sees: its extension tells the format (`voice.ogg` for Telegram voice notes). */
  fileName: string;
  mimeType: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  fetch?: typeof fetch | undefined;
}

export type TranscriptionResult = { ok: true; text: string } | { ok: false; error: string };

export const DEFAULT_TRANSCRIPTION_BASE_URL = 'https://api.openai.com/v1';
export const TRANSCRIPTION_FAILED = 'voice transcription failed';

/**
 * Transcribes audio with `POST <base>/audio/transcriptions` (multipart: `file`, `model`), the OpenAI
 * Audio API that local servers (whisper.cpp, faster-whisper, LocalAI…) also speak. A refusal returns
 * the server's own error message; a timeout or network failure says so.
 *
 * @example
 *   await transcribe({ baseUrl: 'http://127.0.0.1:8000/v1', apiKey: undefined, model: 'whisper-1',
 *     audio, fileName: 'voice.ogg', mimeType: 'audio/ogg', timeoutMs: 120_000 })
 *   // → { ok: true, text: 'fix the failing test' }
 */
export async function transcribe(request: TranscriptionRequest): Promise<TranscriptionResult> {
  const doFetch = request.fetch ?? globalThis.fetch;
  const url = `${request.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`;
  const form = new FormData();
  const bytes = new Uint8Array(request.audio.byteLength);
  bytes.set(request.audio);
  form.set('file', new Blob([bytes], { type: request.mimeType }), request.fileName);
  form.set('model', request.model);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  let body: string;
  try {
    response = await doFetch(url, {
      method: 'POST',
      body: form,
      headers: request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {},
      signal,
    });
    body = await response.text();
  } catch (error) {
    request.signal?.throwIfAborted();
    if (timeout.aborted) {
      return { ok: false, error: `${TRANSCRIPTION_FAILED}: no answer within ${request.timeoutMs / 1000} s` };
    }
    return { ok: false, error: `${TRANSCRIPTION_FAILED}: ${describe(error)}` };
  }
  const json = parseJson(body);
  if (!response.ok) {
    const message = errorMessage(json);
    return { ok: false, error: message ?? `${TRANSCRIPTION_FAILED} (HTTP ${response.status})` };
  }
  const text = typeof json === 'object' && json !== null ? (json as { text?: unknown }).text : undefined;
  if (typeof text === 'string') return { ok: true, text: text.trim() };
  // `response_format=text` servers answer with the bare transcript.
  if (json === undefined && body.trim() !== '') return { ok: true, text: body.trim() };
  return { ok: false, error: `${TRANSCRIPTION_FAILED}: the answer held no text` };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** `{ "error": { "message": "…" } }` (OpenAI) or `{ "error": "…" }` / `{ "detail": "…" }` (others). */
function errorMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { error, detail } = json as { error?: unknown; detail?: unknown };
  if (typeof error === 'string' && error.trim() !== '') return error.trim();
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
  }
  if (typeof detail === 'string' && detail.trim() !== '') return detail.trim();
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
