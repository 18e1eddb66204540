import type { Chat, Message, User } from 'grammy/types';

/** Bot API JSON for test messages: only the fields a case needs, on top of a plain private message. */
export const BOT: User = { id: 999, is_bot: true, first_name: 'Bot', username: 'mybot' };
export const ALICE: User = { id: 7, is_bot: false, first_name: 'Alice' };

export const privateChat: Chat = { id: 7, type: 'private', first_name: 'Alice' };
export const forum: Chat = { id: -1001, type: 'supergroup', title: 'Forum', is_forum: true };
export const supergroup: Chat = { id: -1002, type: 'supergroup', title: 'Plain' };

export function message(fields: Record<string, unknown> = {}): Message {
  return {
    message_id: 50,
    date: 1_700_000_000,
    chat: privateChat,
    from: ALICE,
    text: 'hi',
    ...fields,
  } as Message;
}

/** The service message that opens forum topic `threadId` (its id is the thread id). */
export function topicRoot(threadId: number): Record<string, unknown> {
  return {
    message_id: threadId,
    date: 1_700_000_000,
    chat: forum,
    from: ALICE,
    message_thread_id: threadId,
    is_topic_message: true,
    forum_topic_created: { name: 'proj @br', icon_color: 0x6fb9f0 },
  };
}
