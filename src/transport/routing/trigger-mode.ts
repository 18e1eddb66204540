import type { EngineId } from '../../engines/events.ts';
import { type BotIdentity, isBotUsername, mentionsBot } from './bot-mention.ts';
import { classifyCommand, parseCommand } from './commands.ts';
import type { IncomingMessage } from './message-kind.ts';

export type TriggerMode = 'all' | 'mentions';
export const TRIGGER_MODES: readonly TriggerMode[] = ['all', 'mentions'];

export interface ResolvedTriggerMode {
  mode: TriggerMode;
  source: 'topic' | 'chat' | 'default';
}

/**
 * The trigger mode in force: the topic's value, then the chat's, then `all`.
 *
 * Decision: unlike takopi (which stores a topic's `all` as "unset", takopi-behavior.md §17.8), a topic set
 * to `all` overrides a chat-level `mentions`; clearing the topic's value falls back to the chat's.
 *
 * @example
 *   resolveTriggerMode({ topic: 'all', chat: 'mentions' }) // { mode: 'all', source: 'topic' }
 */
export function resolveTriggerMode(values: {
  topic?: TriggerMode | null | undefined;
  chat?: TriggerMode | null | undefined;
}): ResolvedTriggerMode {
  if (values.topic) return { mode: values.topic, source: 'topic' };
  if (values.chat) return { mode: values.chat, source: 'chat' };
  return { mode: 'all', source: 'default' };
}

export interface TriggerOptions {
  mode: TriggerMode;
  bot: BotIdentity;
  engines: readonly EngineId[];
  projects: readonly string[];
  /** Other command names that count (plugin commands, if any). */
  extraCommands?: readonly string[] | undefined;
}

/**
 * Whether a message may start a run. In `all` mode every message does. In `mentions` mode only:
 * - a mention of this bot (`@botname` as an entity or in the text, or a `text_mention` of the bot);
 * - a real reply to one of this bot's messages (not the implicit reply to a topic's root, which
 *   message-kind.ts already leaves out, and not a reply to another bot);
 * - a first token that is a command addressed to this bot and known: a built-in, an engine, a project
 *   alias, or one of `extraCommands`.
 * Built-in commands are dispatched before this check and ignore the mode anyway.
 *
 * @example
 *   shouldTrigger({ text: '/claude fix', entities: [] }, { mode: 'mentions', bot: {}, engines: ['claude'], projects: [] }) // true
 */
export function shouldTrigger(
  message: Pick<IncomingMessage, 'text' | 'entities' | 'reply'>,
  options: TriggerOptions,
): boolean {
  if (options.mode === 'all') return true;
  if (mentionsBot(message.text, message.entities, options.bot)) return true;
  if (message.reply && isFromThisBot(message.reply, options.bot)) return true;
  const command = parseCommand(message.text, message.entities, options.bot.username);
  if (!command?.forThisBot) return false;
  if (classifyCommand(command.name, options) !== 'unknown') return true;
  return (options.extraCommands ?? []).some((name) => name.toLowerCase() === command.name);
}

function isFromThisBot(reply: NonNullable<IncomingMessage['reply']>, bot: BotIdentity): boolean {
  if (bot.id !== undefined && reply.fromId !== undefined) return reply.fromId === bot.id;
  if (!reply.fromIsBot) return false;
  // Without the bot's id, its username decides; with neither, any bot's message counts (takopi's rule).
  if (bot.username && reply.fromUsername) return isBotUsername(reply.fromUsername, bot.username);
  return true;
}
