import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { afterEach, describe, expect, it } from 'vitest';
import { InspectionLog } from '../../src/actors/inspection/inspection-log.ts';
import { createActorInspector } from '../../src/actors/inspection/inspector.ts';
import { cutString, sanitizeForInspection } from '../../src/actors/inspection/sanitize.ts';
import { statePath, TopicRuntime } from '../../src/actors/topic-runtime.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { job } from '../support/jobs.ts';
import { recordingEffects } from '../support/recording-effects.ts';
import { completed, scriptedEngine, started } from '../support/scripted-engine.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const BOT_TOKEN = '987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ';
const TOPIC = { topicKey: 'tg:1', chatId: 1, threadId: null };

/** One scripted run through a real runtime, inspected into a JSONL file; returns the parsed lines. */
async function inspectScriptedRun(): Promise<{ lines: StatelyInspectionEvent[]; text: string }> {
  const dir = tempDir();
  const logPath = join(dir, 'inspect', 'events.jsonl');
  const store: Store = openStore(join(dir, 'state.db'));
  const inspector = createActorInspector({ sinks: [new InspectionLog(logPath)] });
  const engine = scriptedEngine({ bootId: 'boot-1' });
  const runtime = new TopicRuntime({
    store,
    logger: silentLogger(),
    bootId: 'boot-1',
    engineProcess: engine.logic,
    onRestart: 'resume',
    effects: recordingEffects().effects,
    idleEvictMs: 0,
    inspect: inspector.inspect,
  });
  cleanups.push(() => store.close());
  runtime.start();
  const prompt = `deploy with ${BOT_TOKEN} ${'and then some more words '.repeat(200)}`;
  runtime.deliver(TOPIC, { type: 'TOPIC.PROMPT', job: job({ jobId: 'a', prompt }), at: 5_000 });
  const run = engine.runs[0]!;
  run.send({ type: 'ENGINE.SPAWNED', runId: 'a', pid: 4242, startTime: '1' });
  run.send({ type: 'ENGINE.STARTED', runId: 'a', event: started('codex', 'T1') });
  run.send({
    type: 'ENGINE.ACTION',
    runId: 'a',
    event: {
      type: 'action',
      engine: 'codex',
      phase: 'completed',
      action: {
        id: 'read-1',
        kind: 'tool',
        title: 'read src/app.ts',
        detail: { content: 'export const line = 1;\n'.repeat(500), path: 'src/app.ts' },
      },
    },
  });
  run.send({ type: 'ENGINE.COMPLETED', runId: 'a', event: completed('codex', 'A'.repeat(10_000), 'T1') });
  await inspector.stop();
  runtime.stop();
  const text = readFileSync(logPath, 'utf8');
  return {
    text,
    lines: text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as StatelyInspectionEvent),
  };
}

interface StateConfig {
  id?: string;
  states?: Record<string, StateConfig>;
}

/** Every state name declared in a machine definition, at any depth. */
function stateKeys(config: StateConfig): string[] {
  return Object.entries(config.states ?? {}).flatMap(([key, child]) => [key, ...stateKeys(child)]);
}

/** The first `@xstate.event` line carrying an event of this type. */
function findEvent<T>(lines: StatelyInspectionEvent[], type: string): T {
  const line = lines.find((l) => l.type === '@xstate.event' && l.event.type === type);
  if (line?.type !== '@xstate.event') throw new Error(`no ${type} event`);
  return line.event as unknown as T;
}

describe('the actor inspector', () => {
  it('writes one line per actor, event and snapshot in Stately’s inspection format, and no microsteps', async () => {
    const { lines } = await inspectScriptedRun();
    expect(new Set(lines.map((l) => l.type))).toEqual(
      new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']),
    );
    for (const line of lines) {
      expect(line).toMatchObject({ sessionId: expect.any(String), _version: expect.any(String) });
      expect(Number(line.createdAt)).toBeGreaterThan(0);
    }
    const actors = lines.filter((l) => l.type === '@xstate.actor');
    expect(actors.slice(0, 2).map((a) => a.name)).toEqual(['supervisor', 'tg:1']);
    expect(actors.map((a) => a.name)).toContain('engine');
    const topicActor = actors[1]!;
    expect(topicActor.parentId).toBe(actors[0]!.sessionId);
    const definition = JSON.parse(topicActor.definition ?? '{}') as StateConfig;
    expect(definition.id).toBe('topic');
    expect(stateKeys(definition)).toEqual(
      expect.arrayContaining(['idle', 'running', 'acquiring', 'engine', 'resuming']),
    );
  });

  it('shows the topic’s events in order and the states it went through', async () => {
    const { lines } = await inspectScriptedRun();
    const topicSession = lines.find((l) => l.type === '@xstate.actor' && l.name === 'tg:1')!.sessionId;
    const events = lines
      .filter((l) => l.type === '@xstate.event' && l.sessionId === topicSession)
      .map((l) => (l as { event: { type: string } }).event.type);
    expect(events).toEqual([
      'xstate.init',
      'TOPIC.ATTACH',
      'TOPIC.PROMPT',
      'SESSION.GRANTED',
      'ENGINE.SPAWNED',
      'ENGINE.STARTED',
      'ENGINE.ACTION',
      'ENGINE.COMPLETED',
    ]);
    const states = lines
      .filter((l) => l.type === '@xstate.snapshot' && l.sessionId === topicSession)
      .map((l) => statePath((l as { snapshot: { value: unknown } }).snapshot.value));
    expect(states.filter((s, i) => s !== states[i - 1])).toEqual([
      expect.stringContaining('idle'),
      expect.stringContaining('running.acquiring'),
      expect.stringContaining('running.engine'),
      expect.stringContaining('idle'),
    ]);
  });

  it('redacts bot tokens, replaces file contents by their size and cuts long prompts and answers', async () => {
    const { lines, text } = await inspectScriptedRun();
    expect(text).not.toContain(BOT_TOKEN);
    expect(text).not.toContain('export const line = 1;');
    expect(text).not.toContain('A'.repeat(241));
    expect(text).toContain('[REDACTED]');
    const action = findEvent<{ event: { action: { detail: object } } }>(lines, 'ENGINE.ACTION');
    expect(action.event.action.detail).toEqual({
      content: `[file contents: ${'export const line = 1;\n'.length * 500} chars]`,
      path: 'src/app.ts',
    });
    const prompt = findEvent<{ job: { prompt: string } }>(lines, 'TOPIC.PROMPT');
    expect(prompt.job.prompt).toMatch(/^deploy with \[REDACTED\] and then .*… \[\+\d+ chars\]$/);
    expect(prompt.job.prompt.length).toBeLessThan(300);
    for (const line of text.split('\n')) expect(line.length).toBeLessThan(20_000);
  });
});

describe('sanitizeForInspection', () => {
  it.each([
    ['a short string', 'hello', 'hello'],
    ['a bot token inside text', `token ${BOT_TOKEN} leaked`, 'token [REDACTED] leaked'],
    [
      'a credential by name',
      { api_key: 'sk-123', apiKey: 'x', password: 'p' },
      { api_key: '[REDACTED]', apiKey: '[REDACTED]', password: '[REDACTED]' },
    ],
    ['an environment', { env: { HOME: '/root' } }, { env: '[REDACTED]' }],
    ['file contents', { contents: 'x'.repeat(100) }, { contents: '[file contents: 100 chars]' }],
    ['a short data field', { data: 'cancel:12' }, { data: 'cancel:12' }],
    ['bytes', { raw: new Uint8Array(10) }, { raw: '[10 bytes]' }],
    [
      'a long transcript',
      { lines: Array.from({ length: 25 }, (_, i) => i) },
      { lines: ['[… 5 earlier items]', ...Array.from({ length: 20 }, (_, i) => i + 5)] },
    ],
    [
      'an engine session token',
      { resumeToken: 'T1', sessions: { codex: { token: 'T2' } } },
      { resumeToken: 'T1', sessions: { codex: { token: 'T2' } } },
    ],
    [
      'an actor reference',
      { ref: { toJSON: () => ({ xstate$$type: 1, id: 'engine' }) } },
      { ref: { xstate$$type: 1, id: 'engine' } },
    ],
  ])('keeps %s as it should be shown', (_name, input, expected) => {
    expect(sanitizeForInspection(input)).toEqual(expected);
  });

  it('bounds cycles and depth', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    expect(sanitizeForInspection(cyclic)).toEqual({ name: 'loop', self: '[circular]' });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { down: deep };
    expect(JSON.stringify(sanitizeForInspection(deep))).toContain('"[…]"');
  });

  it('cuts after redacting, so a cut never leaves part of a token behind', () => {
    expect(cutString(`${BOT_TOKEN}`, 12)).toBe('[REDACTED]');
    expect(cutString(`xx ${BOT_TOKEN}`, 5)).toBe('xx [R… [+8 chars]');
  });
});
