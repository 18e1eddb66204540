import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFingerprint } from '../../src/logging/token-fingerprint.ts';
import { readMigrations } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/store.ts';
import { FakeTelegram } from '../support/fake-telegram/fake-telegram.ts';
import { runTentacle } from '../support/run-cli.ts';

const TOKEN = '123456:TEST-token';
const LATEST = readMigrations().at(-1)?.version;
const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const HINTS = {
  claude: 'npm install -g @anthropic-ai/claude-code',
  codex: 'npm install -g @openai/codex',
  opencode: 'npm install -g opencode-ai@latest',
  pi: 'npm install -g @mariozechner/pi-coding-agent',
};

let tg: FakeTelegram;
let dm: number;
const dirs: string[] = [];

beforeAll(async () => {
  tg = await FakeTelegram.start({ token: TOKEN });
  dm = tg.addPrivateChat(alice);
});
afterAll(async () => {
  await tg.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Setup {
  home: string;
  configPath: string;
  bin: string;
}

/** A temporary HOME with a config pointing at the fake Bot API and a bin folder of fake engines. */
function setup(
  extra = '',
  telegram = '',
  engines: Record<string, string> = { codex: 'echo "codex-cli 9.9.9"' },
): Setup {
  const home = mkdtempSync(join(tmpdir(), 'tentacle-doctor-'));
  dirs.push(home);
  const bin = join(home, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(engines)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  mkdirSync(join(home, '.tentacle'));
  const configPath = join(home, '.tentacle', 'tentacle.toml');
  writeFileSync(
    configPath,
    `${extra}\n[transports.telegram]\nbot_token = "${TOKEN}"\nchat_id = ${dm}\napi_root = "${tg.apiRoot}"\n${telegram}`,
  );
  return { home, configPath, bin };
}

function doctor(s: Setup, env: Record<string, string> = {}) {
  return runTentacle(['doctor'], {
    cwd: s.home,
    env: { HOME: s.home, PATH: `${s.bin}:/usr/bin:/bin`, OPENAI_API_KEY: '', ...env },
  });
}

describe.concurrent('tentacle doctor', () => {
  it('prints one ok line per check and exits 0 on a healthy setup', async () => {
    const s = setup();
    const result = await doctor(s);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'tentacle doctor',
      `- config: ok (${s.configPath})`,
      '- telegram token: ok (@tentacle_test_bot)',
      `- chat_id: ok (private (${dm}))`,
      '- topics: ok (disabled)',
      `- engine codex: ok (default engine; codex-cli 9.9.9 (${s.bin}/codex))`,
      `- engine claude: warning (claude not found on PATH; install: ${HINTS.claude})`,
      `- engine opencode: warning (opencode not found on PATH; install: ${HINTS.opencode})`,
      `- engine pi: warning (pi not found on PATH; install: ${HINTS.pi})`,
      '- projects: ok (none configured)',
      '- file transfer: ok (disabled)',
      '- voice transcription: ok (disabled)',
      `- state database: ok (not created yet (${join(s.home, '.tentacle', 'tentacle.db')}))`,
      '- lockfile: ok (absent (the bridge is not running))',
    ]);
  });

  it('flags a missing default engine as an error and exits 1', async () => {
    const s = setup('default_engine = "claude"');
    const result = await doctor(s);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `- engine claude: error (default engine; claude not found on PATH; install: ${HINTS.claude})`,
    );
    expect(result.stdout).toContain('- engine codex: ok (codex-cli 9.9.9');
  });

  it('flags a rejected bot token and skips the chat checks', async () => {
    const s = setup('', '[transports.telegram.topics]\nenabled = true\n');
    const result = await doctor(s, { TENTACLE__TRANSPORTS__TELEGRAM__BOT_TOKEN: '999:wrong' });
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toContain("- telegram token: error (Call to 'getMe' failed! (401: Unauthorized))");
    expect(lines).toContain('- chat_id: error (skipped (token invalid))');
    expect(lines).toContain('- topics: error (skipped (token invalid))');
    expect(result.stdout).not.toContain('999:wrong');
  });

  it('warns when an engine is found but its --version fails', async () => {
    const s = setup('', '', { codex: 'echo "codex-cli 1.0"', pi: 'echo "boom" >&2; exit 3' });
    const result = await doctor(s);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      `- engine pi: warning (found at ${s.bin}/pi, but \`--version\` failed: boom)`,
    );
  });

  it.each([
    [
      { canManageTopics: false },
      'error (topics enabled but bot lacks manage topics permission (chat_id=ID); grant can_manage_topics.)',
    ],
    [
      { botStatus: 'member' as const },
      'error (topics enabled but bot is not an admin (chat_id=ID); promote it and grant manage topics.)',
    ],
    [
      { forum: false },
      'error (topics enabled but chat does not have topics enabled (chat_id=ID); turn on topics in group settings.)',
    ],
    [{}, 'ok (scope=auto (main))'],
  ])('checks the forum setup when topics are on: %j', async (group, expected) => {
    const id = tg.addGroup({ title: 'Team', forum: true, ...group });
    const s = setup('', '[transports.telegram.topics]\nenabled = true\n');
    const result = await doctor(s, { TENTACLE__TRANSPORTS__TELEGRAM__CHAT_ID: String(id) });
    expect(result.stdout).toContain(`- chat_id: ok (supergroup (${id}))`);
    expect(result.stdout).toContain(`- topics: ${expected.replace('ID', String(id))}`);
    expect(result.exitCode).toBe(expected.startsWith('ok') ? 0 : 1);
  });

  it('checks projects, file transfer and voice settings', async () => {
    const s = setup();
    const repo = join(s.home, 'repo');
    const plain = join(s.home, 'plain');
    mkdirSync(plain);
    await execa('git', ['init', '-q', repo]);
    const appChat = tg.addGroup({ title: 'App' });
    writeFileSync(
      s.configPath,
      `${projectToml('app', repo)}chat_id = ${appChat}\n${projectToml('docs', plain)}${projectToml('gone', join(s.home, 'gone'))}`,
      { flag: 'a' },
    );
    writeFileSync(s.configPath, '\n[transports.telegram.files]\nenabled = true\n', { flag: 'a' });
    const withVoice = await doctor(s, { TENTACLE__TRANSPORTS__TELEGRAM__VOICE_TRANSCRIPTION: 'true' });
    const lines = withVoice.stdout.split('\n');
    expect(lines).toContain(`- projects.app.chat_id: ok (supergroup (${appChat}))`);
    expect(lines).toContain(`- project app: ok (${repo}, worktrees in ${join(repo, '.worktrees')})`);
    expect(lines).toContain(
      `- project docs: warning (${plain} is not a git repository; @branch worktrees will fail)`,
    );
    expect(lines).toContain(`- project gone: error (path not found: ${join(s.home, 'gone')})`);
    expect(lines).toContain('- file transfer: warning (enabled for all users)');
    expect(lines).toContain('- voice transcription: error (API key not set)');
    expect(withVoice.exitCode).toBe(1);
    const withKey = await doctor(s, {
      TENTACLE__TRANSPORTS__TELEGRAM__VOICE_TRANSCRIPTION: 'true',
      TENTACLE__TRANSPORTS__TELEGRAM__FILES__ALLOWED_USER_IDS: '[1, 2]',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(withKey.stdout).toContain('- voice transcription: ok (OPENAI_API_KEY set)');
    expect(withKey.stdout).toContain('- file transfer: ok (restricted to 2 user id(s))');
  });

  it('reports the state database and whether the lockfile is held by a live bridge', async () => {
    const s = setup();
    const dbPath = join(s.home, '.tentacle', 'tentacle.db');
    openStore(dbPath).close();
    const lockPath = `${s.configPath}.lock`;
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, token_fingerprint: tokenFingerprint(TOKEN) }));
    const live = await doctor(s);
    expect(live.stdout).toMatch(
      new RegExp(`- state database: ok \\(${dbPath}, schema v${LATEST}, [0-9.]+ KiB, integrity ok\\)`),
    );
    expect(live.stdout).toContain(`- lockfile: ok (held by live pid ${process.pid} (the bridge is running))`);
    const dead = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: Number(dead.stdout), token_fingerprint: tokenFingerprint(TOKEN) }),
    );
    const stale = await doctor(s);
    expect(stale.stdout).toContain(
      `- lockfile: warning (stale: pid ${dead.stdout} is not running; the next start takes it over)`,
    );
    expect(stale.exitCode).toBe(0);
  });

  it('reports an invalid config as the only check and exits 1', async () => {
    const s = setup();
    writeFileSync(s.configPath, '[transports.telegram]\nbot_token = "1:x"\nchat_id = "abc"\n');
    const result = await doctor(s);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'tentacle doctor',
      `- config: error (invalid config ${s.configPath})`,
      '    transports.telegram.chat_id: expected an integer, got "abc"',
    ]);
  });
});

function projectToml(alias: string, path: string): string {
  return `\n[projects.${alias}]\npath = "${path}"\n`;
}
