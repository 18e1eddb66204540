import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { initialProgress } from '../../src/engines/progress-state.ts';
import type { InFlightRun, TopicContext } from '../../src/machines/topic.types.ts';
import { readMigrations } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { job } from '../support/jobs.ts';
import { REPO_ROOT, runTentacle, TENTACLE_BIN } from '../support/run-cli.ts';

const TOKEN = '123456:TEST-token';
const LATEST = readMigrations().at(-1)?.version;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function home(): { home: string; configPath: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tentacle-status-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.tentacle'));
  const configPath = join(dir, '.tentacle', 'tentacle.toml');
  writeFileSync(configPath, `[transports.telegram]\nbot_token = "${TOKEN}"\nchat_id = -1001\n`);
  return { home: dir, configPath, dbPath: join(dir, '.tentacle', 'tentacle.db') };
}

/**
 * What the runtime leaves in SQLite while a forum topic runs codex with a claude prompt queued
 * behind it, an idle chat-mode topic, and a final answer Telegram has not accepted yet.
 */
function writeBusyBridge(store: Store, now: number, enginePid: number): void {
  const topicKey = 'tg:-1001:42';
  const running = job({
    jobId: 'job-run',
    engine: 'codex',
    cwd: '/srv/app/.worktrees/feat',
    userMessageId: 7,
  });
  const waiting = job({ jobId: 'job-next', engine: 'claude', enqueuedAt: now - 5_000 });
  const current: InFlightRun = {
    runId: 'job-run',
    job: running,
    bootId: 'boot-1',
    startedAt: now - 65_000,
    resumeToken: 'thread-abc',
    progressMessageId: 55,
    pid: enginePid,
    pidStartTime: null,
    progress: initialProgress('codex'),
    cancel: null,
  };
  const context: TopicContext = {
    topicKey,
    chatId: -1001,
    threadId: 42,
    bootId: 'boot-1',
    sessions: { codex: { token: 'thread-abc', cwd: '/srv/app/.worktrees/feat' } },
    queue: [waiting],
    current,
    recovering: null,
    heldSession: 'codex:thread-abc',
    fileWait: null,
    runsCompleted: 2,
  };
  store.transaction(() => {
    store.topics.save(
      {
        topicKey,
        chatId: -1001,
        machineVersion: 1,
        state: 'running',
        snapshot: {
          status: 'active',
          value: { running: 'engine' },
          historyValue: {},
          context,
          children: { engine: { src: 'engineProcess', syncSnapshot: false, snapshot: { status: 'active' } } },
          tags: [],
        },
      },
      now - 2_000,
    );
    store.runs.insert({
      runId: 'job-run',
      topicKey,
      chatId: -1001,
      threadId: 42,
      userMessageId: 7,
      progressMessageId: 55,
      engine: 'codex',
      resumeToken: 'thread-abc',
      cwd: running.cwd,
      prompt: running.prompt,
      job: running,
      pid: enginePid,
      pidStartTime: null,
      bootId: 'boot-1',
      status: 'running',
      createdAt: now - 66_000,
      startedAt: now - 65_000,
      endedAt: null,
    });
    store.prefs.set(topicKey, { context: { project: 'app', branch: 'feat' }, default_engine: 'codex' });
    store.topics.save(
      {
        topicKey: 'tg:1001',
        chatId: 1001,
        machineVersion: 1,
        state: 'awaiting-file',
        snapshot: {
          status: 'active',
          value: 'awaiting-file',
          context: {
            ...context,
            topicKey: 'tg:1001',
            chatId: 1001,
            threadId: null,
            current: null,
            queue: [],
            heldSession: null,
            fileWait: {
              path: 'docs/spec.pdf',
              force: false,
              senderId: 1001,
              messageId: 3,
              root: '/srv/app',
              deadline: now + 600_000,
            },
          },
        },
      },
      now - 3_600_000,
    );
    store.outbox.enqueue(
      { topicKey: 'tg:1001', chatId: 1001, kind: 'final', payload: { text: 'done' } },
      now - 1_000,
    );
  });
}

describe.concurrent('tentacle status', () => {
  it('says so when the bridge has never run', async () => {
    const h = home();
    const text = await runTentacle(['status'], { cwd: h.home, env: { HOME: h.home } });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toBe(
      `bridge: not running\nstate: no database yet at ${h.dbPath} (the bridge has not run)`,
    );
    const json = await runTentacle(['status', '--json'], { cwd: h.home, env: { HOME: h.home } });
    expect(JSON.parse(json.stdout)).toMatchObject({
      bridge: { running: false, pid: null },
      database: { path: h.dbPath, exists: false },
      topics: [],
      outbox: [],
    });
  });

  it('reports a state file that is not a database in one line', async () => {
    const h = home();
    writeFileSync(h.dbPath, 'not a database');
    const result = await runTentacle(['status'], { cwd: h.home, env: { HOME: h.home } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: cannot read the state database ${h.dbPath}: file is not a database`);
  });

  it('shows a running topic, its queue, binding and session, and pending deliveries while the bridge holds the database', async () => {
    const h = home();
    const engine = execa('sleep', ['30'], { reject: false });
    cleanups.push(() => engine.kill());
    const store = openStore(h.dbPath);
    cleanups.push(() => store.close());
    writeBusyBridge(store, Date.now(), engine.pid!);
    writeFileSync(`${h.configPath}.lock`, JSON.stringify({ pid: process.pid, token_fingerprint: 'x' }));

    const text = await runTentacle(['status'], { cwd: h.home, env: { HOME: h.home } });
    expect(text.stderr).toBe('');
    const lines = text.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `bridge: running (pid ${process.pid})`,
      `state: ${h.dbPath} (schema v${LATEST})`,
      'inbox: 0 pending',
      'topics: 2',
    ]);
    // Ages count from the rows' times; how long the command took to start only adds seconds.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}tg:-1001:42 · running · changed \d+s ago$/));
    expect(lines.find((l) => l.startsWith('    run: codex'))).toMatch(
      new RegExp(`^    run: codex · 1m \\d\\ds · pid ${engine.pid} · resume thread-abc$`),
    );
    expect(lines).toContain('    cwd: /srv/app/.worktrees/feat');
    expect(lines).toContain('    queue: 1 waiting (claude)');
    expect(lines).toContain('    binding: app @feat (topic)');
    expect(lines).toContain('    sessions: codex thread-abc');
    expect(lines).toContain('  tg:1001 · awaiting-file · changed 1h 00m ago');
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}waiting for a file: docs\/spec\.pdf \(\d+m \d\ds left\)$/),
    );
    expect(lines).toContain('outbox: 1 pending');
    expect(lines.at(-1)).toMatch(/^ {2}#\d+ final → tg:1001 · attempts 0$/);

    const json = JSON.parse(
      (await runTentacle(['status', '--json'], { cwd: h.home, env: { HOME: h.home } })).stdout,
    );
    expect(json.bridge).toEqual({ running: true, pid: process.pid, staleLock: false });
    expect(json.topics[0]).toMatchObject({
      topicKey: 'tg:-1001:42',
      state: 'running',
      binding: { project: 'app', branch: 'feat', scope: 'topic' },
      defaultEngine: 'codex',
      sessions: { codex: 'thread-abc' },
      queue: [{ jobId: 'job-next', engine: 'claude' }],
      run: { runId: 'job-run', engine: 'codex', pid: engine.pid, pidAlive: true, resumeToken: 'thread-abc' },
    });
    expect(json.outbox).toEqual([
      expect.objectContaining({ topicKey: 'tg:1001', kind: 'final', attempts: 0 }),
    ]);
  });

  it('redraws with --watch until interrupted, showing changes made meanwhile', async () => {
    const h = home();
    const store = openStore(h.dbPath);
    cleanups.push(() => store.close());
    const child = execa(process.execPath, [TENTACLE_BIN, 'status', '--watch', '--json'], {
      cwd: REPO_ROOT,
      env: { HOME: h.home, TENTACLE_CONFIG: '' },
      reject: false,
      timeout: 60_000,
    });
    const reports: { topics: unknown[] }[] = [];
    let buffer = '';
    let exited = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        reports.push(JSON.parse(buffer.slice(0, newline)));
        buffer = buffer.slice(newline + 1);
      }
    });
    child.once('exit', () => {
      exited = true;
    });
    const seen = async (count: number) => {
      for (let waited = 0; reports.length < count; waited += 50) {
        if (exited || waited > 30_000) throw new Error(`saw ${reports.length} reports, wanted ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await seen(1);
    expect(reports[0]?.topics).toEqual([]);
    writeBusyBridge(store, Date.now(), process.pid);
    const before = reports.length;
    await seen(before + 2);
    expect(reports.at(-1)?.topics).toHaveLength(2);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
  });
});
