import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseInspectFlag, setUpInspection } from '../../src/actors/inspection/run-inspection.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { openStore } from '../../src/store/store.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('--inspect', () => {
  it.each([
    [undefined, undefined],
    [false, undefined],
    [true, { kind: 'page', port: 0 }],
    ['', { kind: 'page', port: 0 }],
    ['4100', { kind: 'page', port: 4100 }],
    ['stately', { kind: 'stately' }],
  ])('reads %j as %j', (flag, expected) => {
    expect(parseInspectFlag(flag)).toEqual(expected);
  });

  it.each(['70000', 'abc', '-1', '80a'])('refuses %j with a message naming the flag', (flag) => {
    expect(() => parseInspectFlag(flag)).toThrow(ConfigError);
    expect(() => parseInspectFlag(flag)).toThrow(
      `--inspect: expected a port number or "stately", got "${flag}"`,
    );
  });

  it('attaches nothing when neither --inspect nor --inspect-log is given', () => {
    expect(setUpInspection({ logger: silentLogger() })).toBeUndefined();
  });

  it('prints the page URL with its token when the page starts', async () => {
    const printed: string[] = [];
    const inspection = setUpInspection({
      inspect: true,
      logger: silentLogger(),
      print: (l) => printed.push(l),
    })!;
    const store = openStore(join(tempDir(), 'state.db'));
    cleanups.push(
      () => store.close(),
      () => inspection.stop(),
    );
    await inspection.start(store);
    expect(printed).toEqual([
      expect.stringMatching(/^tentacle inspector: http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}\/$/),
    ]);
    const url = printed[0]!.split(': ')[1]!;
    const response = await fetch(`${url}api/state`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ supervisor: null, topics: [] });
  });

  it('reports a port it cannot listen on and lets the bridge go on', async () => {
    const printed: string[] = [];
    const first = setUpInspection({ inspect: true, logger: silentLogger(), print: (l) => printed.push(l) })!;
    const store = openStore(join(tempDir(), 'state.db'));
    cleanups.push(
      () => store.close(),
      () => first.stop(),
    );
    await first.start(store);
    const port = new URL(printed[0]!.split(': ')[1]!).port;
    const second = setUpInspection({ inspect: port, logger: silentLogger(), print: (l) => printed.push(l) })!;
    cleanups.push(() => second.stop());
    await expect(second.start(store)).resolves.toBeUndefined();
    expect(printed[1]).toMatch(/^tentacle inspector: could not start \(.*EADDRINUSE.*\)$/);
  });

  it('with "stately" serves Stately’s relay page, which embeds the online inspector', async () => {
    const printed: string[] = [];
    const inspection = setUpInspection({
      inspect: 'stately',
      logger: silentLogger(),
      print: (l) => printed.push(l),
    })!;
    const store = openStore(join(tempDir(), 'state.db'));
    cleanups.push(
      () => store.close(),
      () => inspection.stop(),
    );
    await inspection.start(store);
    const url = /open (http:\/\/localhost:\d+)/.exec(printed[0] ?? '')?.[1];
    expect(url).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://stately.ai/inspect');
  });
});

describe('--inspect-log', () => {
  it('appends to the file rather than replacing it', async () => {
    const file = join(tempDir(), 'logs', 'inspect.jsonl');
    for (let i = 0; i < 2; i++) {
      const inspection = setUpInspection({ inspectLog: file, logger: silentLogger() })!;
      const store = openStore(join(tempDir(), 'state.db'));
      await inspection.start(store);
      const { createActor, createMachine } = await import('xstate');
      const actor = createActor(createMachine({ id: `m${i}` }), { inspect: inspection.inspect });
      actor.start();
      actor.stop();
      await inspection.stop();
      store.close();
    }
    const names = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; name?: string })
      .filter((event) => event.type === '@xstate.actor')
      .map((event) => event.name);
    expect(names).toEqual(['m0', 'm1']);
  });
});
