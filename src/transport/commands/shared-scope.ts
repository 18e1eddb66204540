import type { CommandContext } from './command-context.ts';

/** Where a settings command reads and writes: the forum topic it was sent in, or the whole chat. */
export interface CommandScope {
  name: 'topic' | 'chat';
  /** The prefs key: `tg:<chat>:<thread>` or `tg:<chat>`. */
  key: string;
}

/**
 * The scope a command acts on: the forum topic when the message is in one and topics are enabled for
 * the chat, otherwise the chat. A forum thread of a chat without topics shares the chat's settings.
 *
 * @example
 *   commandScope({ topicKey: 'tg:-1001:42', topicsEnabled: true, chatKey: 'tg:-1001', … })
 *   // → { name: 'topic', key: 'tg:-1001:42' }
 */
export function commandScope(ctx: CommandContext): CommandScope {
  if (ctx.topicKey !== undefined && ctx.topicsEnabled) return { name: 'topic', key: ctx.topicKey };
  return { name: 'chat', key: ctx.chatKey };
}
