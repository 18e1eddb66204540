import type { InlineKeyboardMarkup, Message, MessageEntity, User } from 'grammy/types';
import type { Fault } from './faults.ts';
import type { FormattedText } from './formatted-text.ts';
import type { RateLimitOptions } from './rate-limiter.ts';

/** A person in the fake world. `id` is also their private chat's id. */
export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

export interface MemberSpec {
  user: FakeUser;
  status: MemberStatus;
  /** Administrator rights (default true for creator and administrator). */
  canManageTopics?: boolean;
  canDeleteMessages?: boolean;
  canPinMessages?: boolean;
}

export interface GroupSpec {
  title: string;
  /** A forum supergroup (topics). Forums are always supergroups. */
  forum?: boolean;
  /** Default 'supergroup'. A basic group's id is `-n`, a supergroup's `-100…`. */
  type?: 'group' | 'supergroup';
  id?: number;
  /** Default 'administrator'. A non-admin bot in privacy mode only sees commands, mentions and replies to it. */
  botStatus?: MemberStatus;
  /** The bot's `can_manage_topics` right (default true when it is an administrator). */
  canManageTopics?: boolean;
  /** The bot's `can_delete_messages` right (default true when it is an administrator). */
  canDeleteMessages?: boolean;
  members?: MemberSpec[];
}

export interface MediaSpec {
  bytes: Buffer | Uint8Array | string;
  fileName?: string;
  mimeType?: string;
}

export interface UserMessageSpec {
  chatId: number;
  /** The sender, or the id of a user the fake already knows. */
  from: FakeUser | number;
  text?: string;
  /** A forum topic id (never 1: General has no thread id). */
  threadId?: number;
  /** The message this one replies to; a reply to a topic message lands in that topic. */
  replyTo?: number;
  /** Exact entities; by default bot commands, @mentions and URLs in the text are marked as Telegram does. */
  entities?: MessageEntity[];
  forward?: { from?: FakeUser; senderName?: string; chat?: { id: number; title: string }; date?: number };
  document?: MediaSpec & { fileName: string };
  photo?: MediaSpec & { width?: number; height?: number };
  video?: MediaSpec & { duration?: number; width?: number; height?: number };
  voice?: MediaSpec & { duration?: number };
  mediaGroupId?: string;
  caption?: string;
  captionEntities?: MessageEntity[];
}

export interface PressButtonSpec {
  chatId: number;
  messageId: number;
  from: FakeUser | number;
  data: string;
  /** Press even if the message no longer shows a button with this data (a stale client). */
  force?: boolean;
}

/** One visible message as the chat reads now: edits applied, deleted messages gone. */
export interface ChatLogEntry {
  messageId: number;
  fromBot: boolean;
  from: User | undefined;
  /** The text, or the caption of a media message. */
  text: string | undefined;
  entities: MessageEntity[];
  replyMarkup: InlineKeyboardMarkup | undefined;
  /** The forum topic, if any (never set for General). */
  threadId: number | undefined;
  /** An explicit reply target (the implicit reply to a topic's root is not one). */
  replyTo: number | undefined;
  editCount: number;
  document: { fileName: string | undefined; mimeType: string | undefined; size: number } | undefined;
  /** For service messages: the service field, e.g. 'forum_topic_created'. */
  service: string | undefined;
  message: Message;
}

/** One HTTP request to the Bot API, in arrival order. */
export interface CallRecord {
  seq: number;
  /** The method as the server knows it (canonical case), or the raw path segment if unknown. */
  method: string;
  /** Parameters after decoding (numbers, booleans and JSON fields parsed whatever the encoding). */
  params: Record<string, unknown>;
  /** Clock time when the request arrived (ms). */
  time: number;
  /** False while the request is still held or being answered. */
  done: boolean;
  /** HTTP status answered; undefined for a reset connection. */
  status: number | undefined;
  /** The JSON body answered (or `{ reset: true }`). */
  response: unknown;
  fault: Fault | undefined;
}

export interface FakeTelegramLimits extends TextLimitsOption {
  /** Bytes of one `callback_data` (Telegram: 64). */
  callbackDataMaxBytes: number;
  /** Upload size above which the front proxy answers 413 (Telegram: 50 MB). */
  uploadMaxBytes: number;
  /** getFile refuses files above this size (Telegram: 20 MB). */
  downloadMaxBytes: number;
  /** getUpdates `timeout` cap in seconds (Telegram: 50). */
  pollTimeoutMaxSeconds: number;
  /** Only the bot's messages younger than this can be deleted (Telegram: 48 h). */
  deleteMaxAgeMs: number;
  /** A callback query can be answered this long after it was sent; undefined = no expiry. */
  callbackQueryTtlMs: number | undefined;
}

interface TextLimitsOption {
  textMaxCodePoints: number;
  captionMaxCodePoints: number;
  rawTextMaxBytes: number;
  maxEntities: number;
}

export interface FakeTelegramOptions {
  token: string;
  /** The bot's `first_name` (default 'Tentacle Test Bot'). The bot id is the token's numeric prefix. */
  botName?: string;
  botUsername?: string;
  /** getMe's `can_read_all_group_messages`: privacy mode off (default false). */
  canReadAllGroupMessages?: boolean;
  limits?: Partial<FakeTelegramLimits>;
  /** Flood control, off by default; `true` uses Telegram's documented figures. */
  rateLimits?: Partial<RateLimitOptions> | boolean;
  /** The clock for message dates, rate limits and fault periods (default Date.now). */
  now?: () => number;
  /** The first `update_id` (default 100000001). */
  firstUpdateId?: number;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Named in the timeout error. */
  label?: string;
}

export interface WaitForCallOptions extends WaitOptions {
  /** Only calls with `seq` greater than this (see `tg.mark()`). */
  since?: number;
}

export type { FormattedText };
