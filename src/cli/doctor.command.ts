import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { ConfigError } from '../config/config-error.ts';
import { lockPathFor, resolveConfigPath } from '../config/config-path.ts';
import { loadConfig, type Settings } from '../config/load-config.ts';
import { ENGINE_IDS } from '../engines/events.ts';
import { ADAPTERS, findOnPath } from '../engines/registry.ts';
import { tokenFingerprint } from '../logging/token-fingerprint.ts';
import { readMigrations } from '../store/migrate.ts';
import { openStore } from '../store/store.ts';
import { topicsScopeLabel } from '../transport/commands/shared-topics.ts';
import { topicScopeFrom } from '../transport/routing/topic-scope.ts';
import { TelegramClient } from '../transport/telegram-client.ts';
import { checkTopicsSetup } from '../transport/topics-check.ts';
import { botRef, identifyBot } from './bot-identity.ts';
import { isProcessAlive, readLock } from './lockfile.ts';
import { silentExit } from './silent-exit.ts';

export type DoctorStatus = 'ok' | 'warning' | 'error';

/** One line of the report: `- <label>: <status> (<detail>)`, plus indented notes. */
export interface DoctorCheck {
  label: string;
  status: DoctorStatus;
  detail?: string | undefined;
  notes?: string[] | undefined;
}

export interface DoctorOptions {
  config?: string;
}

/** Every probe (a Bot API call, an engine's `--version`, git) gives up after this long. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * `tentacle doctor`: checks the config, the bot token, the chats, topics, every engine CLI, the
 * projects, file and voice settings, the state database and the lockfile, printing one line per
 * check. Exits 1 when any check is an error; warnings do not fail it.
 */
export async function doctorCommand(options: DoctorOptions): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config });
  const checks = await runDoctorChecks(configPath);
  process.stdout.write(`tentacle doctor\n${checks.map(renderCheck).join('\n')}\n`);
  if (checks.some((check) => check.status === 'error')) throw silentExit(1);
}

/** `- label: status (detail)` and the notes under it. */
export function renderCheck(check: DoctorCheck): string {
  const head = check.detail
    ? `- ${check.label}: ${check.status} (${check.detail})`
    : `- ${check.label}: ${check.status}`;
  return [head, ...(check.notes ?? []).map((note) => `    ${note}`)].join('\n');
}

/**
 * Runs the checks in report order. A config that does not load is the only check then: every
 * other one reads it.
 */
export async function runDoctorChecks(
  configPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DoctorCheck[]> {
  let settings: Settings;
  try {
    settings = loadConfig(configPath, { env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [first = 'invalid config', ...rest] = error.message.split('\n');
    return [
      {
        label: 'config',
        status: 'error',
        detail: first.replace(/:$/, ''),
        notes: rest.map((line) => line.trim()),
      },
    ];
  }
  const overrides = settings.env_overrides;
  const config: DoctorCheck = {
    label: 'config',
    status: 'ok',
    detail:
      overrides.length > 0 ? `${configPath}; from the environment: ${overrides.join(', ')}` : configPath,
  };
  const [telegram, engines, projects] = await Promise.all([
    telegramChecks(settings),
    engineChecks(settings, env),
    projectChecks(settings),
  ]);
  return [
    config,
    ...telegram,
    ...engines,
    ...projects,
    fileTransferCheck(settings),
    voiceCheck(settings, env),
    stateDatabaseCheck(settings.state_path_resolved),
    lockfileCheck(configPath, settings.transports.telegram.bot_token),
  ];
}

async function telegramChecks(settings: Settings): Promise<DoctorCheck[]> {
  const telegram = settings.transports.telegram;
  const client = new TelegramClient({ token: telegram.bot_token, apiRoot: telegram.api_root });
  const identity = await identifyBot(client, { timeoutMs: PROBE_TIMEOUT_MS });
  const projectChats = Object.values(settings.projects).filter((p) => p.chat_id !== null);
  if (!identity.ok) {
    const skipped = 'skipped (token invalid)';
    return [
      { label: 'telegram token', status: 'error', detail: identity.error.message },
      { label: 'chat_id', status: 'error', detail: skipped },
      ...projectChats.map((p) => ({
        label: `projects.${p.alias}.chat_id`,
        status: 'error' as const,
        detail: skipped,
      })),
      telegram.topics.enabled
        ? { label: 'topics', status: 'error', detail: skipped }
        : { label: 'topics', status: 'ok', detail: 'disabled' },
    ];
  }
  const checks: DoctorCheck[] = [{ label: 'telegram token', status: 'ok', detail: botRef(identity.bot) }];
  checks.push(await chatCheck(client, 'chat_id', telegram.chat_id));
  for (const project of projectChats) {
    checks.push(await chatCheck(client, `projects.${project.alias}.chat_id`, project.chat_id!));
  }
  if (!telegram.topics.enabled) {
    checks.push({ label: 'topics', status: 'ok', detail: 'disabled' });
  } else {
    const problem = await checkTopicsSetup(client, identity.bot.id, topicScopeFrom(settings), {
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    checks.push(
      problem
        ? { label: 'topics', status: 'error', detail: problem }
        : { label: 'topics', status: 'ok', detail: `scope=${topicsScopeLabel(settings)}` },
    );
  }
  return checks;
}

async function chatCheck(client: TelegramClient, label: string, chatId: number): Promise<DoctorCheck> {
  try {
    const chat = await client.getChat(chatId, { timeoutMs: PROBE_TIMEOUT_MS });
    return { label, status: 'ok', detail: `${chat.type} (${chatId})` };
  } catch (error) {
    return { label, status: 'error', detail: `unreachable (${chatId}): ${(error as Error).message}` };
  }
}

/** Every engine, found on PATH with its version; only the default engine missing is an error. */
async function engineChecks(settings: Settings, env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  return Promise.all(
    ENGINE_IDS.map(async (engine): Promise<DoctorCheck> => {
      const adapter = ADAPTERS[engine];
      const isDefault = engine === settings.default_engine;
      const label = `engine ${engine}`;
      const role = isDefault ? 'default engine; ' : '';
      const path = findOnPath(adapter.binary, env);
      if (!path) {
        return {
          label,
          status: isDefault ? 'error' : 'warning',
          detail: `${role}${adapter.binary} not found on PATH; install: ${adapter.installHint}`,
        };
      }
      const version = await probeVersion(path, env);
      return version.ok
        ? { label, status: 'ok', detail: `${role}${version.text} (${path})` }
        : {
            label,
            status: 'warning',
            detail: `${role}found at ${path}, but \`--version\` failed: ${version.text}`,
          };
    }),
  );
}

async function probeVersion(path: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; text: string }> {
  const result = await execa(path, ['--version'], {
    env,
    extendEnv: false,
    reject: false,
    timeout: PROBE_TIMEOUT_MS,
    stdin: 'ignore',
    forceKillAfterDelay: 1_000,
  });
  const firstLine = (text: unknown) =>
    String(text ?? '')
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '');
  if (result.timedOut) return { ok: false, text: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` };
  if (result.failed) {
    return { ok: false, text: firstLine(result.stderr) ?? result.shortMessage ?? 'failed' };
  }
  return { ok: true, text: firstLine(result.stdout) ?? firstLine(result.stderr) ?? 'no version printed' };
}

async function projectChecks(settings: Settings): Promise<DoctorCheck[]> {
  const projects = Object.values(settings.projects);
  if (projects.length === 0) return [{ label: 'projects', status: 'ok', detail: 'none configured' }];
  return Promise.all(
    projects.map(async (project): Promise<DoctorCheck> => {
      const label = `project ${project.alias}`;
      if (!existsSync(project.path) || !statSync(project.path).isDirectory()) {
        return { label, status: 'error', detail: `path not found: ${project.path}` };
      }
      const git = await execa('git', ['-C', project.path, 'rev-parse', '--is-inside-work-tree'], {
        reject: false,
        timeout: PROBE_TIMEOUT_MS,
        stdin: 'ignore',
      });
      if (git.failed && (git as { code?: string }).code === 'ENOENT') {
        return {
          label,
          status: 'warning',
          detail: `${project.path}; git not found on PATH (@branch worktrees need it)`,
        };
      }
      if (git.failed || String(git.stdout).trim() !== 'true') {
        return {
          label,
          status: 'warning',
          detail: `${project.path} is not a git repository; @branch worktrees will fail`,
        };
      }
      if (!writableOrCreatable(project.worktrees_root)) {
        return {
          label,
          status: 'error',
          detail: `worktrees folder ${project.worktrees_root} is not writable`,
        };
      }
      return { label, status: 'ok', detail: `${project.path}, worktrees in ${project.worktrees_root}` };
    }),
  );
}

/** The folder is writable, or its nearest existing parent is (so it can be created). */
function writableOrCreatable(path: string): boolean {
  let current = path;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
  try {
    accessSync(current, constants.W_OK);
    return statSync(current).isDirectory();
  } catch {
    return false;
  }
}

function fileTransferCheck(settings: Settings): DoctorCheck {
  const files = settings.transports.telegram.files;
  const label = 'file transfer';
  if (!files.enabled) return { label, status: 'ok', detail: 'disabled' };
  if (files.allowed_user_ids.length > 0) {
    return { label, status: 'ok', detail: `restricted to ${files.allowed_user_ids.length} user id(s)` };
  }
  return { label, status: 'warning', detail: 'enabled for all users' };
}

function voiceCheck(settings: Settings, env: NodeJS.ProcessEnv): DoctorCheck {
  const telegram = settings.transports.telegram;
  const label = 'voice transcription';
  if (!telegram.voice_transcription) return { label, status: 'ok', detail: 'disabled' };
  if (telegram.voice_transcription_api_key) {
    return { label, status: 'ok', detail: 'voice_transcription_api_key set' };
  }
  if (env['OPENAI_API_KEY']) return { label, status: 'ok', detail: 'OPENAI_API_KEY set' };
  return { label, status: 'error', detail: 'API key not set' };
}

/** Opened read-only: safe while the bridge runs (WAL), and never creates or migrates the file. */
function stateDatabaseCheck(path: string): DoctorCheck {
  const label = 'state database';
  if (!existsSync(path)) return { label, status: 'ok', detail: `not created yet (${path})` };
  const known = readMigrations().at(-1)?.version ?? 0;
  try {
    const store = openStore(path, { readonly: true });
    try {
      const integrity = store.integrityCheck();
      const version = store.schemaVersion();
      const size = formatBytes(fileSize(path) + fileSize(`${path}-wal`));
      if (integrity.length !== 1 || integrity[0] !== 'ok') {
        return {
          label,
          status: 'error',
          detail: `${path}: integrity_check failed`,
          notes: integrity.slice(0, 5),
        };
      }
      if (version > known) {
        return {
          label,
          status: 'error',
          detail: `${path}: schema v${version} is newer than this tentacle knows (v${known}); upgrade tentacle`,
        };
      }
      const migrate = version < known ? `, migrates to v${known} on start` : '';
      return { label, status: 'ok', detail: `${path}, schema v${version}${migrate}, ${size}, integrity ok` };
    } finally {
      store.close();
    }
  } catch (error) {
    return { label, status: 'error', detail: `${path}: ${(error as Error).message}` };
  }
}

function lockfileCheck(configPath: string, token: string): DoctorCheck {
  const label = 'lockfile';
  const lockPath = lockPathFor(configPath);
  if (!existsSync(lockPath)) return { label, status: 'ok', detail: 'absent (the bridge is not running)' };
  const lock = readLock(lockPath);
  if (!lock)
    return { label, status: 'warning', detail: `${lockPath} is unreadable; the next start replaces it` };
  if (!isProcessAlive(lock.pid)) {
    return {
      label,
      status: 'warning',
      detail: `stale: pid ${lock.pid} is not running; the next start takes it over`,
    };
  }
  if (lock.token_fingerprint !== tokenFingerprint(token)) {
    return { label, status: 'warning', detail: `held by live pid ${lock.pid} for another bot token` };
  }
  return { label, status: 'ok', detail: `held by live pid ${lock.pid} (the bridge is running)` };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
