import type { EngineId, ResumeToken } from '../../engines/events.ts';

/**
 * Topic keys: the name of one conversation lane (DESIGN.md §2), also the topic actor's `systemId`.
 * - forum topic: `tg:<chat>:<thread>`;
 * - chat mode: `tg:<chat>` in a private chat, `tg:<chat>:u<sender>` in a group;
 * - stateless: `tg:<chat>:m<message_id>` for the message that opened the lane.
 */
export type TopicKey = string;

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

/** @example forumTopicKey(-1001, 42) // 'tg:-1001:42' */
export function forumTopicKey(chatId: number, threadId: number): TopicKey {
  return `tg:${chatId}:${threadId}`;
}

/**
 * The chat-mode lane: the whole private chat, or one sender in a group (each member keeps their own
 * session, as takopi does).
 *
 * @example
 *   chatModeKey(5, 'private', 5) // 'tg:5'
 *   chatModeKey(-1001, 'supergroup', 7) // 'tg:-1001:u7'
 */
export function chatModeKey(chatId: number, chatType: ChatType, senderId: number): TopicKey {
  return chatType === 'private' ? `tg:${chatId}` : `tg:${chatId}:u${senderId}`;
}

/** @example statelessKey(-1001, 314) // 'tg:-1001:m314' */
export function statelessKey(chatId: number, messageId: number): TopicKey {
  return `tg:${chatId}:m${messageId}`;
}

/** Prefs set in a chat (`/agent set`, `/trigger`, chat `/ctx set`, …) live under `tg:<chat>`. */
export function chatPrefsKey(chatId: number): string {
  return `tg:${chatId}`;
}

/** Prefs and the binding of one forum topic live under `tg:<chat>:<thread>`. */
export function topicPrefsKey(chatId: number, threadId: number): string {
  return `tg:${chatId}:${threadId}`;
}

export type ParsedTopicKey =
  | { kind: 'forum-topic'; chatId: number; threadId: number }
  | { kind: 'chat'; chatId: number }
  | { kind: 'chat-sender'; chatId: number; senderId: number }
  | { kind: 'stateless'; chatId: number; messageId: number };

/**
 * Reads a topic key back; undefined when it is not one.
 *
 * @example parseTopicKey('tg:-1001:u7') // { kind: 'chat-sender', chatId: -1001, senderId: 7 }
 */
export function parseTopicKey(key: string): ParsedTopicKey | undefined {
  const match = /^tg:(-?\d+)(?::(u|m)?(\d+))?$/.exec(key);
  if (!match) return undefined;
  const chatId = Number(match[1]);
  if (match[3] === undefined) return { kind: 'chat', chatId };
  const id = Number(match[3]);
  if (match[2] === 'u') return { kind: 'chat-sender', chatId, senderId: id };
  if (match[2] === 'm') return { kind: 'stateless', chatId, messageId: id };
  return { kind: 'forum-topic', chatId, threadId: id };
}

/** The sessions index: which lane owns an engine session, if any. */
export type SessionOwnerLookup = (engine: EngineId, token: string) => TopicKey | undefined;

export interface LaneInput {
  chatId: number;
  chatType: ChatType;
  messageId: number;
  senderId?: number | undefined;
  /** The forum topic, only when the message is a topic message (`is_topic_message`); never General. */
  threadId?: number | undefined;
  /** Whether topics are enabled for this chat (topic-scope.ts). */
  topicsEnabled: boolean;
  sessionMode: 'stateless' | 'chat';
  /** The session this message continues, when it resolved to one. */
  resume?: ResumeToken | undefined;
  findOwner: SessionOwnerLookup;
}

export interface Lane {
  key: TopicKey;
  kind: 'forum-topic' | 'chat' | 'stateless-new' | 'stateless-joined';
}

/**
 * The lane a message belongs to.
 * - A topic message in a chat with topics enabled: that forum topic.
 * - Chat mode outside forum topics: the chat (private) or the sender's lane (group).
 * - Otherwise stateless: a message continuing a session joins the lane that owns it; any other message
 *   opens a new lane named after itself.
 *
 * Decisions: a forum-topic message where topics are not enabled does not use the chat-mode lane (takopi
 * keeps chat sessions out of forum threads, so separate topics never share one session); it is
 * stateless. A group message with no sender cannot have a per-sender lane either, so it is stateless
 * too. A session owned by a lane of another chat is not joined: lanes answer in their own chat, and the
 * session lock, not the lane, keeps one session from running twice.
 *
 * @example
 *   resolveLane({ chatId: -1001, chatType: 'supergroup', messageId: 9, threadId: 42, topicsEnabled: true,
 *     sessionMode: 'stateless', findOwner: () => undefined })
 *   // → { key: 'tg:-1001:42', kind: 'forum-topic' }
 */
export function resolveLane(input: LaneInput): Lane {
  const { chatId } = input;
  if (input.threadId !== undefined && input.topicsEnabled) {
    return { key: forumTopicKey(chatId, input.threadId), kind: 'forum-topic' };
  }
  if (input.sessionMode === 'chat' && input.threadId === undefined) {
    if (input.chatType === 'private') return { key: chatModeKey(chatId, 'private', chatId), kind: 'chat' };
    if (input.senderId !== undefined) {
      return { key: chatModeKey(chatId, input.chatType, input.senderId), kind: 'chat' };
    }
  }
  const owner = input.resume ? sessionOwner(input.resume, chatId, input.findOwner) : undefined;
  if (owner !== undefined) return { key: owner, kind: 'stateless-joined' };
  return { key: statelessKey(chatId, input.messageId), kind: 'stateless-new' };
}

/**
 * The lane of `chatId` that owns an engine session, according to the sessions index; undefined when no
 * lane owns it or its owner is in another chat.
 *
 * @example
 *   sessionOwner({ engine: 'codex', value: '019b' }, -1001, () => 'tg:-1001:m100') // 'tg:-1001:m100'
 */
export function sessionOwner(
  token: ResumeToken,
  chatId: number,
  findOwner: SessionOwnerLookup,
): TopicKey | undefined {
  const owner = findOwner(token.engine, token.value);
  return owner !== undefined && parseTopicKey(owner)?.chatId === chatId ? owner : undefined;
}
