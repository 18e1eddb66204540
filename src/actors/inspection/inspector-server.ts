import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../logging/logger.ts';
import { supervisorMachine } from '../../machines/supervisor.machine.ts';
import { topicMachine } from '../../machines/topic.machine.ts';
import type { Store } from '../../store/store.ts';
import type { LiveActors } from './live-actors.ts';
import { sanitizeForInspection } from './sanitize.ts';
import { activeStateIds, type ChartNode, chartOf } from './statechart.ts';
import { type DescribeTopic, supervisorRow, type TopicRow, topicRow } from './topic-rows.ts';

/** The page's files: served from the package as they are (no build step, nothing from a CDN). */
export const INSPECT_UI_DIR = fileURLToPath(new URL('../../inspect-ui/', import.meta.url));

const ASSETS: Record<string, string> = {
  '': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'statechart.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** The list stops adding idle topics known only from SQLite past this many rows. */
const STORED_ROWS_SHOWN = 500;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  // The token is in the URL: it must not leave in a Referer header.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
};

export interface InspectorServerOptions {
  live: LiveActors;
  store: Store;
  /** A topic's binding and default engine (prefs). */
  describe?: DescribeTopic;
  /** 0 (default) lets the system pick a free port. */
  port?: number;
  /** The secret path segment; random (24 bytes) by default. */
  token?: string;
  /** Transitions of the topic history shown on the page. */
  historyLimit?: number;
  /** Changes are pushed at most this often (ms). */
  pushIntervalMs?: number;
  logger?: Logger;
  uiDir?: string;
}

/** What `GET api/actor?key=…` returns: everything the detail panel draws. */
export interface ActorDetail {
  key: string;
  kind: 'supervisor' | 'topic';
  now: number;
  row: unknown;
  value: unknown;
  context: unknown;
  chart: ChartNode;
  active: string[];
  events: unknown[];
  history: unknown[];
}

/**
 * The live inspector page on 127.0.0.1: a list of the supervisor and every topic, pushed over
 * server-sent events as they change, and per actor its statechart, recent events and (for topics)
 * the transition history stored in SQLite. Every path starts with an unguessable token, and only
 * `127.0.0.1`/`localhost` Host headers are answered (no DNS rebinding).
 *
 * @example
 *   const server = new InspectorServer({ live, store });
 *   const url = await server.start(); // http://127.0.0.1:43121/3q2…/
 *   await server.stop();
 */
export class InspectorServer {
  readonly #o: InspectorServerOptions;
  readonly #token: string;
  readonly #server: Server;
  readonly #clients = new Set<ServerResponse>();
  readonly #dirty = new Set<string>();
  readonly #charts = { topic: chartOf(topicMachine), supervisor: chartOf(supervisorMachine) };
  #flushTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #port = 0;

  constructor(options: InspectorServerOptions) {
    this.#o = options;
    this.#token = options.token ?? randomBytes(24).toString('base64url');
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        options.logger?.error({ err: error }, 'inspector: request failed');
        if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS);
        res.end();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/${this.#token}/`;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.port ?? 0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#unsubscribe = this.#o.live.onChange((key) => this.#markDirty(key));
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) client.write(': ping\n\n');
    }, 15_000);
    this.#heartbeat.unref();
    return this.url;
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    clearInterval(this.#heartbeat);
    clearTimeout(this.#flushTimer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, first = '', ...rest] = url.pathname.split('/');
    if (!this.#hostAllowed(req.headers.host) || !this.#tokenMatches(first)) {
      res.writeHead(404, SECURITY_HEADERS).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD' }).end();
      return;
    }
    if (rest.length === 0) {
      res.writeHead(308, { ...SECURITY_HEADERS, location: `/${this.#token}/` }).end();
      return;
    }
    const path = rest.join('/');
    if (path === 'events') return this.#openStream(res);
    if (path === 'api/state') return sendJson(res, this.#state());
    if (path === 'api/actor') {
      const detail = this.#detail(url.searchParams.get('key') ?? '');
      if (!detail) return sendJson(res, { error: 'no such actor' }, 404);
      return sendJson(res, detail);
    }
    const type = ASSETS[path];
    if (type === undefined) {
      res.writeHead(404, SECURITY_HEADERS).end();
      return;
    }
    const body = await readFile(`${this.#o.uiDir ?? INSPECT_UI_DIR}${path === '' ? 'index.html' : path}`);
    res
      .writeHead(200, { ...SECURITY_HEADERS, 'content-type': type })
      .end(req.method === 'HEAD' ? undefined : body);
  }

  #hostAllowed(host: string | undefined): boolean {
    return host === `127.0.0.1:${this.#port}` || host === `localhost:${this.#port}`;
  }

  #tokenMatches(candidate: string): boolean {
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.#token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Every row: the supervisor, live topics, then topics known only from SQLite. */
  #state() {
    const live = this.#o.live;
    const supervisor = live.get('supervisor');
    const topics: TopicRow[] = [];
    const seen = new Set<string>();
    for (const actor of live.list()) {
      if (actor.kind !== 'topic') continue;
      seen.add(actor.key);
      topics.push(topicRow(actor.key, actor, undefined, this.#o.describe));
    }
    let storedOmitted = 0;
    for (const { topicKey, state } of this.#o.store.topics.states()) {
      if (seen.has(topicKey)) continue;
      // Busy (non-idle) stored topics always show; idle ones only up to a bound.
      if (state === 'idle' && topics.length >= STORED_ROWS_SHOWN) {
        storedOmitted += 1;
        continue;
      }
      topics.push(topicRow(topicKey, undefined, { state }, this.#o.describe));
    }
    return {
      now: Date.now(),
      supervisor: supervisor ? supervisorRow(supervisor) : null,
      topics,
      storedOmitted,
    };
  }

  #detail(key: string): ActorDetail | undefined {
    const actor = this.#o.live.get(key);
    const events = [...(actor?.events ?? [])].reverse();
    if (key === 'supervisor') {
      if (!actor) return undefined;
      return {
        key,
        kind: 'supervisor',
        now: Date.now(),
        row: supervisorRow(actor),
        value: actor.value,
        context: actor.context,
        chart: this.#charts.supervisor,
        active: activeStateIds(this.#charts.supervisor.id, actor.value),
        events,
        history: [],
      };
    }
    const stored = this.#o.store.topics.load(key);
    if (!actor && !stored) return undefined;
    const storedSnapshot = (stored?.snapshot ?? {}) as { value?: unknown; context?: unknown };
    const value = actor ? actor.value : storedSnapshot.value;
    const context = actor ? actor.context : sanitizeForInspection(storedSnapshot.context);
    const history = this.#o.store.topicHistory.recent(key, this.#o.historyLimit ?? 20).map((t) => {
      const snapshot = (t.snapshot ?? {}) as { value?: unknown; context?: unknown; status?: unknown };
      return {
        at: t.at,
        eventType: t.eventType,
        fromState: t.fromState,
        toState: t.toState,
        snapshot: sanitizeForInspection({
          status: snapshot.status,
          value: snapshot.value,
          context: snapshot.context,
        }),
      };
    });
    const fallback = stored ? { state: stored.state, updatedAt: stored.updatedAt } : undefined;
    return {
      key,
      kind: 'topic',
      now: Date.now(),
      row: topicRow(key, actor, fallback, this.#o.describe),
      value,
      context,
      chart: this.#charts.topic,
      active: activeStateIds(this.#charts.topic.id, value),
      events,
      history,
    };
  }

  #openStream(res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write(`event: state\ndata: ${JSON.stringify(this.#state())}\n\n`);
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  #markDirty(key: string): void {
    this.#dirty.add(key);
    // A burst of engine events becomes one push per interval.
    this.#flushTimer ??= setTimeout(() => this.#flush(), this.#o.pushIntervalMs ?? 200);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    if (this.#clients.size === 0) return;
    const live = this.#o.live;
    const supervisor = keys.includes('supervisor') ? live.get('supervisor') : undefined;
    const topics = keys
      .filter((key) => key !== 'supervisor')
      .map((key) => topicRow(key, live.get(key), undefined, this.#o.describe));
    const payload = JSON.stringify({
      now: Date.now(),
      supervisor: supervisor ? supervisorRow(supervisor) : undefined,
      topics,
    });
    for (const client of this.#clients) client.write(`event: rows\ndata: ${payload}\n\n`);
  }
}

function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  res
    .writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));
}
