import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa, execaSync } from 'execa';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../support/fake-telegram/fake-telegram.ts';
import { REPO_ROOT, runTentacle, TENTACLE_BIN } from '../support/run-cli.ts';

const TOKEN = '123456:TEST-token-with-a-long-secret';
/** util-linux `script` gives the child a pseudo-terminal (Debian's bsdutils, present on every machine here). */
const HAS_SCRIPT = execaSync('sh', ['-c', 'command -v script'], { reject: false }).exitCode === 0;
const alice = { id: 1001, first_name: 'Alice', username: 'alice' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'tentacle-onboard-run-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/**
 * `tentacle run` in a pseudo-terminal (util-linux `script`): stdin and stdout are TTYs, keys are
 * written to script's stdin, the screen is read from its stdout.
 */
function inTerminal(args: string[], env: Record<string, string>) {
  const command = `stty cols 120 rows 50; exec ${process.execPath} ${TENTACLE_BIN} ${args.join(' ')}`;
  const child = execa('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { TENTACLE_CONFIG: '', ...env },
    stdin: 'pipe',
    reject: false,
    timeout: 120_000,
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let screen = '';
  let mark = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    screen += stripVTControlCharacters(chunk.toString());
  });
  const waitFor = async (fragment: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!screen.includes(fragment, mark)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`never saw "${fragment}"; the screen showed:\n${screen.slice(mark)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    mark = screen.indexOf(fragment, mark) + fragment.length;
  };
  const answer = async (fragment: string, keys: string) => {
    await waitFor(fragment);
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.stdin?.write(keys);
  };
  return { child, waitFor, answer, screen: () => screen };
}

describe('tentacle run and the setup wizard', () => {
  it('refuses --onboard without a terminal', async () => {
    const home = tempHome();
    const result = await runTentacle(['run', '--onboard'], { cwd: home, env: { HOME: home } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('error: --onboard requires a TTY');
  });

  it('keeps the one-line missing-config error without a terminal', async () => {
    const home = tempHome();
    const result = await runTentacle(['run'], { cwd: home, env: { HOME: home } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `error: missing tentacle config at ${join(home, '.tentacle', 'tentacle.toml')}`,
    );
  });

  it.runIf(HAS_SCRIPT)(
    'runs the wizard in a terminal when no config exists, then starts the bridge with it',
    async () => {
      const tg = await FakeTelegram.start({ token: TOKEN });
      cleanups.push(() => tg.stop());
      const dm = tg.addPrivateChat(alice);
      const home = tempHome();
      const bin = join(home, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'codex'), '#!/bin/sh\necho codex-cli 1.0\n');
      chmodSync(join(bin, 'codex'), 0o755);
      const term = inTerminal(['run'], {
        HOME: home,
        TENTACLE_API_ROOT: tg.apiRoot,
        PATH: `${bin}:/usr/bin:/bin`,
      });
      await term.answer('do you already have a bot token from @BotFather?', 'y');
      await term.answer('paste your bot token:', `${TOKEN}\r`);
      await term.waitFor('connected to @tentacle_test_bot');
      await term.answer('how will you use tentacle?', '\r');
      await term.waitFor('waiting for message...');
      await tg.waitFor(
        () => tg.calls.find((c) => c.method === 'getUpdates' && Number(c.params['timeout']) > 0),
        {
          timeoutMs: 30_000,
          label: 'the wizard listening',
        },
      );
      tg.sendUserMessage({ chatId: dm, from: alice, text: '/start' });
      await term.answer('choose default engine:', '\r');
      await term.answer('save config to ~/.tentacle/tentacle.toml?', 'y');
      await term.waitFor('✓ setup complete. starting tentacle...');
      await term.waitFor('tentacle is running', 60_000);
      const configPath = join(home, '.tentacle', 'tentacle.toml');
      expect(parse(readFileSync(configPath, 'utf8'))).toMatchObject({
        default_engine: 'codex',
        transports: { telegram: { bot_token: TOKEN, chat_id: dm, api_root: tg.apiRoot } },
      });
      expect(existsSync(`${configPath}.lock`)).toBe(true);
      term.child.stdin?.write('\x03');
      const result = await term.child;
      expect(result.timedOut).toBe(false);
      expect(existsSync(`${configPath}.lock`)).toBe(false);
      expect(term.screen()).not.toContain(TOKEN);
    },
  );

  it.runIf(HAS_SCRIPT)('exits 1 without writing a config when the wizard is cancelled', async () => {
    const home = tempHome();
    const term = inTerminal(['run'], { HOME: home, PATH: '/usr/bin:/bin' });
    await term.answer('do you already have a bot token from @BotFather?', '\x03');
    await term.waitFor('setup cancelled; nothing was saved.');
    const result = await term.child;
    expect(result.exitCode).toBe(1);
    expect(existsSync(join(home, '.tentacle', 'tentacle.toml'))).toBe(false);
  });
});
