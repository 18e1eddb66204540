import type { MessageEntity } from 'grammy/types';

/**
 * Who the bot is, as far as routing needs to know: its `@username` (without the `@`) and its user id.
 * Either may be unknown before `getMe` answered; routing then falls back to what takopi does.
 */
export interface BotIdentity {
  username?: string | undefined;
  id?: number | undefined;
}

/**
 * Whether `name` (with or without a leading `@`) is this bot's username. Usernames are
 * case-insensitive in Telegram, so `@MyBot` and `@mybot` are the same bot.
 *
 * @example
 *   isBotUsername('@MyBot', 'mybot') // true
 */
export function isBotUsername(name: string, botUsername: string | undefined): boolean {
  if (!botUsername) return false;
  return stripAt(name).toLowerCase() === stripAt(botUsername).toLowerCase();
}

/**
 * Whether a message mentions this bot: a `mention` entity spelling `@botname`, a `text_mention` entity
 * pointing at the bot's user id, or `@botname` written as a word of the text (a caption or a transcript
 * carries no entities, so the text itself is checked too).
 *
 * @example
 *   mentionsBot('hey @mybot look', [], { username: 'mybot' }) // true
 *   mentionsBot('mail me@mybot.dev', [], { username: 'mybot' }) // false
 */
export function mentionsBot(text: string, entities: readonly MessageEntity[], bot: BotIdentity): boolean {
  for (const entity of entities) {
    if (entity.type === 'text_mention' && bot.id !== undefined && entity.user.id === bot.id) return true;
    if (entity.type === 'mention') {
      const spelled = utf16Slice(text, entity.offset, entity.length);
      if (isBotUsername(spelled, bot.username)) return true;
    }
  }
  if (!bot.username) return false;
  // A word boundary on both sides: `x@mybot` (an address) and `@mybot_two` (another bot) do not count.
  const pattern = new RegExp(`(^|[^\\w@])@${escapeRegExp(stripAt(bot.username))}(?![\\w])`, 'i');
  return pattern.test(text);
}

function stripAt(name: string): string {
  return name.startsWith('@') ? name.slice(1) : name;
}

/** Entity offsets count UTF-16 code units, which is exactly what JS string indices are. */
function utf16Slice(text: string, offset: number, length: number): string {
  return text.slice(offset, offset + length);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
