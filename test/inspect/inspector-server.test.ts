import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createActorInspector } from '../../src/actors/inspection/inspector.ts';
import { InspectorServer } from '../../src/actors/inspection/inspector-server.ts';
import { LiveActors } from '../../src/actors/inspection/live-actors.ts';
import type { ChartNode } from '../../src/actors/inspection/statechart.ts';
import type { TopicRow } from '../../src/actors/inspection/topic-rows.ts';
import { TopicRuntime } from '../../src/actors/topic-runtime.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { openStore } from '../../src/store/store.ts';
import { job } from '../support/jobs.ts';
import { recordingEffects } from '../support/recording-effects.ts';
import { scriptedEngine } from '../support/scripted-engine.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOPIC = { topicKey: 'tg:1', chatId: 1, threadId: null };
const TOKEN = 'test-token-0123456789abcdef';

/** A runtime inspected into a live page server, with the scripted engine to play the engine's part. */
async function setUp(options: { idleEvictMs?: number } = {}) {
  const store = openStore(join(tempDir(), 'state.db'));
  const live = new LiveActors();
  const inspector = createActorInspector({ sinks: [live] });
  const engine = scriptedEngine({ bootId: 'boot-1' });
  const runtime = new TopicRuntime({
    store,
    logger: silentLogger(),
    bootId: 'boot-1',
    engineProcess: engine.logic,
    onRestart: 'resume',
    effects: recordingEffects().effects,
    idleEvictMs: options.idleEvictMs ?? 0,
    inspect: inspector.inspect,
  });
  const server = new InspectorServer({
    live,
    store,
    token: TOKEN,
    pushIntervalMs: 10,
    describe: () => ({ binding: 'web @main', engine: 'codex' }),
  });
  const url = await server.start();
  cleanups.push(
    () => store.close(),
    () => runtime.stop(),
    () => inspector.stop(),
    () => server.stop(),
  );
  runtime.start();
  return { store, runtime, engine, url, port: Number(new URL(url).port), inspector };
}

/** A GET with full control of the Host header (fetch does not allow setting it). */
function get(port: number, path: string, host = `127.0.0.1:${port}`) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.setTimeout(5_000, () => req.destroy(new Error(`GET ${path} timed out`)));
      req.end();
    },
  );
}

/** Lets the inspector's deferred conversion run and the server's push interval pass. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function waitFor<T>(probe: () => Promise<T | undefined>, label: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await settle();
  }
  throw new Error(`timed out waiting for ${label}`);
}

function stateIds(node: ChartNode): string[] {
  return [node.id, ...node.children.flatMap(stateIds)];
}

describe('the inspector page server', () => {
  it.each([
    ['no token', '/', undefined],
    ['a wrong token', '/test-token-0123456789abcdeX/api/state', undefined],
    ['a token prefix', '/test-token/api/state', undefined],
    ['a foreign Host header (DNS rebinding)', `/${TOKEN}/api/state`, 'evil.example:80'],
  ])('answers 404 to a request with %s', async (_name, path, host) => {
    const { port } = await setUp();
    const response = await get(port, path, host);
    expect(response.status).toBe(404);
    expect(response.body).toBe('');
  });

  it('serves the page from the package with a strict content security policy and no referrer', async () => {
    const { port } = await setUp();
    const page = await get(port, `/${TOKEN}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const script = await get(port, `/${TOKEN}/statechart.js`, `localhost:${port}`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await get(port, `/${TOKEN}/../package.json`)).status).toBe(404);
  });

  it('lists a running topic with its run, binding and queue, then idle after the final', async () => {
    const { port, runtime, engine } = await setUp();
    runtime.deliver(TOPIC, { type: 'TOPIC.PROMPT', job: job({ jobId: 'a', prompt: 'first' }), at: 5_000 });
    runtime.deliver(TOPIC, { type: 'TOPIC.PROMPT', job: job({ jobId: 'b', prompt: 'second' }), at: 5_001 });
    engine.runs[0]!.send({ type: 'ENGINE.SPAWNED', runId: 'a', pid: 4242, startTime: '1' });
    const running = await waitFor(async () => {
      const state = JSON.parse((await get(port, `/${TOKEN}/api/state`)).body) as { topics: TopicRow[] };
      const row = state.topics.find((t) => t.key === 'tg:1');
      return row?.run?.pid === 4242 ? row : undefined;
    }, 'a running row');
    expect(running).toMatchObject({
      live: true,
      state: 'running',
      statePath: expect.stringContaining('running.engine'),
      binding: 'web @main',
      engine: 'codex',
      queueLength: 1,
      queue: [{ jobId: 'b', engine: 'codex', prompt: 'second' }],
      run: { runId: 'a', engine: 'codex', prompt: 'first', startedAt: 5_000, engineActor: 'active' },
    });
    expect(running.lastEvents[0]).toMatchObject({ type: 'ENGINE.SPAWNED', summary: 'pid 4242' });
    engine.runs[0]!.finish('done a', 'T1');
    engine.runs[1]!.finish('done b', 'T1');
    const idle = await waitFor(async () => {
      const state = JSON.parse((await get(port, `/${TOKEN}/api/state`)).body) as { topics: TopicRow[] };
      const row = state.topics.find((t) => t.key === 'tg:1');
      return row?.state === 'idle' ? row : undefined;
    }, 'an idle row');
    expect(idle).toMatchObject({ run: null, queueLength: 0, session: 'T1', runsCompleted: 2 });
  });

  it('gives a topic’s statechart with the active states, its events and its transition history', async () => {
    const { port, runtime, engine } = await setUp();
    runtime.deliver(TOPIC, { type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    engine.runs[0]!.finish('the answer', 'T1');
    await settle();
    const response = await get(port, `/${TOKEN}/api/actor?key=${encodeURIComponent('tg:1')}`);
    const detail = JSON.parse(response.body) as {
      active: string[];
      chart: ChartNode;
      events: { type: string }[];
      history: { eventType: string; fromState: string; toState: string; snapshot: { value: unknown } }[];
    };
    expect(detail.chart.id).toBe('topic');
    const ids = stateIds(detail.chart);
    for (const state of ['idle', 'running', 'running.acquiring', 'running.engine', 'resuming']) {
      expect(ids.some((id) => id.endsWith(`.${state}`))).toBe(true);
    }
    expect(detail.active).toContain('topic');
    expect(detail.active.some((id) => id.endsWith('.idle'))).toBe(true);
    expect(detail.active.some((id) => id.includes('.running'))).toBe(false);
    expect(detail.events[0]?.type).toBe('ENGINE.COMPLETED');
    expect(detail.history.map((h) => [h.eventType, h.fromState, h.toState])).toEqual([
      ['ENGINE.COMPLETED', expect.stringContaining('running.engine'), expect.stringContaining('idle')],
      [
        'SESSION.GRANTED',
        expect.stringContaining('running.acquiring'),
        expect.stringContaining('running.engine'),
      ],
      ['TOPIC.PROMPT', expect.stringContaining('idle'), expect.stringContaining('running.acquiring')],
    ]);
    expect(JSON.stringify(detail.history[0]?.snapshot.value)).toContain('{"running":"engine"}');
    expect((await get(port, `/${TOKEN}/api/actor?key=tg:404`)).status).toBe(404);
  });

  it('keeps listing an evicted idle topic as stored, and serves its detail from SQLite', async () => {
    const { port, runtime, engine } = await setUp({ idleEvictMs: 20 });
    runtime.deliver(TOPIC, { type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    engine.runs[0]!.finish('the answer', 'T1');
    const stored = await waitFor(async () => {
      const state = JSON.parse((await get(port, `/${TOKEN}/api/state`)).body) as { topics: TopicRow[] };
      const row = state.topics.find((t) => t.key === 'tg:1');
      return row && !row.live ? row : undefined;
    }, 'the topic evicted');
    expect(runtime.aliveTopics()).toEqual([]);
    expect(stored).toMatchObject({ state: 'idle', live: false, runsCompleted: 1 });
    const detail = JSON.parse((await get(port, `/${TOKEN}/api/actor?key=tg:1`)).body) as {
      active: string[];
      history: unknown[];
      context: { runsCompleted: number };
    };
    expect(detail.active.some((id) => id.endsWith('.idle'))).toBe(true);
    expect(detail.history).toHaveLength(3);
    expect(detail.context.runsCompleted).toBe(1);
  });

  it('pushes changed rows to a connected page as server-sent events', async () => {
    const { runtime, url } = await setUp();
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    // The stream never ends by itself: a bounded signal keeps a missing push from hanging the test.
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]);
    const response = await fetch(`${url}events`, { signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      for (let i = 0; i < 200 && !text.includes(needle); i++) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return text.includes(needle);
    };
    expect(await readUntil('event: state')).toBe(true);
    runtime.deliver(TOPIC, { type: 'TOPIC.PROMPT', job: job({ jobId: 'a' }), at: 5_000 });
    expect(await readUntil('"state":"running"')).toBe(true);
    const pushed = text
      .split('\n\n')
      .find((block) => block.startsWith('event: rows') && block.includes('"state":"running"'));
    const data = JSON.parse(pushed!.split('\ndata: ')[1]!) as { topics: TopicRow[] };
    expect(data.topics.find((t) => t.key === 'tg:1')).toMatchObject({ state: 'running', live: true });
  });
});
