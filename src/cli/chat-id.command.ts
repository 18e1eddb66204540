import { existsSync } from 'node:fs';
import { isCancel, password } from '@clack/prompts';
import { lockPathFor, resolveConfigPath } from '../config/config-path.ts';
import { parseConfigText, readConfigText } from '../config/load-config.ts';
import { tokenFingerprint } from '../logging/token-fingerprint.ts';
import { TelegramClient } from '../transport/telegram-client.ts';
import { TelegramApiError } from '../transport/telegram-errors.ts';
import { resolveApiRoot } from './api-root.ts';
import { botRef, identifyBot } from './bot-identity.ts';
import { captureChat, describeChat } from './chat-capture.ts';
import { CliError } from './cli-error.ts';
import { setConfigValue } from './config.command.ts';
import { isProcessAlive, readLock } from './lockfile.ts';
import { isTable } from './toml-literal.ts';

export interface ChatIdOptions {
  config?: string;
  token?: string;
  project?: string;
  /** Seconds to wait for a message (default 300). */
  timeout?: string;
}

const DEFAULT_WAIT_S = 300;

/**
 * `tentacle chat-id [--token T] [--project alias]`: prints the id of the next chat a person
 * writes the bot in (`chat_id = N`), or stores it as `projects.<alias>.chat_id`. Progress goes to
 * stderr so stdout stays one line a script can read.
 */
export async function chatIdCommand(options: ChatIdOptions): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config });
  const raw = readRawConfig(configPath);
  const waitSeconds = parseWait(options.timeout);
  const projectKey = options.project === undefined ? undefined : findProject(raw, options.project);

  let token = options.token?.trim() || configuredToken(raw);
  if (!token) token = await promptToken();
  refuseWhileBridgePolls(configPath, token);

  const client = new TelegramClient({ token, apiRoot: resolveApiRoot(raw) });
  say('  validating...');
  const identity = await identifyBot(client);
  if (!identity.ok) {
    throw new CliError(`failed to connect, check the token and try again (${identity.error.message})`);
  }
  const bot = botRef(identity.bot);
  say(`  connected to ${bot}`);
  say(`  send /start to ${bot} in the chat you want tentacle to use (private chat or group)`);
  say('  listening...');
  let chat: Awaited<ReturnType<typeof captureChat>>;
  try {
    chat = await captureChat(client, { timeoutMs: waitSeconds * 1000 });
  } catch (error) {
    if (error instanceof TelegramApiError && error.errorCode === 409) {
      throw new CliError(
        `another process is reading this bot's updates (a running bridge or a webhook): ${error.description}`,
      );
    }
    throw new CliError(`telegram: ${(error as Error).message}`);
  }
  if (!chat) {
    throw new CliError(
      `no message arrived within ${waitSeconds} s; send a message to ${bot} and run \`tentacle chat-id\` again`,
    );
  }
  say(`  got chat_id ${chat.chatId} for ${describeChat(chat)}`);
  if (projectKey === undefined) {
    process.stdout.write(`chat_id = ${chat.chatId}\n`);
    return;
  }
  const path = ['projects', projectKey, 'chat_id'];
  const written = setConfigValue(configPath, path, chat.chatId);
  process.stdout.write(`updated ${path.join('.')} = ${String(written)}\n`);
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function readRawConfig(configPath: string): Record<string, unknown> | undefined {
  if (!existsSync(configPath)) return undefined;
  try {
    return parseConfigText(readConfigText(configPath), configPath);
  } catch {
    return undefined;
  }
}

function configuredToken(raw: Record<string, unknown> | undefined): string | undefined {
  const transports = raw?.['transports'];
  const telegram = isTable(transports) ? transports['telegram'] : undefined;
  const token = isTable(telegram) ? telegram['bot_token'] : undefined;
  return typeof token === 'string' && token.trim() ? token.trim() : undefined;
}

/** The project's key as written in the config, matched case-insensitively (as aliases are). */
function findProject(raw: Record<string, unknown> | undefined, alias: string): string {
  const wanted = alias.trim();
  if (!wanted) throw new CliError('invalid `--project`; expected a non-empty string.');
  const projects = raw?.['projects'];
  const keys = isTable(projects) ? Object.keys(projects) : [];
  const key = keys.find((k) => k === wanted) ?? keys.find((k) => k.toLowerCase() === wanted.toLowerCase());
  if (key === undefined)
    throw new CliError(`Unknown project '${wanted}'; run \`tentacle init ${wanted}\` first.`);
  return key;
}

function parseWait(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WAIT_S;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError(`--timeout: expected a number of seconds > 0, got "${value}"`, 2);
  }
  return seconds;
}

async function promptToken(): Promise<string> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError('no bot token: pass --token or set transports.telegram.bot_token in the config');
  }
  const value = await password({ message: 'paste your bot token:', mask: '*' });
  if (isCancel(value) || !value.trim()) throw new CliError('cancelled');
  return value.trim();
}

/**
 * Two pollers on one token knock each other off with 409s, and this command confirms updates the
 * bridge has not seen yet: refuse while a live bridge holds the lock for the same token.
 */
function refuseWhileBridgePolls(configPath: string, token: string): void {
  const lock = readLock(lockPathFor(configPath));
  if (lock && lock.token_fingerprint === tokenFingerprint(token) && isProcessAlive(lock.pid)) {
    throw new CliError(
      `the bridge is running with this bot (pid ${lock.pid}); stop it first, chat-id reads the same updates`,
    );
  }
}
