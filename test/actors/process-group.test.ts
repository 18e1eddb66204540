import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isProcessGroupAlive,
  isSameProcessAlive,
  parseProcStatStartTime,
  readProcessStartTime,
  terminateProcessGroup,
} from '../../src/actors/process-group.ts';

const started: number[] = [];
const tempDirs: string[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Leader {
  child: ChildProcess;
  pid: number;
  /** Resolves with the next stdout line (bounded). */
  nextLine(): Promise<string>;
}

/** Starts `node -e script` as the leader of its own process group. */
function spawnLeader(script: string): Leader {
  const child = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.pid === undefined) throw new Error('spawn failed');
  started.push(child.pid);
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  return {
    child,
    pid: child.pid,
    nextLine: () => {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return Promise.race([
        new Promise<string>((resolve) => waiters.push(resolve)),
        sleep(10_000).then(() => {
          throw new Error('no line from child within 10 s');
        }),
      ]);
    },
  };
}

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** A leader that starts a grandchild; the grandchild prints its pid once its handlers are installed. */
const SPAWN_GRANDCHILD = (trapInGrandchild: boolean) => `
  const { spawn } = require('node:child_process');
  spawn(process.execPath, ['-e', ${JSON.stringify(
    `${trapInGrandchild ? "process.on('SIGTERM', () => {});" : ''} console.log(process.pid); setInterval(() => {}, 1000);`,
  )}], { stdio: ['ignore', 'inherit', 'inherit'] });
  setInterval(() => {}, 1000);
`;

describe('readProcessStartTime', () => {
  it.each([
    ['a plain name', '42 (sleep) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10', '987654'],
    [
      'spaces and parentheses',
      '42 (a) (b c) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 31337 1000 10',
      '31337',
    ],
    [
      'a name that looks like fields',
      '7 () S 1 2 3 4) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 1 1',
      '555',
    ],
    ['a zombie', '42 (defunct) Z 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0', null],
    ['a truncated line', '42 (sleep) S 1 42 42', null],
    ['no name at all', 'garbage', null],
  ])('parses the start time from a stat line with %s', (_name, line, expected) => {
    expect(parseProcStatStartTime(line)).toBe(expected);
  });

  it('reads the start time of a live process whose command name has spaces and parentheses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-comm-'));
    tempDirs.push(dir);
    const weird = join(dir, 'we (ir) d) x');
    symlinkSync('/bin/sleep', weird);
    const child = spawn(weird, ['30'], { detached: true, stdio: 'ignore' });
    started.push(child.pid!);
    await waitUntil(() => readFileSync(`/proc/${child.pid}/stat`, 'utf8').includes('(we (ir) d) x)'), 'exec');

    const startTime = readProcessStartTime(child.pid!);
    const ownStart = readProcessStartTime(process.pid);
    const uptimeTicks = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100;
    expect(startTime).toMatch(/^\d+$/);
    // The child started after this test process and before now: a wrong field fails one of these.
    expect(Number(startTime)).toBeGreaterThanOrEqual(Number(ownStart));
    expect(Number(startTime)).toBeLessThanOrEqual(uptimeTicks + 100);
    expect(isSameProcessAlive(child.pid!, startTime!)).toBe(true);
    expect(isSameProcessAlive(child.pid!, String(Number(startTime) + 1))).toBe(false);
  });

  it('returns null for a process that is gone', async () => {
    const leader = spawnLeader('console.log("up")');
    await leader.nextLine();
    await waitUntil(() => leader.child.exitCode !== null, 'the child exits');
    expect(readProcessStartTime(leader.pid)).toBeNull();
  });
});

describe('terminateProcessGroup', () => {
  it('ends the leader and its grandchild with SIGTERM to the group', async () => {
    const leader = spawnLeader(SPAWN_GRANDCHILD(false));
    const grandchild = Number(await leader.nextLine());
    const startTime = readProcessStartTime(leader.pid);
    expect(readProcessStartTime(grandchild)).not.toBeNull();

    await expect(terminateProcessGroup(leader.pid, { startTime })).resolves.toBe('terminated');

    await waitUntil(() => readProcessStartTime(grandchild) === null, 'the grandchild is gone');
    expect(readProcessStartTime(leader.pid)).toBeNull();
    expect(isProcessGroupAlive(leader.pid)).toBe(false);
  });

  it.each([
    ['the leader', `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`],
    ['a grandchild', SPAWN_GRANDCHILD(true)],
  ])('sends SIGKILL after the grace period when %s ignores SIGTERM', async (_who, script) => {
    const leader = spawnLeader(script);
    const line = await leader.nextLine();
    const others = /^\d+$/.test(line) ? [Number(line)] : [];

    await expect(terminateProcessGroup(leader.pid, { graceMs: 300 })).resolves.toBe('killed');

    expect(isProcessGroupAlive(leader.pid)).toBe(false);
    for (const pid of others) await waitUntil(() => readProcessStartTime(pid) === null, `${pid} is gone`);
  });

  it('never signals a pid whose start time does not match (a reused pid)', async () => {
    const leader = spawnLeader(`
      process.on('SIGUSR1', () => console.log('pong'));
      console.log('ready');
      setInterval(() => {}, 1000);
    `);
    await leader.nextLine();
    const startTime = readProcessStartTime(leader.pid)!;

    await expect(
      terminateProcessGroup(leader.pid, { startTime: String(Number(startTime) + 1), graceMs: 100 }),
    ).resolves.toBe('gone');

    // A SIGTERM sent before this ping would have ended the process (default action) before it
    // could answer, so the answer proves nothing was sent.
    process.kill(leader.pid, 'SIGUSR1');
    await expect(leader.nextLine()).resolves.toBe('pong');
    expect(isSameProcessAlive(leader.pid, startTime)).toBe(true);
  });

  it('reports gone, without an error, for a group that no longer exists', async () => {
    const leader = spawnLeader('console.log("bye")');
    await leader.nextLine();
    const startTime = readProcessStartTime(leader.pid);
    await waitUntil(() => leader.child.exitCode !== null, 'the child exits');

    await expect(terminateProcessGroup(leader.pid, { startTime })).resolves.toBe('gone');
    await expect(terminateProcessGroup(leader.pid)).resolves.toBe('gone');
  });

  it('still ends the members of a group whose leader has already exited', async () => {
    const leader = spawnLeader(`${SPAWN_GRANDCHILD(false)}; setTimeout(() => process.exit(0), 50);`);
    const grandchild = Number(await leader.nextLine());
    const startTime = readProcessStartTime(leader.pid);
    await waitUntil(() => leader.child.exitCode !== null, 'the leader exits');
    expect(readProcessStartTime(grandchild)).not.toBeNull();

    await expect(terminateProcessGroup(leader.pid, { startTime })).resolves.toBe('terminated');
    await waitUntil(() => readProcessStartTime(grandchild) === null, 'the grandchild is gone');
  });
});
