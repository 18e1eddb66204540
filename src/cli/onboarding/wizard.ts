import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, relative, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { cancel, confirm, intro, isCancel, log, note, outro, password, select } from '@clack/prompts';
import type { UserFromGetMe } from 'grammy/types';
import { parseConfigText } from '../../config/load-config.ts';
import { ENGINE_IDS, type EngineId } from '../../engines/events.ts';
import { ADAPTERS, findOnPath } from '../../engines/registry.ts';
import { TelegramClient } from '../../transport/telegram-client.ts';
import { checkTopicsSetup } from '../../transport/topics-check.ts';
import { resolveApiRoot } from '../api-root.ts';
import { botRef, identifyBot } from '../bot-identity.ts';
import { type CapturedChat, captureChat, describeChat } from '../chat-capture.ts';
import { renderConfigSets, writeFileAtomic } from '../config-file.ts';
import { answerSets, applySets, previewConfig, type WizardAnswers } from './config-patch.ts';
import { confirmationMessage } from './confirmation-message.ts';
import { WORKFLOW_CHOICES, WORKFLOW_PRESETS, WORKFLOW_PREVIEWS, type Workflow } from './workflows.ts';

export interface OnboardingOptions {
  configPath: string;
  /** `--onboard`: reconfigure an existing config (after asking). */
  force: boolean;
  /** Where keys come from and the wizard draws; the process's terminal by default. */
  input?: Readable | undefined;
  output?: Writable | undefined;
  /** `TENTACLE_API_ROOT`, `PATH` (engine lookup), `HOME` (path display). */
  env?: NodeJS.ProcessEnv | undefined;
  /** How long one round of waiting for the chat's message lasts before asking to keep waiting. */
  chatWaitMs?: number | undefined;
}

/** The user cancelled (Ctrl-C, or said no where going on makes no sense). */
class Cancelled extends Error {}

/**
 * The setup wizard: bot token (checked with getMe), workflow, chat (captured from the next message
 * sent to the bot), default engine (among the CLIs on PATH), then the config, saved after a
 * confirmation and merged into any existing one. Five steps, each headed "step N: …".
 *
 * @returns true when a config was saved (the bridge may start), false when the user cancelled.
 * @example
 *   if (!(await runOnboarding({ configPath, force: false }))) process.exitCode = 1;
 */
export async function runOnboarding(options: OnboardingOptions): Promise<boolean> {
  const io = { input: options.input, output: options.output };
  const env = options.env ?? process.env;
  const shown = displayPath(options.configPath, env);
  const ask: Ask = async (answer) => {
    const value = await answer;
    if (isCancel(value)) throw new Cancelled();
    return value as never;
  };

  if (existsSync(options.configPath)) {
    if (!options.force) {
      log.info(`config already exists at ${shown}. use --onboard to reconfigure.`, io);
      return true;
    }
    const update = await confirm({
      message: `update existing config at ${shown}?`,
      initialValue: false,
      ...io,
    });
    if (isCancel(update) || !update) {
      cancel('setup cancelled; the config was not changed.', io);
      return false;
    }
  }

  try {
    intro('welcome to tentacle!', io);
    note(`let's set up your telegram bot.\nwe'll write ${shown}.`, undefined, io);
    const existing = readExisting(options.configPath);
    const apiRoot = resolveApiRoot(existing.config, env);

    log.step('step 1: bot token', io);
    const { token, bot } = await askToken(apiRoot, ask, io);
    const client = new TelegramClient({ token, apiRoot });

    log.step('step 2: pick your workflow', io);
    for (const choice of WORKFLOW_CHOICES) {
      note(WORKFLOW_PREVIEWS[choice.value], `${choice.label} · ${choice.hint}`, io);
    }
    let workflow = await ask(
      select<Workflow>({ message: 'how will you use tentacle?', options: [...WORKFLOW_CHOICES], ...io }),
    );

    log.step('step 3: connect chat', io);
    const ref = botRef(bot);
    note(
      workflow === 'workspace'
        ? [
            'set up a forum group:',
            '1. create a group and turn on topics (group settings → topics)',
            `2. add ${ref} as an admin with "manage topics"`,
            '3. send any message in the group',
          ].join('\n')
        : `1. open a chat with ${ref}\n2. send /start`,
      undefined,
      io,
    );
    const chat = await waitForChat(client, options.chatWaitMs ?? 600_000, ask, io);
    log.success(`got chat_id ${chat.chatId} for ${describeChat(chat)}`, io);
    if (workflow === 'workspace') workflow = await checkWorkspace(client, bot, chat.chatId, ask, io);

    log.step('step 4: default engine', io);
    const defaultEngine = await askEngine(env, ask, io);

    log.step('step 5: save config', io);
    const answers: WizardAnswers = {
      token,
      chatId: chat.chatId,
      preset: WORKFLOW_PRESETS[workflow],
      defaultEngine,
      apiRoot,
    };
    note(previewConfig(answers), shown, io);
    const save = await ask(confirm({ message: `save config to ${shown}?`, initialValue: true, ...io }));
    if (!save) throw new Cancelled();
    saveConfig(options.configPath, existing, answers, shown, io);

    const sent = await client
      .sendMessage({ chatId: chat.chatId, text: confirmationMessage(answers.preset) }, { timeoutMs: 10_000 })
      .then(
        () => true,
        () => false,
      );
    if (sent) log.info('sent confirmation message', io);
    else log.warn('could not send confirmation message', io);
    outro('✓ setup complete. starting tentacle...', io);
    return true;
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error;
    cancel('setup cancelled; nothing was saved.', io);
    return false;
  }
}

type Ask = <T>(answer: Promise<T>) => Promise<Exclude<T, symbol>>;
type Io = { input: Readable | undefined; output: Writable | undefined };

async function askToken(apiRoot: string, ask: Ask, io: Io): Promise<{ token: string; bot: UserFromGetMe }> {
  const have = await ask(confirm({ message: 'do you already have a bot token from @BotFather?', ...io }));
  if (!have) {
    note(
      [
        '1. open telegram and message @BotFather',
        '2. send /newbot and follow the prompts',
        '3. copy the token it gives you (it looks like 123456789:ABCdef...)',
      ].join('\n'),
      'create a bot',
      io,
    );
  }
  for (;;) {
    const token = (
      await ask(
        password({
          message: 'paste your bot token:',
          mask: '*',
          validate: (value) => (value?.trim() ? undefined : 'token cannot be empty'),
          ...io,
        }),
      )
    ).trim();
    log.message('validating...', io);
    const identity = await identifyBot(new TelegramClient({ token, apiRoot }));
    if (identity.ok) {
      log.success(`connected to ${botRef(identity.bot)}`, io);
      return { token, bot: identity.bot };
    }
    log.error(`failed to connect, check the token and try again\n${identity.error.message}`, io);
    if (!(await ask(confirm({ message: 'try again?', initialValue: true, ...io })))) throw new Cancelled();
  }
}

async function waitForChat(client: TelegramClient, waitMs: number, ask: Ask, io: Io): Promise<CapturedChat> {
  for (;;) {
    log.message('waiting for message...', io);
    try {
      const chat = await captureChat(client, { timeoutMs: waitMs });
      if (chat) return chat;
      const again = await ask(
        confirm({ message: 'no message arrived yet. keep waiting?', initialValue: true, ...io }),
      );
      if (!again) throw new Cancelled();
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      log.error(`could not read messages: ${(error as Error).message}`, io);
      if (!(await ask(confirm({ message: 'try again?', initialValue: true, ...io })))) throw new Cancelled();
    }
  }
}

/** A workspace needs a forum where the bot manages topics; offer to fix it or fall back to assistant. */
async function checkWorkspace(
  client: TelegramClient,
  bot: UserFromGetMe,
  chatId: number,
  ask: Ask,
  io: Io,
): Promise<Workflow> {
  for (;;) {
    log.message('validating topics setup...', io);
    const problem = await checkTopicsSetup(client, bot.id, {
      enabled: true,
      scope: 'auto',
      mainChatId: chatId,
      projectChatIds: [],
    });
    if (problem === undefined) {
      log.success('topics setup looks good', io);
      note('bind a project chat later with:\ntentacle chat-id --project <alias>', 'tip', io);
      return 'workspace';
    }
    log.warn(`topics validation failed: ${problem}\nmake sure the bot is an admin with "manage topics".`, io);
    const next = await ask(
      select<'retry' | 'assistant'>({
        message: 'tentacle will not start with topics until this is fixed.',
        options: [
          { value: 'retry', label: 'retry validation' },
          { value: 'assistant', label: 'switch to assistant mode' },
        ],
        ...io,
      }),
    );
    if (next === 'assistant') return 'assistant';
  }
}

async function askEngine(env: NodeJS.ProcessEnv, ask: Ask, io: Io): Promise<EngineId | null> {
  const rows = ENGINE_IDS.map((engine) => ({
    engine,
    installed: findOnPath(ADAPTERS[engine].binary, env) !== undefined,
  }));
  const width = Math.max(...ENGINE_IDS.map((id) => id.length));
  const table = rows.map(({ engine, installed }) =>
    [engine.padEnd(width), installed ? '✓ installed' : `✗ not found   ${ADAPTERS[engine].installHint}`].join(
      '  ',
    ),
  );
  note(
    ['tentacle runs these agents on your computer. switch anytime with /agent.', '', ...table].join('\n'),
    'engines',
    io,
  );
  const installed = rows.filter((row) => row.installed).map((row) => row.engine);
  if (installed.length > 0) {
    return ask(
      select<EngineId>({
        message: 'choose default engine:',
        options: installed.map((engine) => ({ value: engine, label: engine })),
        ...io,
      }),
    );
  }
  log.warn('no engines found. install one and rerun --onboard.', io);
  if (!(await ask(confirm({ message: 'save config anyway?', initialValue: false, ...io }))))
    throw new Cancelled();
  return null;
}

interface Existing {
  text: string;
  config: Record<string, unknown> | undefined;
  /** The file exists but is not TOML: it is backed up and replaced. */
  malformed: Error | undefined;
}

function readExisting(configPath: string): Existing {
  if (!existsSync(configPath)) return { text: '', config: undefined, malformed: undefined };
  const text = readFileSync(configPath, 'utf8');
  try {
    return { text, config: parseConfigText(text, configPath), malformed: undefined };
  } catch (error) {
    return { text, config: undefined, malformed: error as Error };
  }
}

function saveConfig(
  configPath: string,
  existing: Existing,
  answers: WizardAnswers,
  shown: string,
  io: Io,
): void {
  let base = existing;
  if (existing.malformed) {
    log.warn(`config is malformed: ${existing.malformed.message}`, io);
    const backup = `${configPath}.bak`;
    try {
      copyFileSync(configPath, backup);
      log.info(`backed up to ${backup}`, io);
    } catch (error) {
      log.warn(`failed to back up config: ${(error as Error).message}`, io);
    }
    base = { text: '', config: undefined, malformed: undefined };
  }
  const sets = answerSets(answers);
  const merged = applySets(base.config ?? {}, sets);
  const { text } = renderConfigSets(base.text, merged, sets);
  mkdirSync(dirname(configPath), { recursive: true, mode: 0o700 });
  writeFileAtomic(configPath, text);
  log.success(`config saved to ${shown}`, io);
}

/** `~/.tentacle/tentacle.toml` under the home folder, the absolute path elsewhere. */
function displayPath(path: string, env: NodeJS.ProcessEnv): string {
  const home = env['HOME'] || homedir();
  const rel = relative(home, path);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? `~/${rel}` : path;
}
