import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { runOnboarding } from '../../src/cli/onboarding/wizard.ts';
import { FakeTelegram } from '../support/fake-telegram/fake-telegram.ts';

const TOKEN = '123456:TEST-token-with-a-long-secret';
const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const ENTER = '\r';
const DOWN = '\x1b[B';

/**
 * A terminal the wizard draws on: keys go in through `input`, the screen is read from `output`.
 * Each expectation waits (bounded) for text drawn after the previous key press.
 */
class Terminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  #text = '';
  #mark = 0;

  constructor() {
    this.output.on('data', (chunk: Buffer) => {
      this.#text += stripVTControlCharacters(chunk.toString());
    });
  }

  get text(): string {
    return this.#text;
  }

  async waitFor(fragment: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#text.includes(fragment, this.#mark)) {
      if (Date.now() > deadline) {
        throw new Error(`the wizard never showed "${fragment}"; it showed:\n${this.#text.slice(this.#mark)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#mark = this.#text.indexOf(fragment, this.#mark) + fragment.length;
  }

  /** Waits for `fragment`, then types `keys`. */
  async answer(fragment: string, keys: string): Promise<void> {
    await this.waitFor(fragment);
    // clack reads keys once the prompt is drawn; let it finish drawing first.
    await new Promise((resolve) => setTimeout(resolve, 30));
    this.input.write(keys);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function world(engines: string[] = ['codex', 'claude']) {
  const tg = await FakeTelegram.start({ token: TOKEN });
  const home = mkdtempSync(join(tmpdir(), 'tentacle-wizard-'));
  cleanups.push(
    () => tg.stop(),
    () => rmSync(home, { recursive: true, force: true }),
  );
  const bin = join(home, 'bin');
  mkdirSync(bin);
  for (const engine of engines) {
    writeFileSync(join(bin, engine), '#!/bin/sh\necho 1.0\n');
    chmodSync(join(bin, engine), 0o755);
  }
  const configPath = join(home, '.tentacle', 'tentacle.toml');
  const term = new Terminal();
  const start = (force = false) =>
    runOnboarding({
      configPath,
      force,
      input: term.input,
      output: term.output,
      env: { HOME: home, PATH: bin, TENTACLE_API_ROOT: tg.apiRoot },
      chatWaitMs: 20_000,
    });
  /** Sends `text` from `from` in `chatId` once the wizard holds a long poll for it. */
  const writeWhenListening = async (chatId: number, from = alice, text = '/start') => {
    await tg.waitFor(
      () => tg.calls.find((c) => c.method === 'getUpdates' && Number(c.params['timeout']) > 0),
      {
        timeoutMs: 15_000,
        label: 'the wizard listening for a message',
      },
    );
    tg.sendUserMessage({ chatId, from, text });
  };
  return { tg, home, configPath, term, start, writeWhenListening };
}

describe('the setup wizard', () => {
  it('retries a rejected token, then saves an assistant config and greets the chat', async () => {
    const w = await world();
    const dm = w.tg.addPrivateChat(alice);
    const done = w.start();
    await w.term.waitFor('welcome to tentacle!');
    await w.term.waitFor("we'll write ~/.tentacle/tentacle.toml.");
    await w.term.waitFor('step 1: bot token');
    await w.term.answer('do you already have a bot token from @BotFather?', 'y');
    await w.term.answer('paste your bot token:', `999:wrong${ENTER}`);
    await w.term.waitFor('validating...');
    await w.term.waitFor('failed to connect, check the token and try again');
    await w.term.answer('try again?', 'y');
    await w.term.answer('paste your bot token:', `${TOKEN}${ENTER}`);
    await w.term.waitFor('connected to @tentacle_test_bot');
    await w.term.waitFor('step 2: pick your workflow');
    await w.term.answer('how will you use tentacle?', ENTER);
    await w.term.waitFor('step 3: connect chat');
    await w.term.waitFor('1. open a chat with @tentacle_test_bot');
    await w.term.waitFor('waiting for message...');
    await w.writeWhenListening(dm);
    await w.term.waitFor(`got chat_id ${dm} for @alice (private chat)`);
    await w.term.waitFor('step 4: default engine');
    await w.term.waitFor('claude    ✓ installed');
    await w.term.waitFor('pi        ✗ not found   npm install -g @mariozechner/pi-coding-agent');
    await w.term.answer('choose default engine:', `${DOWN}${ENTER}`);
    await w.term.waitFor('step 5: save config');
    await w.term.waitFor('bot_token = "123456:...cret"');
    await w.term.answer('save config to ~/.tentacle/tentacle.toml?', 'y');
    await w.term.waitFor('config saved to ~/.tentacle/tentacle.toml');
    await w.term.waitFor('✓ setup complete. starting tentacle...');
    expect(await done).toBe(true);

    expect(parse(readFileSync(w.configPath, 'utf8'))).toEqual({
      default_engine: 'claude',
      transport: 'telegram',
      transports: {
        telegram: {
          bot_token: TOKEN,
          chat_id: dm,
          api_root: w.tg.apiRoot,
          session_mode: 'chat',
          show_resume_line: false,
          topics: { enabled: false, scope: 'auto' },
        },
      },
    });
    expect(w.term.text).not.toContain(TOKEN);
    const greeting = w.tg.chatLog(dm).at(-1)?.text ?? '';
    expect(greeting.split('\n')[0]).toBe('tentacle is configured and ready.');
    expect(greeting).toContain('resume lines are hidden');
    expect(w.tg.pendingUpdates()).toEqual([]);
  });

  it('checks the forum for a workspace and saves topics once the bot may manage them', async () => {
    const w = await world(['codex']);
    const group = w.tg.addGroup({
      title: 'Work',
      forum: true,
      canManageTopics: false,
      members: [{ user: alice, status: 'creator' }],
    });
    const done = w.start();
    await w.term.answer('do you already have a bot token from @BotFather?', 'y');
    await w.term.answer('paste your bot token:', `${TOKEN}${ENTER}`);
    await w.term.answer('how will you use tentacle?', `${DOWN}${ENTER}`);
    await w.term.waitFor('2. add @tentacle_test_bot as an admin with "manage topics"');
    await w.writeWhenListening(group);
    await w.term.waitFor(`got chat_id ${group} for supergroup "Work"`);
    await w.term.waitFor(
      `topics validation failed: topics enabled but bot lacks manage topics permission (chat_id=${group}); grant can_manage_topics.`,
    );
    w.tg.setBotMembership(group, 'administrator', { canManageTopics: true });
    await w.term.answer('retry validation', ENTER);
    await w.term.waitFor('topics setup looks good');
    await w.term.answer('choose default engine:', ENTER);
    await w.term.answer('save config to', 'y');
    expect(await done).toBe(true);
    const config = parse(readFileSync(w.configPath, 'utf8')) as {
      transports: { telegram: Record<string, unknown> };
    };
    expect(config.transports.telegram).toMatchObject({
      chat_id: group,
      session_mode: 'chat',
      show_resume_line: false,
      topics: { enabled: true, scope: 'auto' },
    });
  });

  it('merges into an existing config with --onboard, keeping its other keys and comments', async () => {
    const w = await world(['codex']);
    const dm = w.tg.addPrivateChat(alice);
    mkdirSync(join(w.home, '.tentacle'));
    const before = `# mine\n[transports.telegram]\nbot_token = "1:old"\nchat_id = 5 # old chat\nmessage_overflow = "split"\n\n[projects.app]\npath = "/srv/app" # keep\n`;
    writeFileSync(w.configPath, before);
    const done = w.start(true);
    await w.term.answer('update existing config at ~/.tentacle/tentacle.toml?', 'y');
    await w.term.answer('do you already have a bot token from @BotFather?', 'y');
    await w.term.answer('paste your bot token:', `${TOKEN}${ENTER}`);
    await w.term.answer('how will you use tentacle?', `${DOWN}${DOWN}${ENTER}`);
    await w.writeWhenListening(dm);
    await w.term.answer('choose default engine:', ENTER);
    await w.term.answer('save config to', 'y');
    expect(await done).toBe(true);
    const text = readFileSync(w.configPath, 'utf8');
    expect(text).toContain('# mine\n');
    expect(text).toContain(`chat_id = ${dm} # old chat\n`);
    expect(text).toContain('path = "/srv/app" # keep\n');
    expect(parse(text)).toMatchObject({
      default_engine: 'codex',
      transports: {
        telegram: {
          bot_token: TOKEN,
          message_overflow: 'split',
          session_mode: 'stateless',
          show_resume_line: true,
        },
      },
      projects: { app: { path: '/srv/app' } },
    });
  });

  it('backs up a malformed config before replacing it', async () => {
    const w = await world(['pi']);
    const dm = w.tg.addPrivateChat(alice);
    mkdirSync(join(w.home, '.tentacle'));
    writeFileSync(w.configPath, 'this is [not toml\n');
    const done = w.start(true);
    await w.term.answer('update existing config at ~/.tentacle/tentacle.toml?', 'y');
    await w.term.answer('do you already have a bot token from @BotFather?', 'y');
    await w.term.answer('paste your bot token:', `${TOKEN}${ENTER}`);
    await w.term.answer('how will you use tentacle?', ENTER);
    await w.writeWhenListening(dm);
    await w.term.answer('choose default engine:', ENTER);
    await w.term.answer('save config to', 'y');
    await w.term.waitFor('config is malformed');
    await w.term.waitFor(`backed up to ${w.configPath}.bak`);
    expect(await done).toBe(true);
    expect(readFileSync(`${w.configPath}.bak`, 'utf8')).toBe('this is [not toml\n');
    expect(parse(readFileSync(w.configPath, 'utf8'))).toMatchObject({
      default_engine: 'pi',
      transport: 'telegram',
    });
  });

  it.each([
    ['declines to update an existing config', true],
    ['stops when no engine is installed and the user does not save anyway', false],
  ])('%s, writing nothing', async (_name, existing) => {
    const w = await world([]);
    const dm = w.tg.addPrivateChat(alice);
    if (existing) {
      mkdirSync(join(w.home, '.tentacle'));
      writeFileSync(w.configPath, 'x = 1\n');
    }
    const done = w.start(existing);
    if (existing) {
      await w.term.answer('update existing config at ~/.tentacle/tentacle.toml?', ENTER);
    } else {
      await w.term.answer('do you already have a bot token from @BotFather?', 'n');
      await w.term.waitFor('send /newbot');
      await w.term.answer('paste your bot token:', `${TOKEN}${ENTER}`);
      await w.term.answer('how will you use tentacle?', ENTER);
      await w.writeWhenListening(dm);
      await w.term.waitFor('no engines found. install one and rerun --onboard.');
      await w.term.answer('save config anyway?', ENTER);
    }
    expect(await done).toBe(false);
    expect(existsSync(w.configPath) ? readFileSync(w.configPath, 'utf8') : null).toBe(
      existing ? 'x = 1\n' : null,
    );
  });
});
