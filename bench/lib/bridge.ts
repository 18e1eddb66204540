import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ALICE, BridgeHarness } from '../../test/support/bridge-harness.ts';
import { fakeEnginePath } from '../../test/support/fake-engine/index.ts';
import type { CallRecord, FakeUser } from '../../test/support/fake-telegram/types.ts';
import { TENTACLE_BIN } from '../../test/support/run-cli.ts';

export { ALICE };

/** `count` users with private chats of their own (ids from 2001 on). */
export function benchUsers(count: number): FakeUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: 2001 + i,
    first_name: `User ${i}`,
    username: `user${i}`,
  }));
}

export interface BenchBridge {
  harness: BridgeHarness;
  /** Users whose private chats the bridge serves (`allowed_user_ids`). */
  users: FakeUser[];
  /** The forum and its topic ids, when asked for. */
  forum?: { chatId: number; topics: number[] };
  /** The bridge's own pid, from the lockfile next to the config. */
  pid: number;
  close(): Promise<void>;
}

export interface BenchBridgeOptions {
  privateChats?: number;
  /** A forum with this many topics, the chat of the one project (topics enabled); the main chat stays Alice's. */
  forumTopics?: number;
  telegram?: Record<string, unknown>;
  /** Telegram's flood limits in the fake from before startup (default on). */
  rateLimits?: boolean;
}

/**
 * tentacle as a user runs it, against the fake Bot API with the fake engines first on PATH, through the
 * end-to-end harness; logs at `info` (the harness's `debug` would add its own cost to every event).
 */
export async function startBenchBridge(options: BenchBridgeOptions = {}): Promise<BenchBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'tentacle-bench-'));
  const users = benchUsers(options.privateChats ?? 0);
  const telegram: Record<string, unknown> = { ...options.telegram };
  if (users.length > 0) telegram['allowed_user_ids'] = [ALICE.id, ...users.map((u) => u.id)];
  const harness = await BridgeHarness.create(dir, { telegram });
  let forum: BenchBridge['forum'];
  if (options.forumTopics) {
    const chatId = harness.tg.addGroup({
      title: 'work',
      forum: true,
      members: [{ user: ALICE, status: 'creator' }],
    });
    const topics = Array.from({ length: options.forumTopics }, (_, i) =>
      harness.tg.addForumTopic(chatId, `topic ${i}`, { silent: true }),
    );
    // A project's own forum: its topics run in the project without being bound one by one.
    harness.writeConfig({
      telegram,
      extraToml: `[transports.telegram.topics]\nenabled = true\n[projects.bench]\npath = ${JSON.stringify(dir)}\nchat_id = ${chatId}\n`,
    });
    forum = { chatId, topics };
  }
  for (const user of users) harness.tg.addPrivateChat(user);
  if (options.rateLimits ?? true) harness.tg.setRateLimits(true);
  try {
    await launch(harness);
  } catch (error) {
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pid = (JSON.parse(readFileSync(`${harness.configPath}.lock`, 'utf8')) as { pid: number }).pid;
  return {
    harness,
    users,
    ...(forum ? { forum } : {}),
    pid,
    close: async () => {
      await harness.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `BridgeHarness.start` with an `info` log level. */
async function launch(h: BridgeHarness): Promise<void> {
  const since = h.tg.mark();
  h.stderr = '';
  h.process = execa(process.execPath, [TENTACLE_BIN, 'run', '--config', h.configPath], {
    cwd: h.dir,
    env: {
      PATH: fakeEnginePath(),
      HOME: h.dir,
      FAKE_ENGINE_RECORD: h.recordFile,
      FAKE_ENGINE_STATE_DIR: join(h.dir, 'fake-state'),
      FAKE_ENGINE_MAX_SECONDS: '300',
      TENTACLE_LOG_LEVEL: 'info',
    },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 600_000,
  });
  h.process.stderr?.on('data', (chunk: Buffer) => {
    h.stderr += chunk.toString();
  });
  await h.tg
    .waitForCall('sendMessage', (c) => String(c.params['text'] ?? '').includes('tentacle is ready'), {
      timeoutMs: 30_000,
      since,
      label: 'startup message',
    })
    .catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n--- tentacle stderr ---\n${h.stderr.slice(-4000)}`);
    });
}

/** The message a bot call replies to, whichever way the bridge said it. */
export function replyTarget(call: CallRecord): number | undefined {
  const params = call.params;
  const parameters = params['reply_parameters'] as { message_id?: number } | undefined;
  return (params['reply_to_message_id'] as number | undefined) ?? parameters?.message_id;
}

export const isFinalText = (text: unknown) => /^(done|error|cancelled) · /.test(String(text ?? ''));
export const isProgressText = (text: unknown) => /^(queued|starting|working) · /.test(String(text ?? ''));

/** The accepted `sendMessage` that delivered the final answer to `messageId`, if any yet. */
export function finalCall(
  calls: readonly CallRecord[],
  chatId: number,
  messageId: number,
): CallRecord | undefined {
  return calls.find(
    (c) =>
      c.method === 'sendMessage' &&
      c.status === 200 &&
      c.params['chat_id'] === chatId &&
      isFinalText(c.params['text']) &&
      replyTarget(c) === messageId,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
