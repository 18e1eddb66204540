import type { Settings } from '../../config/load-config.ts';
import type { EngineId } from '../../engines/events.ts';
import type { PrefsRepository } from '../../store/prefs.repository.ts';
import type { ScopePrefs } from '../prefs.ts';
import type { ParsedCommand } from '../routing/commands.ts';
import type { IncomingMessage } from '../routing/message-kind.ts';

/**
 * Everything a chat command handler may use. Handlers are small async functions
 * (`(ctx) => Promise<void>`) that read and write preferences and reply; they never talk to the
 * Bot API directly, so they are tested without a network.
 */
export interface CommandContext {
  message: IncomingMessage;
  command: ParsedCommand;
  settings: Settings;
  prefs: PrefsRepository<ScopePrefs>;
  /** Engines with their CLI on PATH, and all engines tentacle knows. */
  engines: { installed: readonly EngineId[]; all: readonly EngineId[] };
  /** The default engine after the `--engine` override. */
  globalEngine: EngineId;
  /** Whether forum topics are enabled for this chat (`topics.enabled` + scope). */
  topicsEnabled: boolean;
  /** The prefs key of the chat, and of the forum topic when the message is in one. */
  chatKey: string;
  topicKey: string | undefined;
  /**
   * Whether the sender may change settings: always in private chats; in groups, creators and
   * administrators (`getChatMember`). Rejects when Telegram could not be asked.
   */
  senderIsAdmin(): Promise<boolean>;
  /** Replies to the command's message (markdown), in its thread. */
  reply(markdown: string): void;
  /** Renames the current forum topic; failures are logged, not shown (takopi §5). */
  renameTopic(title: string): Promise<void>;
  /** Creates a forum topic in this chat; resolves to its thread id, or rejects. */
  createTopic(name: string): Promise<number>;
  /** Sends a message into another thread of this chat (the new topic's binding message). */
  sendToThread(threadId: number, markdown: string): void;
}

export type CommandHandler = (ctx: CommandContext) => Promise<void>;
