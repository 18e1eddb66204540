import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ALICE, BridgeHarness, type HarnessOptions } from '../support/bridge-harness.ts';

export const BOB = { id: 2002, first_name: 'Bob', username: 'bob' };
export const MALLORY = { id: 6666, first_name: 'Mallory', username: 'mallory' };
export { ALICE };

/**
 * Every kind of lane at once: the main chat is a forum with two topics (bound to `[projects.web]`
 * by their first message), a project group where Alice and Bob write, and Alice's private chat.
 * Only Alice and Bob are allowed.
 */
export interface ChaosWorld {
  h: BridgeHarness;
  forum: number;
  topics: [number, number];
  group: number;
  dm: number;
}

export interface WorldOptions {
  sessionMode: 'chat' | 'stateless';
  telegram?: Record<string, unknown>;
  topLevel?: Record<string, unknown>;
}

export async function createWorld(dir: string, options: WorldOptions): Promise<ChaosWorld> {
  const h = await BridgeHarness.create(dir, { chatId: 0 });
  const members = [
    { user: ALICE, status: 'creator' as const },
    { user: BOB, status: 'member' as const },
  ];
  const forum = h.tg.addGroup({ title: 'work', forum: true, members });
  const topics: [number, number] = [
    h.tg.addForumTopic(forum, 'a', { silent: true }),
    h.tg.addForumTopic(forum, 'b', { silent: true }),
  ];
  const group = h.tg.addGroup({ title: 'team', members });
  const dm = h.tg.addPrivateChat(ALICE);
  // The harness writes its main chat id into the config; the forum is the main chat here.
  (h as unknown as { chatId: number }).chatId = forum;
  const config: HarnessOptions = {
    telegram: {
      session_mode: options.sessionMode,
      allowed_user_ids: [ALICE.id, BOB.id],
      ...options.telegram,
    },
    extraToml: [
      '[transports.telegram.topics]',
      'enabled = true',
      'scope = "main"',
      '[projects.web]',
      `path = ${JSON.stringify(dir)}`,
      '[projects.team]',
      `path = ${JSON.stringify(dir)}`,
      `chat_id = ${group}`,
    ].join('\n'),
  };
  if (options.topLevel) config.topLevel = options.topLevel;
  h.writeConfig(config);
  return { h, forum, topics, group, dm };
}

/** `PRAGMA integrity_check` of the bridge's state file ('ok' when sound), read without writing to it. */
export function integrityCheck(h: BridgeHarness): string {
  const db = new BetterSqlite3(join(h.dir, 'tentacle.db'), { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/** Whether the bridge process is still running (it never exits on its own under chaos). */
export function bridgeAlive(h: BridgeHarness): boolean {
  const child = h.process;
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/** A progress or placeholder message the bridge recorded for a run, with the run's status. */
export interface RecordedMessage {
  runId: string;
  status: string;
}

/**
 * The messages the bridge recorded as progress messages or queued placeholders (`runs.progress_message_id`),
 * keyed `<chat>:<message>`. A stale status message that is not here was sent by a call whose answer a
 * SIGKILL cut off: Telegram applied it, the bridge never learned its id.
 */
export function recordedMessages(h: BridgeHarness): Map<string, RecordedMessage> {
  const db = new BetterSqlite3(join(h.dir, 'tentacle.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT run_id, chat_id, progress_message_id, status FROM runs WHERE progress_message_id IS NOT NULL',
      )
      .all() as { run_id: string; chat_id: number; progress_message_id: number; status: string }[];
    return new Map(
      rows.map((r) => [`${r.chat_id}:${r.progress_message_id}`, { runId: r.run_id, status: r.status }]),
    );
  } finally {
    db.close();
  }
}
