import type { Message, MessageEntity } from 'grammy/types';
import type { ChatType } from './topic-key.ts';

export type MediaKind =
  | 'document'
  | 'photo'
  | 'video'
  | 'voice'
  | 'audio'
  | 'animation'
  | 'video_note'
  | 'sticker';

/** The message a real reply answers. */
export interface RepliedMessage {
  messageId: number;
  /** Its text or caption, as Telegram hands it back (entities are not used: resume and ctx lines are plain). */
  text: string;
  fromId?: number | undefined;
  fromIsBot: boolean;
  fromUsername?: string | undefined;
}

/** An incoming message reduced to what routing decides on. Plain JSON. */
export interface IncomingMessage {
  chatId: number;
  chatType: ChatType;
  messageId: number;
  /** Unix seconds. */
  date: number;
  senderId?: number | undefined;
  senderIsBot: boolean;
  /** The forum topic, only when `is_topic_message` is true; General and reply threads have none. */
  threadId?: number | undefined;
  /** The text, else the caption, else empty. */
  text: string;
  entities: MessageEntity[];
  textSource: 'text' | 'caption' | 'none';
  forwarded: boolean;
  media?: MediaKind | undefined;
  mediaGroupId?: string | undefined;
  /** Set only for a real reply, never for the implicit reply to a forum topic's root. */
  reply?: RepliedMessage | undefined;
}

/**
 * Reduces a Bot API `Message` to the routing facts.
 *
 * `message_thread_id` is trusted only with `is_topic_message`: plain supergroups set it on reply threads
 * and older servers on replies in General, and sending such an id back fails.
 *
 * @example
 *   classifyMessage({ message_id: 9, date: 1, chat: { id: 5, type: 'private', first_name: 'a' }, text: 'hi' })
 *   // → { chatId: 5, chatType: 'private', messageId: 9, text: 'hi', forwarded: false, … }
 */
export function classifyMessage(message: Message): IncomingMessage {
  const textSource = message.text !== undefined ? 'text' : message.caption !== undefined ? 'caption' : 'none';
  const reply = message.reply_to_message;
  return {
    chatId: message.chat.id,
    chatType: message.chat.type,
    messageId: message.message_id,
    date: message.date,
    senderId: message.from?.id,
    senderIsBot: message.from?.is_bot ?? false,
    threadId: message.is_topic_message === true ? message.message_thread_id : undefined,
    text: message.text ?? message.caption ?? '',
    entities: [...(message.entities ?? message.caption_entities ?? [])],
    textSource,
    forwarded: isForwarded(message),
    media: mediaKind(message),
    mediaGroupId: message.media_group_id,
    reply:
      reply && !isImplicitTopicReply(message)
        ? {
            messageId: reply.message_id,
            text: reply.text ?? reply.caption ?? '',
            fromId: reply.from?.id,
            fromIsBot: reply.from?.is_bot ?? false,
            fromUsername: reply.from?.username,
          }
        : undefined,
  };
}

/**
 * Whether `reply_to_message` is only the server's implicit reply to a forum topic's root: every message in
 * a topic carries one. It points at the `forum_topic_created` message, whose id is the thread id. The id
 * comparison is made only for topic messages: in a plain supergroup the thread id of a reply thread is the
 * id of the message really replied to.
 *
 * @example
 *   isImplicitTopicReply({ …, is_topic_message: true, message_thread_id: 42, reply_to_message: { message_id: 42, … } }) // true
 */
export function isImplicitTopicReply(message: Message): boolean {
  const reply = message.reply_to_message;
  if (!reply) return false;
  if (reply.forum_topic_created !== undefined) return true;
  return message.is_topic_message === true && reply.message_id === message.message_thread_id;
}

/** Fields of forwarded messages from before Bot API 7.0; some servers and clients still send them. */
const LEGACY_FORWARD_FIELDS = [
  'forward_from',
  'forward_from_chat',
  'forward_from_message_id',
  'forward_signature',
  'forward_sender_name',
  'forward_date',
] as const;

/**
 * Whether a message is a forward: `forward_origin` (current API), an automatic forward from a linked
 * channel, or any legacy `forward_*` field.
 */
export function isForwarded(message: Message): boolean {
  if (message.forward_origin !== undefined || message.is_automatic_forward === true) return true;
  const fields = message as unknown as Record<string, unknown>;
  return LEGACY_FORWARD_FIELDS.some((field) => fields[field] !== undefined);
}

/** The attachment a message carries, if any. An animation also carries `document`, so it is tested first. */
export function mediaKind(message: Message): MediaKind | undefined {
  if (message.animation) return 'animation';
  if (message.document) return 'document';
  if (message.photo) return 'photo';
  if (message.video) return 'video';
  if (message.voice) return 'voice';
  if (message.audio) return 'audio';
  if (message.video_note) return 'video_note';
  if (message.sticker) return 'sticker';
  return undefined;
}
