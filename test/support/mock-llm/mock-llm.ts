import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessages, countTokens, estimateTokens } from './anthropic-messages.ts';
import { openAiChat } from './openai-chat.ts';
import { openAiResponses } from './openai-responses.ts';
import { asRecord, decideReply } from './reply.ts';
import type { RenderContext, SseFrame, WireApi } from './wire-api.ts';

export interface MockLlmOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Delay between the frames of a `MOCK_SLOW` answer. Default 500 ms (about 12 s in all). */
  slowFrameMs?: number;
  /** The server stops by itself after this long. Default 1800 s. */
  maxSeconds?: number;
  /** The server stops by itself after answering this many requests. Default 500. */
  maxRequests?: number;
  /** Append one JSON line per request to this file. */
  logFile?: string;
  /** Include the request bodies in the log lines. */
  logBodies?: boolean;
}

/** One request as the mock received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** Path with the query string, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text when it is not JSON; null when empty. */
  body: unknown;
  /** The wire API that answered, when the route is one of the chat APIs. */
  api?: WireApi['name'] | undefined;
  /** The HTTP status the mock answered with. */
  status: number;
}

/**
 * A stateless fake LLM server on 127.0.0.1 speaking Anthropic Messages, OpenAI Responses and OpenAI
 * Chat Completions (streamed or not), for driving the real agent CLIs offline.
 *
 * The answer depends only on the request: the last item is a tool result → `tool said: <output>`;
 * the latest user text contains `MOCK_HTTP_<code>` → that HTTP error; `MOCK_SLOW` → a long answer
 * streamed slowly; `USE_TOOL` → one call of the request's own shell tool running `echo hi`;
 * otherwise `hello from mock (user turns seen: N)`.
 *
 * @example
 * const llm = await MockLlm.start();
 * // point a CLI at llm.url (e.g. ANTHROPIC_BASE_URL=llm.url, or `${llm.url}/v1` for OpenAI clients)
 * expect(llm.requests.map((r) => r.path)).toContain('/v1/messages');
 * await llm.stop();
 */
export class MockLlm {
  readonly url: string;
  readonly port: number;
  /** Resolves once the server has stopped, by `stop()` or by reaching its lifetime bounds. */
  readonly stopped: Promise<void>;
  readonly #server: Server;
  readonly #options: Required<Omit<MockLlmOptions, 'logFile' | 'port'>> & { logFile?: string | undefined };
  readonly #requests: RecordedRequest[] = [];
  readonly #listeners = new Set<(request: RecordedRequest) => void>();
  readonly #inFlight = new Set<AbortController>();
  #served = 0;
  #nextId = 1;
  #stopping = false;
  #resolveStopped!: () => void;

  private constructor(server: Server, options: MockLlmOptions) {
    this.#server = server;
    this.#options = {
      slowFrameMs: options.slowFrameMs ?? 500,
      maxSeconds: options.maxSeconds ?? 1800,
      maxRequests: options.maxRequests ?? 500,
      logFile: options.logFile,
      logBodies: options.logBodies ?? false,
    };
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    server.on('request', (req, res) => void this.#handle(req, res));
    setTimeout(() => void this.stop(), this.#options.maxSeconds * 1000).unref();
  }

  /** Starts a server listening on 127.0.0.1 and resolves once it accepts connections. */
  static async start(options: MockLlmOptions = {}): Promise<MockLlm> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return new MockLlm(server, options);
  }

  /** Every request received so far, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** The requests to the chat routes (messages, responses, chat completions), oldest first. */
  get chatRequests(): readonly RecordedRequest[] {
    return this.#requests.filter((r) => r.api !== undefined);
  }

  /** Forgets the recorded requests (not the lifetime counters). */
  clear(): void {
    this.#requests.length = 0;
  }

  /** Resolves with the first recorded request (past or future) that matches, or rejects after `timeoutMs`. */
  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    const seen = this.#requests.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const listener = (request: RecordedRequest) => {
        if (!match(request)) return;
        this.#listeners.delete(listener);
        clearTimeout(timer);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        const paths = this.#requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
        reject(new Error(`mock LLM: no matching request within ${timeoutMs} ms (seen: ${paths})`));
      }, timeoutMs);
      this.#listeners.add(listener);
    });
  }

  /** Stops listening, ends open streams and closes every connection. */
  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      for (const controller of this.#inFlight) controller.abort();
      this.#server.close(() => this.#resolveStopped());
      this.#server.closeAllConnections();
    }
    await this.stopped;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    res.on('close', () => {
      controller.abort();
      this.#inFlight.delete(controller);
    });
    const raw = await readBody(req);
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      url,
      headers: req.headers,
      body: parseBody(raw),
      status: 200,
    };
    this.#served += 1;
    if (this.#served >= this.#options.maxRequests) res.on('close', () => void this.stop());
    try {
      await this.#route(record, res, controller.signal);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error' } });
      else res.destroy();
    }
    this.#log(record);
  }

  async #route(record: RecordedRequest, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const { method, path } = record;
    const body = asRecord(record.body);
    const remember = (status: number, api?: WireApi['name']) => {
      record.status = status;
      record.api = api;
      this.#requests.push(record);
      for (const listener of [...this.#listeners]) listener(record);
    };
    if (method === 'HEAD') {
      remember(200);
      res.writeHead(200).end();
      return;
    }
    if (method === 'GET' && path.endsWith('/models')) {
      remember(200);
      sendJson(res, 200, modelList());
      return;
    }
    if (method === 'POST' && path.endsWith('/messages/count_tokens')) {
      remember(200);
      sendJson(res, 200, countTokens(body));
      return;
    }
    const api = method === 'POST' ? apiFor(path) : undefined;
    if (!api) {
      remember(404);
      sendJson(res, 404, {
        error: { message: `mock LLM: no route for ${method} ${path}`, type: 'not_found' },
      });
      return;
    }
    const reply = decideReply(api.read(body));
    if (reply.kind === 'error') {
      remember(reply.status, api.name);
      sendJson(res, reply.status, api.error(reply.status));
      return;
    }
    remember(200, api.name);
    const ctx: RenderContext = {
      model: typeof body.model === 'string' ? body.model : 'mock-model',
      id: `mock${String(this.#nextId++).padStart(6, '0')}`,
      inputTokens: estimateTokens(body),
      createdAt: Math.floor(Date.now() / 1000),
    };
    if (body.stream === true) await this.#stream(res, api.stream(reply, ctx), signal);
    else sendJson(res, 200, api.complete(reply, ctx));
  }

  async #stream(res: ServerResponse, frames: SseFrame[], signal: AbortSignal): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const lastPause = frames.findLastIndex((f) => f.pauseAfter);
    for (const [index, f] of frames.entries()) {
      if (signal.aborted) return;
      res.write(`${f.event ? `event: ${f.event}\n` : ''}data: ${f.data}\n\n`);
      if (f.pauseAfter && index < lastPause) await sleep(this.#options.slowFrameMs, signal);
    }
    if (!signal.aborted) res.end();
  }

  #log(record: RecordedRequest): void {
    if (!this.#options.logFile) return;
    const { headers: _headers, body, ...rest } = record;
    const line = { time: new Date().toISOString(), ...rest, ...(this.#options.logBodies ? { body } : {}) };
    appendFileSync(this.#options.logFile, `${JSON.stringify(line)}\n`);
  }
}

function apiFor(path: string): WireApi | undefined {
  if (path.endsWith('/messages')) return anthropicMessages;
  if (path.endsWith('/responses')) return openAiResponses;
  if (path.endsWith('/chat/completions')) return openAiChat;
  return undefined;
}

/** A model list readable as both OpenAI's (`object`, `data[].id`) and Anthropic's (`has_more`) shape. */
function modelList() {
  const ids = ['mock-model', 'gpt-5.5', 'claude-sonnet-4-5'];
  return {
    object: 'list',
    data: ids.map((id) => ({
      id,
      object: 'model',
      type: 'model',
      display_name: id,
      created: 1_700_000_000,
      created_at: '2023-11-14T22:13:20Z',
      owned_by: 'mock',
    })),
    has_more: false,
    first_id: ids[0],
    last_id: ids.at(-1),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
