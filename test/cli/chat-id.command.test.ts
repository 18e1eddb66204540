import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenFingerprint } from '../../src/logging/token-fingerprint.ts';
import { FakeTelegram } from '../support/fake-telegram/fake-telegram.ts';
import { runTentacle } from '../support/run-cli.ts';

const TOKEN = '123456:TEST-token';
const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const bob = { id: 1002, first_name: 'Bob' };

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Each test gets its own fake Bot API: one long poll per token at a time, as on Telegram. */
async function world(config?: (apiRoot: string) => string) {
  const tg = await FakeTelegram.start({ token: TOKEN });
  const home = mkdtempSync(join(tmpdir(), 'tentacle-chat-id-'));
  cleanups.push(
    () => tg.stop(),
    () => rmSync(home, { recursive: true, force: true }),
  );
  mkdirSync(join(home, '.tentacle'));
  const configPath = join(home, '.tentacle', 'tentacle.toml');
  if (config) writeFileSync(configPath, config(tg.apiRoot));
  const run = (args: string[], env: Record<string, string> = {}) =>
    runTentacle(['chat-id', ...args], {
      cwd: home,
      env: { HOME: home, TENTACLE_API_ROOT: tg.apiRoot, ...env },
    });
  /** Resolves once the command is waiting for a message (a long poll is held). */
  const listening = () =>
    tg.waitFor(() => tg.calls.find((c) => c.method === 'getUpdates' && Number(c.params['timeout']) > 0), {
      timeoutMs: 20_000,
      label: 'chat-id listening',
    });
  return { tg, home, configPath, run, listening };
}

const baseConfig = (apiRoot: string) =>
  `[transports.telegram]\nbot_token = "${TOKEN}"\nchat_id = 1001\napi_root = "${apiRoot}"\n\n[projects.App]\npath = "/srv/app" # the app\n`;

describe.concurrent('tentacle chat-id', () => {
  it('skips pending updates and bots, prints the chat of the next human message, and confirms it', async () => {
    const w = await world(baseConfig);
    const bobChat = w.tg.addPrivateChat(bob);
    const dm = w.tg.addPrivateChat(alice);
    w.tg.sendUserMessage({ chatId: bobChat, from: bob, text: 'sent before chat-id started' });
    const result = w.run([]);
    await w.listening();
    w.tg.injectRawUpdate({
      message: {
        message_id: 900,
        date: Math.floor(Date.now() / 1000),
        chat: { id: -1001234, type: 'supergroup', title: 'Bots' },
        from: { id: 77, is_bot: true, first_name: 'OtherBot' },
        text: 'beep',
      },
    });
    await w.tg.waitFor(() => w.tg.pendingUpdates().length === 0, {
      timeoutMs: 20_000,
      label: 'bot update read',
    });
    w.tg.sendUserMessage({ chatId: dm, from: alice, text: '/start' });
    const { exitCode, stdout, stderr } = await result;
    expect([exitCode, stdout]).toEqual([0, `chat_id = ${dm}`]);
    expect(stderr).toContain('connected to @tentacle_test_bot');
    expect(stderr).toContain(`got chat_id ${dm} for @alice (private chat)`);
    expect(w.tg.pendingUpdates()).toEqual([]);
  });

  it('stores the chat as projects.<alias>.chat_id, matching the alias case-insensitively', async () => {
    const w = await world(baseConfig);
    const group = w.tg.addGroup({ title: 'App team', members: [{ user: alice, status: 'member' }] });
    const result = w.run(['--project', 'app', '--config', w.configPath]);
    await w.listening();
    w.tg.sendUserMessage({ chatId: group, from: alice, text: '/start@tentacle_test_bot' });
    const { exitCode, stdout, stderr } = await result;
    expect([exitCode, stdout]).toEqual([0, `updated projects.App.chat_id = ${group}`]);
    expect(stderr).toContain(`got chat_id ${group} for supergroup "App team"`);
    const text = readFileSync(w.configPath, 'utf8');
    expect(text).toContain(`[projects.App]\npath = "/srv/app" # the app\nchat_id = ${group}\n`);
  });

  it('refuses an unknown project before talking to Telegram', async () => {
    const w = await world(baseConfig);
    const result = await w.run(['--project', 'nope']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("error: Unknown project 'nope'; run `tentacle init nope` first.");
    expect(w.tg.calls).toEqual([]);
  });

  it('gives up after --timeout seconds with a clear message', async () => {
    const w = await world(baseConfig);
    const result = await w.run(['--timeout', '1']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'error: no message arrived within 1 s; send a message to @tentacle_test_bot and run `tentacle chat-id` again',
    );
    expect(result.stdout).toBe('');
  });

  it('rejects a bad --token', async () => {
    const w = await world();
    const result = await w.run(['--token', '999:wrong']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "error: failed to connect, check the token and try again (Call to 'getMe' failed! (401: Unauthorized))",
    );
    expect(result.stderr).not.toContain('999:wrong');
  });

  it('asks for a token when none is configured and no terminal can prompt', async () => {
    const w = await world();
    const result = await w.run([]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'error: no bot token: pass --token or set transports.telegram.bot_token in the config',
    );
  });

  it('refuses while a live bridge polls the same bot', async () => {
    const w = await world(baseConfig);
    writeFileSync(
      `${w.configPath}.lock`,
      JSON.stringify({ pid: process.pid, token_fingerprint: tokenFingerprint(TOKEN) }),
    );
    const result = await w.run([]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`the bridge is running with this bot (pid ${process.pid})`);
    expect(w.tg.calls).toEqual([]);
  });
});
