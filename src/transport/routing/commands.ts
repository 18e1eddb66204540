import type { MessageEntity } from 'grammy/types';
import { RESERVED_COMMANDS } from '../../config/schema.ts';
import type { EngineId } from '../../engines/events.ts';
import { isBotUsername } from './bot-mention.ts';

/** The commands tentacle itself handles (`/cancel`, `/new`, …); they ignore trigger mode. */
export const BUILTIN_COMMANDS = RESERVED_COMMANDS;
export type BuiltinCommand = (typeof BUILTIN_COMMANDS)[number];

/** A `/command` at the start of a message, split into its parts. */
export interface ParsedCommand {
  /** The command name, lowercased, without `/` and `@suffix`: `/Claude@MyBot` → `claude`. */
  name: string;
  /** The `@suffix` as written, without the `@`, when there was one. */
  addressee?: string | undefined;
  /**
   * False when the command names another bot (`/x@otherbot`). With no `@suffix`, or when this bot's
   * username is not known yet, the command counts as ours.
   */
  forThisBot: boolean;
  /** Everything after the command token, leading whitespace removed (later lines included). */
  args: string;
}

/**
 * Recognizes a command at the very start of a message's text or caption: a `bot_command` entity at offset
 * 0, or text that starts with `/`. The command token runs to the first whitespace, so project aliases that
 * Telegram would not make into a `bot_command` (`/happy-gadgets`) are commands too; a token holding another
 * `/` (`/this/path`) is a path, not a command.
 *
 * @example
 *   parseCommand('/model@mybot set o3', [], 'mybot')
 *   // → { name: 'model', addressee: 'mybot', forThisBot: true, args: 'set o3' }
 *   parseCommand('/x@otherbot hi', [], 'mybot')?.forThisBot // false
 */
export function parseCommand(
  text: string,
  entities: readonly MessageEntity[] = [],
  botUsername?: string | undefined,
): ParsedCommand | undefined {
  const startsWithEntity = entities.some((entity) => entity.type === 'bot_command' && entity.offset === 0);
  if (!startsWithEntity && !text.startsWith('/')) return undefined;
  const match = /^\/([^\s@/]+)(?:@([A-Za-z0-9_]+))?(?=\s|$)/.exec(text);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const addressee = match[2];
  return {
    name,
    addressee,
    forThisBot: addressee === undefined || !botUsername || isBotUsername(addressee, botUsername),
    args: text.slice(match[0].length).replace(/^\s+/, ''),
  };
}

export type CommandKind = 'builtin' | 'engine' | 'project' | 'unknown';

/**
 * What a command name refers to: a built-in (`cancel`, `new`, `agent`, `model`, `reasoning`, `trigger`,
 * `ctx`, `topic`, `file`), an engine directive, a project directive, or nothing tentacle knows.
 * Config validation keeps these namespaces apart (a project alias may not be an engine id or a built-in).
 *
 * @example
 *   classifyCommand('claude', { engines: ['codex', 'claude'], projects: ['proj'] }) // 'engine'
 */
export function classifyCommand(
  name: string,
  known: { engines: readonly EngineId[]; projects: readonly string[] },
): CommandKind {
  const key = name.toLowerCase();
  if ((BUILTIN_COMMANDS as readonly string[]).includes(key)) return 'builtin';
  if (known.engines.some((engine) => engine.toLowerCase() === key)) return 'engine';
  if (known.projects.some((alias) => alias.toLowerCase() === key)) return 'project';
  return 'unknown';
}

export function isBuiltinCommand(name: string): name is BuiltinCommand {
  return (BUILTIN_COMMANDS as readonly string[]).includes(name);
}
