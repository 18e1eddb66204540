import type { Chat, Message, User } from 'grammy/types';
import type { FakeUser, MemberStatus } from './types.ts';

export interface MemberState {
  user: User;
  status: MemberStatus;
  canManageTopics: boolean;
  canDeleteMessages: boolean;
  canPinMessages: boolean;
}

export interface TopicState {
  id: number;
  name: string;
  iconColor: number;
  iconCustomEmojiId: string | undefined;
  createdByBot: boolean;
  closed: boolean;
  deleted: boolean;
}

export interface StoredMessage {
  id: number;
  chatId: number;
  /** The current wire form, edits applied. */
  message: Message;
  fromBot: boolean;
  deleted: boolean;
  /** The forum topic (never General). */
  threadId: number | undefined;
  /** An explicit reply target. */
  replyToId: number | undefined;
  service: string | undefined;
  sentAt: number;
  editCount: number;
}

export interface ChatState {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  title: string | undefined;
  user: User | undefined;
  isForum: boolean;
  bot: MemberState;
  members: Map<number, MemberState>;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  topics: Map<number, TopicState>;
  instance: string;
  /** A private chat whose user blocked the bot: sends get 403. */
  blockedBot: boolean;
}

export interface StoredFile {
  fileId: string;
  uniqueId: string;
  bytes: Buffer;
  path: string;
  fileName: string | undefined;
  mimeType: string | undefined;
}

export const TOPIC_ICON_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f];

const ADMIN_STATUSES = new Set<MemberStatus>(['creator', 'administrator']);

export function isAdmin(m: MemberState | undefined): boolean {
  return m !== undefined && ADMIN_STATUSES.has(m.status);
}

export function isPresent(m: MemberState | undefined): boolean {
  return m !== undefined && m.status !== 'left' && m.status !== 'kicked';
}

export function memberState(
  user: User,
  status: MemberStatus,
  rights: { canManageTopics?: boolean; canDeleteMessages?: boolean; canPinMessages?: boolean },
): MemberState {
  const admin = ADMIN_STATUSES.has(status);
  return {
    user,
    status,
    canManageTopics: admin && (rights.canManageTopics ?? true),
    canDeleteMessages: admin && (rights.canDeleteMessages ?? true),
    canPinMessages: admin && (rights.canPinMessages ?? true),
  };
}

export function toUser(u: FakeUser): User {
  const user: User = { id: u.id, is_bot: false, first_name: u.first_name };
  if (u.last_name !== undefined) user.last_name = u.last_name;
  if (u.username !== undefined) user.username = u.username;
  if (u.language_code !== undefined) user.language_code = u.language_code;
  return user;
}

/** The `chat` object carried inside messages. */
export function chatShape(chat: ChatState): Chat {
  if (chat.type === 'private') {
    const u = chat.user!;
    const shape: Record<string, unknown> = { id: chat.id, first_name: u.first_name };
    if (u.last_name !== undefined) shape.last_name = u.last_name;
    if (u.username !== undefined) shape.username = u.username;
    shape.type = 'private';
    return shape as unknown as Chat;
  }
  const shape: Record<string, unknown> = { id: chat.id, title: chat.title, type: chat.type };
  if (chat.isForum) shape.is_forum = true;
  return shape as unknown as Chat;
}

/** A message as it appears inside another's `reply_to_message`: no further nesting. */
export function replySnapshot(target: StoredMessage): Message {
  const { reply_to_message: _nested, ...rest } = target.message;
  return rest as Message;
}

/**
 * Everything the fake knows: users, chats with their messages and topics, and uploaded files.
 * Plain records; the rules live in the methods and the test API.
 */
export class World {
  readonly users = new Map<number, User>();
  readonly chats = new Map<number, ChatState>();
  readonly files = new Map<string, StoredFile>();
  readonly filesByPath = new Map<string, StoredFile>();
  private fileSeq = 0;
  private groupSeq = 0;

  constructor(readonly bot: User) {}

  rememberUser(u: FakeUser): User {
    const user = toUser(u);
    this.users.set(user.id, user);
    return user;
  }

  nextGroupId(type: 'group' | 'supergroup'): number {
    this.groupSeq++;
    return type === 'supergroup' ? -1_001_000_000_000 - this.groupSeq : -4_000_000 - this.groupSeq;
  }

  addFile(
    bytes: Buffer,
    kind: string,
    fileName: string | undefined,
    mimeType: string | undefined,
  ): StoredFile {
    const n = ++this.fileSeq;
    const ext = fileName && /\.[A-Za-z0-9]{1,8}$/.exec(fileName)?.[0];
    const fallbackExt: Record<string, string> = { photos: '.jpg', videos: '.mp4', voice: '.oga' };
    const file: StoredFile = {
      fileId: `BQACAgIAAxkBAAI${n.toString(36).padStart(6, '0')}${Buffer.from(`f${n}`).toString('base64url')}`,
      uniqueId: `AgAD${n.toString(36).padStart(4, '0')}`,
      bytes,
      path: `${kind}/file_${n}${ext ?? fallbackExt[kind] ?? ''}`,
      fileName,
      mimeType,
    };
    this.files.set(file.fileId, file);
    this.filesByPath.set(file.path, file);
    return file;
  }

  /** Stores a new message in `chat` with the next id. */
  store(
    chat: ChatState,
    message: Omit<Message, 'message_id'>,
    meta: Partial<StoredMessage> & { sentAt: number },
  ): StoredMessage {
    const id = chat.nextMessageId++;
    const stored: StoredMessage = {
      id,
      chatId: chat.id,
      message: { message_id: id, ...message } as Message,
      fromBot: meta.fromBot ?? false,
      deleted: false,
      threadId: meta.threadId,
      replyToId: meta.replyToId,
      service: meta.service,
      sentAt: meta.sentAt,
      editCount: 0,
    };
    chat.messages.set(id, stored);
    return stored;
  }

  liveMessage(chat: ChatState, id: number): StoredMessage | undefined {
    const m = chat.messages.get(id);
    return m && !m.deleted ? m : undefined;
  }
}

/** Guesses a MIME type from a file name, as the server does for documents uploaded without a useful one. */
export function mimeFromName(fileName: string | undefined): string | undefined {
  const ext = fileName?.toLowerCase().split('.').pop();
  const table: Record<string, string> = {
    txt: 'text/plain',
    md: 'text/markdown',
    json: 'application/json',
    zip: 'application/zip',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    mp4: 'video/mp4',
    ogg: 'audio/ogg',
    oga: 'audio/ogg',
    mp3: 'audio/mpeg',
    ts: 'video/mp2t',
    js: 'text/javascript',
    py: 'text/x-python',
    csv: 'text/csv',
    html: 'text/html',
  };
  return ext ? table[ext] : undefined;
}

/**
 * The fields every new message starts with. In a forum topic: `message_thread_id`, `is_topic_message`, and a
 * `reply_to_message` that is the explicit target or, failing one, the topic's creation message (the implicit
 * reply Telegram adds). In an ordinary supergroup a reply carries the reply thread's root as
 * `message_thread_id` without `is_topic_message` — an id that is not a topic and can't be sent back.
 */
export function messageHead(
  chat: ChatState,
  from: User,
  threadId: number | undefined,
  target: StoredMessage | undefined,
  dateSec: number,
): Omit<Message, 'message_id'> {
  const head: Record<string, unknown> = { from, chat: chatShape(chat), date: dateSec };
  if (threadId !== undefined) {
    head.message_thread_id = threadId;
    head.is_topic_message = true;
  } else if (chat.type === 'supergroup' && !chat.isForum && target) {
    head.message_thread_id = target.message.message_thread_id ?? target.id;
  }
  const replyTo = target ?? (threadId !== undefined ? chat.messages.get(threadId) : undefined);
  if (replyTo) head.reply_to_message = replySnapshot(replyTo);
  return head as unknown as Omit<Message, 'message_id'>;
}
