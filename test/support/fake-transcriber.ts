import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `POST /v1/audio/transcriptions` the fake received. */
export interface TranscriptionCall {
  authorization: string | undefined;
  model: string | undefined;
  fileName: string | undefined;
  mimeType: string | undefined;
  bytes: Buffer;
}

/** What the fake answers: a transcript, or an HTTP status with a JSON or text body. */
export type TranscriberReply = { text: string } | { status: number; json?: unknown; body?: string };

/**
 * An OpenAI-compatible transcription server on 127.0.0.1 (a random port). By default the transcript
 * is the audio bytes read as UTF-8, so a test "speaks" by sending the words as the voice file:
 *
 * @example
 * const stt = await FakeTranscriber.start();
 * // config: voice_transcription_base_url = stt.baseUrl
 * tg.sendUserMessage({ chatId, from, voice: { bytes: '/claude fix the tests' } });
 * expect(stt.calls[0]).toMatchObject({ model: 'gpt-4o-mini-transcribe', fileName: 'voice.ogg' });
 * await stt.stop();
 */
export class FakeTranscriber {
  readonly calls: TranscriptionCall[] = [];
  #reply: (call: TranscriptionCall) => TranscriberReply | Promise<TranscriberReply> = (call) => ({
    text: call.bytes.toString('utf8'),
  });

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeTranscriber> {
    let fake: FakeTranscriber | undefined;
    const server = createServer((req, res) => {
      void fake!.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeTranscriber(server, `http://127.0.0.1:${port}/v1`);
    return fake;
  }

  /** Sets how later requests are answered. */
  respondWith(
    reply: TranscriberReply | ((call: TranscriptionCall) => TranscriberReply | Promise<TranscriberReply>),
  ) {
    this.#reply = typeof reply === 'function' ? reply : () => reply;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const form = await new Response(Buffer.concat(chunks), {
      headers: { 'content-type': String(req.headers['content-type'] ?? '') },
    }).formData();
    const file = form.get('file');
    const model = form.get('model');
    const call: TranscriptionCall = {
      authorization: req.headers.authorization,
      model: typeof model === 'string' ? model : undefined,
      fileName: file instanceof Blob ? (file as File).name : undefined,
      mimeType: file instanceof Blob ? file.type : undefined,
      bytes: file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0),
    };
    this.calls.push(call);
    const reply = await this.#reply(call);
    if ('text' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: reply.text }));
      return;
    }
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
    res.writeHead(reply.status, {
      'content-type': reply.json !== undefined ? 'application/json' : 'text/plain',
    });
    res.end(body);
  }
}
