import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor, setup } from 'xstate';
import {
  createEngineProcessLogic,
  type EngineProcessDeps,
  type EngineProcessEvent,
  type EngineProcessInput,
  formatDuration,
} from '../../src/actors/engine-process.actor.ts';
import { readProcessStartTime } from '../../src/actors/process-group.ts';
import type { EngineAdapter, EngineTranslator, RunRequest } from '../../src/engines/adapter.ts';
import type { EngineEvent } from '../../src/engines/events.ts';
import { fakeEnginePath, readFakeRecords } from '../support/fake-engine/index.ts';

const root = mkdtempSync(join(tmpdir(), 'engine-process-test-'));
const stateDir = join(root, 'state');
let counter = 0;
const fresh = (name: string) => join(root, `${++counter}-${name}`);
const actors: AnyActorRef[] = [];
const pids: number[] = [];

afterEach(async () => {
  for (const actor of actors.splice(0)) actor.stop();
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A test adapter over the fake `codex`: it speaks a small subset of codex's JSONL, and turns any
 * other JSON line into a note whose title is the raw line, so tests can see exactly which lines
 * arrived.
 */
function testAdapter(
  options: { env?: Record<string, string>; unsetEnv?: string[]; stdin?: boolean } = {},
): EngineAdapter {
  return {
    id: 'codex',
    binary: 'codex',
    installHint: 'npm install -g @openai/codex',
    supportsReasoning: false,
    resume: {
      format: (token) => `\`codex resume ${token}\``,
      extract: () => undefined,
      isResumeLine: () => false,
    },
    buildInvocation: (request: RunRequest) => ({
      command: 'codex',
      args:
        options.stdin === false
          ? ['exec', '--json', request.prompt]
          : ['exec', '--json', ...(request.resume ? ['resume', request.resume] : []), '-'],
      cwd: request.cwd,
      env: options.env ?? {},
      unsetEnv: options.unsetEnv ?? [],
      stdin: options.stdin === false ? undefined : request.prompt,
    }),
    createTranslator: (): EngineTranslator => {
      let answer = '';
      let lineNumber = 0;
      return {
        translateLine(line: string): EngineEvent[] {
          if (line.trim() === '') return [];
          lineNumber++;
          let json: Record<string, unknown>;
          try {
            json = JSON.parse(line);
          } catch {
            return [note(`line.${lineNumber}`, `invalid: ${line}`)];
          }
          const item = json['item'] as
            | { id: string; type: string; command?: string; text?: string }
            | undefined;
          switch (json['type']) {
            case 'turn.started':
              return [];
            case 'thread.started':
              return [
                {
                  type: 'started',
                  engine: 'codex',
                  resume: { engine: 'codex', value: String(json['thread_id']) },
                },
              ];
            case 'item.started':
            case 'item.completed':
              if (item?.type === 'agent_message') {
                answer = item.text ?? '';
                return [];
              }
              return [
                {
                  type: 'action',
                  engine: 'codex',
                  action: { id: item!.id, kind: 'command', title: item?.command ?? '', detail: {} },
                  phase: json['type'] === 'item.started' ? 'started' : 'completed',
                  ok: json['type'] === 'item.completed' ? true : null,
                },
              ];
            case 'turn.completed':
              return [
                { type: 'completed', engine: 'codex', ok: true, answer: String(json['answer'] ?? answer) },
              ];
            default:
              return [note(`line.${lineNumber}`, line)];
          }
        },
        finish: (exit) => [
          note('exit', `exited ${exit.code}`),
          {
            type: 'completed',
            engine: 'codex',
            ok: false,
            answer,
            error: [`test engine failed (rc=${exit.code}, signal=${exit.signal})`, ...exit.stderrTail].join(
              '\n',
            ),
          },
        ],
      };
    },
  };
}

function note(id: string, title: string): EngineEvent {
  return {
    type: 'action',
    engine: 'codex',
    action: { id, kind: 'note', title, detail: {} },
    phase: 'completed',
  };
}

type ParentEvent = EngineProcessEvent | { type: 'STOP' };

function parentMachine(events: EngineProcessEvent[], logic: ReturnType<typeof createEngineProcessLogic>) {
  return setup({
    actors: { engine: logic },
    types: {
      input: {} as EngineProcessInput,
      context: {} as { run: EngineProcessInput },
      events: {} as ParentEvent,
    },
    actions: { record: ({ event }) => void events.push(event as EngineProcessEvent) },
  }).createMachine({
    id: 'parent',
    context: ({ input }) => ({ run: input }),
    initial: 'running',
    on: { 'ENGINE.*': { actions: 'record' } },
    states: {
      running: {
        invoke: { id: 'engine', src: 'engine', input: ({ context }) => context.run },
        on: {
          'ENGINE.*': { actions: 'record' },
          'ENGINE.COMPLETED': { target: 'done', actions: 'record' },
          STOP: 'stopped',
        },
      },
      done: {},
      stopped: {},
    },
  });
}

interface Harness {
  events: EngineProcessEvent[];
  record: string;
  actor: AnyActorRef;
  waitFor<T extends EngineProcessEvent['type']>(
    type: T,
    predicate?: (event: Extract<EngineProcessEvent, { type: T }>) => boolean,
  ): Promise<Extract<EngineProcessEvent, { type: T }>>;
}

function baseDeps(record: string, overrides: Partial<EngineProcessDeps> = {}): EngineProcessDeps {
  return {
    bootId: 'boot-1',
    adapters: { codex: testAdapter() },
    env: {
      ...process.env,
      PATH: fakeEnginePath(),
      FAKE_ENGINE_RECORD: record,
      FAKE_ENGINE_STATE_DIR: stateDir,
    },
    ...overrides,
  };
}

function runInput(prompt: string, overrides: Partial<EngineProcessInput> = {}): EngineProcessInput {
  return {
    runId: `run-${++counter}`,
    engine: 'codex',
    bootId: 'boot-1',
    request: { prompt, cwd: root },
    ...overrides,
  };
}

function startHarness(
  prompt: string,
  options: { deps?: Partial<EngineProcessDeps>; input?: Partial<EngineProcessInput> } = {},
): Harness {
  const events: EngineProcessEvent[] = [];
  const record = fresh('record.jsonl');
  const logic = createEngineProcessLogic(baseDeps(record, options.deps));
  const machine = parentMachine(events, logic);
  const actor = createActor(machine, { input: runInput(prompt, options.input) });
  actors.push(actor);
  const harness: Harness = {
    events,
    record,
    actor,
    waitFor: async (type, predicate) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = events.find(
          (e): e is Extract<EngineProcessEvent, { type: typeof type }> =>
            e.type === type && (!predicate || predicate(e as never)),
        );
        if (found) return found as never;
        if (Date.now() > deadline)
          throw new Error(`no ${type} within 15 s; got ${events.map((e) => e.type).join(', ')}`);
        await sleep(10);
      }
    },
  };
  actor.start();
  const spawned = events.find((e) => e.type === 'ENGINE.SPAWNED');
  if (spawned?.type === 'ENGINE.SPAWNED') pids.push(spawned.pid);
  return harness;
}

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

describe('engine process actor: a run', () => {
  it('sends SPAWNED, STARTED and the actions in order, then exactly one COMPLETED, last, after the exit', async () => {
    const h = startHarness('hello');
    let exitedBeforeCompleted: boolean | undefined;
    h.actor.subscribe(() => {
      if (exitedBeforeCompleted === undefined && h.events.some((e) => e.type === 'ENGINE.COMPLETED')) {
        exitedBeforeCompleted = readFakeRecords(h.record).some((r) => r.kind === 'exit');
      }
    });
    const completed = await h.waitFor('ENGINE.COMPLETED');
    await sleep(100);

    expect(
      h.events.map((e) =>
        e.type === 'ENGINE.ACTION' ? `${e.type} ${e.event.action.id} ${e.event.phase}` : e.type,
      ),
    ).toEqual([
      'ENGINE.SPAWNED',
      'ENGINE.STARTED',
      'ENGINE.ACTION item_0 started',
      'ENGINE.ACTION item_0 completed',
      'ENGINE.COMPLETED',
    ]);
    expect(new Set(h.events.map((e) => e.runId))).toEqual(new Set([h.actor.getSnapshot().context.run.runId]));
    expect(completed.event).toMatchObject({ ok: true, answer: 'echo: hello' });
    expect(completed.exit).toEqual({ code: 0, signal: null, stderrTail: [] });
    expect(exitedBeforeCompleted).toBe(true);
  });

  it('reports a pid in SPAWNED whose start time matches the live process', async () => {
    const h = startHarness('[[fake:hang]]');
    const spawned = await h.waitFor('ENGINE.SPAWNED');
    await h.waitFor('ENGINE.STARTED');

    expect(readFakeRecords(h.record)[0]).toMatchObject({ kind: 'spawn', pid: spawned.pid });
    expect(spawned.startTime).toMatch(/^\d+$/);
    expect(readProcessStartTime(spawned.pid)).toBe(spawned.startTime);
  });

  it('delivers a last line that has no trailing newline', async () => {
    const file = fresh('no-newline.jsonl');
    writeFileSync(
      file,
      '{"type":"thread.started","thread_id":"t-1"}\n{"type":"turn.completed","answer":"from the last line"}',
    );
    const h = startHarness(`[[fake:replay=${file}]]`);

    const completed = await h.waitFor('ENGINE.COMPLETED');

    expect(completed.event).toMatchObject({ ok: true, answer: 'from the last line' });
  });

  it.each([
    ['writes the payload to stdin, then closes it', true, 'via stdin', ['exec', '--json', '-']],
    ['closes stdin at once when there is no payload', false, '', ['exec', '--json', 'via stdin']],
  ])('%s', async (_name, stdin, expectedStdin, argv) => {
    const h = startHarness('via stdin', { deps: { adapters: { codex: testAdapter({ stdin }) } } });
    await h.waitFor('ENGINE.COMPLETED');

    // An empty string means the fake read EOF; stdin left open would show as null.
    expect(readFakeRecords(h.record)[0]).toMatchObject({ kind: 'spawn', stdin: expectedStdin, argv });
  });

  it('removes unsetEnv from the inherited environment and adds the adapter env', async () => {
    const record = fresh('record.jsonl');
    const h = startHarness('env check', {
      deps: {
        adapters: {
          codex: testAdapter({
            env: { TENTACLE_ADDED: 'yes', FAKE_ENGINE_RECORD: record },
            unsetEnv: ['TENTACLE_DROPPED'],
          }),
        },
        env: {
          ...process.env,
          PATH: fakeEnginePath(),
          FAKE_ENGINE_STATE_DIR: stateDir,
          TENTACLE_DROPPED: 'x',
          TENTACLE_KEPT: 'y',
        },
      },
    });
    await h.waitFor('ENGINE.COMPLETED');

    const [spawn] = readFakeRecords(record);
    expect(spawn).toMatchObject({ kind: 'spawn', stdin: 'env check', cwd: root });
    expect(spawn?.kind === 'spawn' && spawn.env).toMatchObject({ TENTACLE_ADDED: 'yes', TENTACLE_KEPT: 'y' });
    expect(spawn?.kind === 'spawn' && spawn.env).not.toHaveProperty('TENTACLE_DROPPED');
  });

  it('passes many actions through in order, each once, with COMPLETED last', async () => {
    const h = startHarness('[[fake:flood=20000]]');
    await h.waitFor('ENGINE.COMPLETED');

    const floodIds = h.events.flatMap((e) =>
      e.type === 'ENGINE.ACTION' && e.event.action.id.startsWith('item_flood_') ? [e.event.action.id] : [],
    );
    expect(floodIds).toHaveLength(20000);
    expect(floodIds.every((id, i) => id === `item_flood_${i}`)).toBe(true);
    expect(h.events.at(-1)?.type).toBe('ENGINE.COMPLETED');
  });

  it('skips a line longer than the limit with a warning and keeps reading', async () => {
    const file = fresh('long-line.jsonl');
    writeFileSync(
      file,
      `{"type":"thread.started","thread_id":"t-2"}\n${'x'.repeat(300_000)}\n{"type":"after"}\n{"type":"turn.completed","answer":"ok"}\n`,
    );
    const h = startHarness(`[[fake:replay=${file}]]`, { deps: { maxLineBytes: 64 * 1024 } });
    const completed = await h.waitFor('ENGINE.COMPLETED');

    const titles = h.events.flatMap((e) => (e.type === 'ENGINE.ACTION' ? [e.event.action.title] : []));
    expect(titles).toEqual(['skipped a 293 KiB line from codex (limit 64 KiB)', '{"type":"after"}']);
    expect(completed.event.ok).toBe(true);
  });
});

describe('engine process actor: failures', () => {
  it('completes with "codex not found on PATH" and the install hint when the binary is missing', async () => {
    const empty = fresh('empty-bin');
    mkdirSync(empty);
    const h = startHarness('hello', { deps: { env: { PATH: empty } } });
    const completed = await h.waitFor('ENGINE.COMPLETED');

    expect(h.events).toHaveLength(1);
    expect(completed.event.ok).toBe(false);
    expect(completed.event.error).toMatch(/^codex not found on PATH\. .*npm install -g @openai\/codex/);
    expect(completed.exit).toBeUndefined();
  });

  it.each([
    ['no adapter for the engine', { deps: { adapters: {} } }, /no adapter is configured for engine codex/],
    [
      'a working directory that does not exist',
      { input: { request: { prompt: 'x', cwd: '/nonexistent/tentacle' } } },
      /working directory \/nonexistent\/tentacle does not exist/,
    ],
  ])('completes with ok:false, without spawning, for %s', async (_name, options, error) => {
    const h = startHarness('x', options as never);
    const completed = await h.waitFor('ENGINE.COMPLETED');

    expect(h.events.map((e) => e.type)).toEqual(['ENGINE.COMPLETED']);
    expect(completed.event.error).toMatch(error);
    expect(readFakeRecords(h.record)).toEqual([]);
  });

  it('applies the translator finish rules with the stderr tail when the engine exits non-zero', async () => {
    const h = startHarness('[[fake:crash]]');
    const completed = await h.waitFor('ENGINE.COMPLETED');

    expect(completed.exit).toMatchObject({ code: 1, signal: null });
    expect(completed.exit?.stderrTail).toEqual(
      ['fake codex: simulated crash in the middle of a tool call', 'at FakeEngine.run (fake-engine.mjs)'].map(
        (line, i) => (i === 1 ? `    ${line}` : line),
      ),
    );
    expect(completed.event.ok).toBe(false);
    expect(completed.event.error).toContain('test engine failed (rc=1, signal=null)');
    expect(completed.event.error).toContain('simulated crash');
    const last = h.events.slice(-2).map((e) => (e.type === 'ENGINE.ACTION' ? e.event.action.id : e.type));
    expect(last).toEqual(['exit', 'ENGINE.COMPLETED']);
  });

  it('keeps the final event of the stream when the exit code disagrees', async () => {
    const h = startHarness('[[fake:exit=3]]');
    const completed = await h.waitFor('ENGINE.COMPLETED');

    expect(completed.event).toMatchObject({ ok: true, answer: 'echo: ' });
    expect(completed.exit).toMatchObject({ code: 3 });
    expect(h.events.filter((e) => e.type === 'ENGINE.COMPLETED')).toHaveLength(1);
  });
});

describe('engine process actor: stop', () => {
  it('sends SIGTERM to the process group when stopped, and nothing more to the parent', async () => {
    const h = startHarness('[[fake:hang]]');
    const spawned = await h.waitFor('ENGINE.SPAWNED');
    await h.waitFor('ENGINE.ACTION');
    const before = h.events.length;

    h.actor.send({ type: 'STOP' });
    await waitUntil(() => readFakeRecords(h.record).some((r) => r.kind === 'exit'), 'the engine exits');
    await sleep(200);

    expect(readFakeRecords(h.record).map((r) => r.kind)).toEqual(['spawn', 'signal', 'exit']);
    expect(readFakeRecords(h.record)[1]).toMatchObject({ signal: 'SIGTERM', pid: spawned.pid });
    expect(h.events).toHaveLength(before);
    expect(h.actor.getSnapshot().value).toBe('stopped');
  });

  it('sends SIGKILL 2 s after SIGTERM to an engine that ignores SIGTERM', async () => {
    const h = startHarness('[[fake:hang]] [[fake:ignore-sigterm]]');
    const spawned = await h.waitFor('ENGINE.SPAWNED');
    await h.waitFor('ENGINE.ACTION');

    h.actor.send({ type: 'STOP' });
    await waitUntil(() => readFakeRecords(h.record).some((r) => r.kind === 'signal'), 'SIGTERM is recorded');
    expect(readProcessStartTime(spawned.pid)).toBe(spawned.startTime);
    await waitUntil(() => readProcessStartTime(spawned.pid) === null, 'the engine is killed', 6_000);

    // Killed: it never got to exit on its own.
    expect(readFakeRecords(h.record).map((r) => r.kind)).toEqual(['spawn', 'signal']);
    expect(h.events.some((e) => e.type === 'ENGINE.COMPLETED')).toBe(false);
  });
});

describe('engine process actor: restore', () => {
  it('reports LOST and spawns nothing when restored under a different boot', async () => {
    const events: EngineProcessEvent[] = [];
    const record = fresh('record.jsonl');
    const input = runInput('[[fake:hang]]');
    const first = createActor(parentMachine(events, createEngineProcessLogic(baseDeps(record))), { input });
    actors.push(first);
    first.start();
    await waitUntil(() => events.some((e) => e.type === 'ENGINE.STARTED'), 'the first boot runs');
    const persisted = first.getPersistedSnapshot();
    first.stop();
    await waitUntil(() => readFakeRecords(record).some((r) => r.kind === 'exit'), 'the first engine exits');
    events.length = 0;

    const secondBoot = parentMachine(
      events,
      createEngineProcessLogic(baseDeps(record, { bootId: 'boot-2' })),
    );
    const restored = createActor(secondBoot, { snapshot: persisted, input });
    actors.push(restored);
    restored.start();
    await waitUntil(() => events.length > 0, 'the restored instance reports');
    await sleep(300);

    expect(events).toEqual([{ type: 'ENGINE.LOST', runId: input.runId, at: expect.any(Number) }]);
    expect(restored.getSnapshot().value).toBe('running');
    expect(readFakeRecords(record).filter((r) => r.kind === 'spawn')).toHaveLength(1);
  });
});

describe('engine process actor: idle warning', () => {
  it('warns once when the engine stays silent, then completes normally', async () => {
    const gate = fresh('gate');
    const h = startHarness(`[[fake:block=${gate}]]`, { deps: { idleWarnSeconds: 0.1 } });
    await h.waitFor('ENGINE.ACTION', (e) => e.event.action.id === 'item_0' && e.event.phase === 'completed');
    // The engine now waits for the gate: one silent period, however long it lasts.
    const from = h.events.length;
    const isIdle = (e: EngineProcessEvent) =>
      e.type === 'ENGINE.ACTION' && e.event.action.id.includes('.idle.');
    await waitUntil(() => h.events.slice(from).some(isIdle), 'an idle warning');
    await sleep(600);

    const warnings = h.events.slice(from).filter(isIdle);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.type === 'ENGINE.ACTION' && warnings[0].event).toMatchObject({
      phase: 'completed',
      level: 'warning',
      action: { kind: 'warning', title: 'no output from codex for 100ms' },
    });
    writeFileSync(gate, '');
    const completed = await h.waitFor('ENGINE.COMPLETED');
    expect(completed.event.ok).toBe(true);
  });

  it('warns again only after output resumed and stopped again', async () => {
    // Every line of this script becomes an event, so output between warnings is visible.
    const file = fresh('slow.jsonl');
    writeFileSync(
      file,
      [
        '{"type":"thread.started","thread_id":"t-3"}',
        '{"type":"a"}',
        '{"type":"b"}',
        '{"type":"turn.completed"}',
        '',
      ].join('\n'),
    );
    const h = startHarness(`[[fake:replay=${file}]] [[fake:delay=400]]`, { deps: { idleWarnSeconds: 0.1 } });
    await h.waitFor('ENGINE.COMPLETED');

    const kinds = h.events.map((e) =>
      e.type === 'ENGINE.ACTION' && e.event.action.id.includes('.idle.') ? 'idle' : 'other',
    );
    expect(kinds.filter((k) => k === 'idle').length).toBeGreaterThanOrEqual(2);
    expect(kinds.some((k, i) => k === 'idle' && kinds[i - 1] === 'idle')).toBe(false);
    const ids = h.events.flatMap((e) =>
      e.type === 'ENGINE.ACTION' && e.event.action.id.includes('.idle.') ? [e.event.action.id] : [],
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not warn when idleWarnSeconds is 0', async () => {
    const h = startHarness('[[fake:delay=300]]', { deps: { idleWarnSeconds: 0 } });
    await h.waitFor('ENGINE.COMPLETED');

    expect(h.events.some((e) => e.type === 'ENGINE.ACTION' && e.event.action.id.includes('.idle.'))).toBe(
      false,
    );
  });

  it.each([
    [450, '450ms'],
    [45_000, '45s'],
    [600_000, '10m'],
    [90_000, '1m 30s'],
    [7_500_000, '2h 5m'],
  ])('formats %i ms of silence as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('engine process actor: cancel', () => {
  it('ends the process group on ENGINE.CANCEL and still completes once, after the exit', async () => {
    const events: EngineProcessEvent[] = [];
    const record = fresh('record.jsonl');
    const input = runInput('[[fake:hang]]');
    const actor = createActor(parentMachine(events, createEngineProcessLogic(baseDeps(record))), { input });
    actors.push(actor);
    actor.start();
    await waitUntil(() => events.some((e) => e.type === 'ENGINE.STARTED'), 'the engine runs');
    const child = actor.getSnapshot().children['engine'] as { send(event: { type: string }): void };
    child.send({ type: 'ENGINE.CANCEL' });
    await waitUntil(() => events.some((e) => e.type === 'ENGINE.COMPLETED'), 'the run completes');
    const records = readFakeRecords(record);
    expect(records.some((r) => r.kind === 'signal' && r.signal === 'SIGTERM')).toBe(true);
    const exitAt = records.find((r) => r.kind === 'exit')?.time ?? Number.POSITIVE_INFINITY;
    const completed = events.filter((e) => e.type === 'ENGINE.COMPLETED');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ event: { ok: false } });
    expect((completed[0] as { at: number }).at).toBeGreaterThanOrEqual(exitAt);
  });
});
