import { join } from 'node:path';
import type { Chat, Message, User } from 'grammy/types';
import { afterEach } from 'vitest';
import { type Settings, validateConfig } from '../../../src/config/load-config.ts';
import { ENGINE_IDS, type EngineId } from '../../../src/engines/events.ts';
import { PrefsRepository } from '../../../src/store/prefs.repository.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import type { CommandContext, CommandHandler } from '../../../src/transport/commands/command-context.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import { parseCommand } from '../../../src/transport/routing/commands.ts';
import { classifyMessage } from '../../../src/transport/routing/message-kind.ts';
import { chatPrefsKey, topicPrefsKey } from '../../../src/transport/routing/topic-key.ts';
import { topicScopeFrom, topicsEnabledFor } from '../../../src/transport/routing/topic-scope.ts';
import { useTempDir } from '../../support/temp-dir.ts';

export const BOT: User = { id: 999, is_bot: true, first_name: 'Bot', username: 'mybot' };
export const ALICE: User = { id: 7, is_bot: false, first_name: 'Alice' };

/** The chats of the test config: Alice's DM, the main forum, and the forum of project `pchat`. */
export const CHATS = {
  private: { id: 7, type: 'private', first_name: 'Alice' },
  forum: { id: -1001, type: 'supergroup', title: 'Main', is_forum: true },
  project: { id: -2002, type: 'supergroup', title: 'Pchat', is_forum: true },
} satisfies Record<string, Chat>;

export const THREAD = 42;
/** The thread id `createTopic` hands out. */
export const NEW_THREAD = 777;

export interface Where {
  chat: keyof typeof CHATS;
  /** A forum topic message in that chat. */
  thread?: number;
}

export const DM: Where = { chat: 'private' };
export const MAIN: Where = { chat: 'forum' };
export const TOPIC: Where = { chat: 'forum', thread: THREAD };
export const PROJECT_TOPIC: Where = { chat: 'project', thread: THREAD };

export interface SendOptions {
  /** `getChatMember` in groups: admin, not admin, or Telegram failing (default: admin). */
  admin?: boolean | 'throws';
  /** No `from` on the message (an anonymous admin). */
  noSender?: boolean;
  /** The text of the bot message this command replies to. */
  replyText?: string;
  renameFails?: boolean;
  createFails?: boolean;
}

/** Everything a handler did to the outside world. */
export interface Outcome {
  replies: string[];
  renames: string[];
  created: string[];
  sent: { threadId: number; markdown: string }[];
  adminChecks: number;
}

export interface HarnessConfig {
  topics?: { enabled: boolean; scope?: 'auto' | 'main' | 'projects' | 'all' };
  default_project?: string;
  /** Whether project `pchat` has its own chat (it turns scope `auto` into `projects`). */
  projectChat?: boolean;
  /** The `--engine` override. */
  globalEngine?: EngineId;
}

export interface Harness {
  settings: Settings;
  prefs: PrefsRepository<ScopePrefs>;
  /** Runs one command message through `handler` and records what it did. */
  send(handler: CommandHandler, text: string, where?: Where, options?: SendOptions): Promise<Outcome>;
  /** Every stored prefs row, by scope key. */
  rows(): Record<string, Partial<ScopePrefs>>;
  /** Stores prefs directly, as an earlier command would have. */
  seed(rows: Record<string, Partial<ScopePrefs>>): void;
}

/**
 * A `CommandContext` factory over a real SQLite store in a temp dir and a real validated config with
 * three projects: `proj`, `other` (default engine claude) and `pchat` (own forum chat -2002).
 * Topics are enabled with scope `all` unless a test says otherwise.
 */
export function useCommandHarness(): (config?: HarnessConfig) => Harness {
  const tempDir = useTempDir('tentacle-commands-');
  const stores: Store[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });
  return (config = {}) => {
    const dir = tempDir();
    const store = openStore(join(dir, 'tentacle.db'));
    stores.push(store);
    const settings = validateConfig(rawConfig(dir, config), join(dir, 'tentacle.toml'), { env: {} });
    const prefs = new PrefsRepository<ScopePrefs>(store.db);
    let messageId = 100;
    return {
      settings,
      prefs,
      rows: () => Object.fromEntries(prefs.all().map((row) => [row.scopeKey, row.data])),
      seed: (rows) => {
        for (const [key, data] of Object.entries(rows)) prefs.set(key, data);
      },
      async send(handler, text, where = DM, options = {}) {
        const outcome: Outcome = { replies: [], renames: [], created: [], sent: [], adminChecks: 0 };
        const chat = CHATS[where.chat];
        const message = classifyMessage(botApiMessage(messageId++, chat, text, where.thread, options));
        const command = parseCommand(message.text, message.entities, BOT.username);
        if (!command) throw new Error(`not a command: ${text}`);
        const ctx: CommandContext = {
          message,
          command,
          settings,
          prefs,
          engines: { installed: ['codex', 'claude'], all: ENGINE_IDS },
          globalEngine: config.globalEngine ?? (settings.default_engine as EngineId),
          topicsEnabled: topicsEnabledFor(chat.id, topicScopeFrom(settings)),
          chatKey: chatPrefsKey(chat.id),
          topicKey: message.threadId === undefined ? undefined : topicPrefsKey(chat.id, message.threadId),
          async senderIsAdmin() {
            outcome.adminChecks++;
            if (chat.type === 'private') return true;
            if (options.admin === 'throws') throw new Error('getChatMember failed');
            return options.admin ?? true;
          },
          reply: (markdown) => void outcome.replies.push(markdown),
          async renameTopic(title) {
            if (options.renameFails) throw new Error('editForumTopic failed');
            outcome.renames.push(title);
          },
          async createTopic(name) {
            if (options.createFails) throw new Error('createForumTopic failed');
            outcome.created.push(name);
            return NEW_THREAD;
          },
          sendToThread: (threadId, markdown) => void outcome.sent.push({ threadId, markdown }),
        };
        await handler(ctx);
        return outcome;
      },
    };
  };
}

function rawConfig(dir: string, config: HarnessConfig): Record<string, unknown> {
  return {
    ...(config.default_project ? { default_project: config.default_project } : {}),
    transports: {
      telegram: {
        bot_token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        chat_id: CHATS.forum.id,
        topics: config.topics ?? { enabled: true, scope: 'all' },
      },
    },
    projects: {
      proj: { path: join(dir, 'proj') },
      other: { path: join(dir, 'other'), default_engine: 'claude' },
      pchat: {
        path: join(dir, 'pchat'),
        ...(config.projectChat === false ? {} : { chat_id: CHATS.project.id }),
      },
    },
  };
}

function botApiMessage(
  messageId: number,
  chat: Chat,
  text: string,
  thread: number | undefined,
  options: SendOptions,
): Message {
  return {
    message_id: messageId,
    date: 1_700_000_000,
    chat,
    text,
    ...(options.noSender ? {} : { from: ALICE }),
    ...(thread === undefined ? {} : { message_thread_id: thread, is_topic_message: true }),
    ...(options.replyText === undefined
      ? {}
      : {
          reply_to_message: {
            message_id: messageId - 1,
            date: 1_700_000_000,
            chat,
            from: BOT,
            text: options.replyText,
          },
        }),
  } as Message;
}
