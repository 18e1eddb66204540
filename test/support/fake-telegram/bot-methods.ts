import type { BotCommand, InlineKeyboardMarkup, Message, MessageEntity, User } from 'grammy/types';
import { ApiError, badRequest, ERR, forbidden, tooManyRequests } from './api-error.ts';
import { countCodePoints, prepareText } from './formatted-text.ts';
import type { Params } from './params.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { readReplyMarkup } from './reply-markup.ts';
import { EntityTooLarge, isUploadedFile } from './request-body.ts';
import type { FakeTelegramLimits } from './types.ts';
import type { UpdateQueue } from './update-queue.ts';
import {
  type ChatState,
  isAdmin,
  isPresent,
  type MemberState,
  messageHead,
  mimeFromName,
  type StoredMessage,
  TOPIC_ICON_COLORS,
  type World,
} from './world.ts';

export interface CallbackQueryState {
  id: string;
  chatId: number;
  messageId: number;
  sentAt: number;
  answer: Record<string, unknown> | undefined;
}

export interface ChatActionRecord {
  chatId: number;
  threadId: number | undefined;
  action: string;
  time: number;
}

export interface MethodDeps {
  world: World;
  queue: UpdateQueue;
  limits: FakeTelegramLimits;
  now: () => number;
  limiter: () => RateLimiter | undefined;
  me: Record<string, unknown> & User;
  callbacks: Map<string, CallbackQueryState>;
  commands: Map<string, BotCommand[]>;
  chatActions: ChatActionRecord[];
  webhook: { url: string | undefined };
}

type Handler = (p: Params) => unknown;

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
const COMMAND_SCOPES = new Set([
  'default',
  'all_private_chats',
  'all_group_chats',
  'all_chat_administrators',
  'chat',
  'chat_administrators',
  'chat_member',
]);

/**
 * The Bot API methods the fake serves (everything but getUpdates, which needs the connection): each validates
 * like the real server, refuses with Telegram's descriptions, and applies its effect to the {@link World}.
 *
 * @example
 * const api = new BotMethods(deps);
 * api.handler('sendmessage')?.(new Params({ chat_id: 1, text: 'hi' }));
 */
export class BotMethods {
  private readonly table: Record<string, Handler> = {
    getMe: () => ({ ...this.d.me }),
    sendMessage: (p) => this.sendMessage(p),
    editMessageText: (p) => this.editMessageText(p),
    editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
    deleteMessage: (p) => this.deleteMessage(p),
    deleteMessages: (p) => this.deleteMessages(p),
    answerCallbackQuery: (p) => this.answerCallbackQuery(p),
    setMyCommands: (p) => this.setMyCommands(p),
    getMyCommands: (p) => this.d.commands.get(this.commandsKey(p)) ?? [],
    deleteMyCommands: (p) => this.d.commands.delete(this.commandsKey(p)) || true,
    deleteWebhook: (p) => {
      if (p.bool('drop_pending_updates')) this.d.queue.dropAll();
      this.d.webhook.url = undefined;
      return true;
    },
    getWebhookInfo: () => ({
      url: this.d.webhook.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.d.queue.pending().length,
    }),
    getChat: (p) => this.getChat(p),
    getChatMember: (p) => this.getChatMember(p),
    createForumTopic: (p) => this.createForumTopic(p),
    editForumTopic: (p) => this.editForumTopic(p),
    sendDocument: (p) => this.sendDocument(p),
    getFile: (p) => this.getFile(p),
    sendChatAction: (p) => this.sendChatAction(p),
  };
  private readonly byLowerName = new Map(Object.keys(this.table).map((k) => [k.toLowerCase(), k]));

  constructor(private readonly d: MethodDeps) {}

  /** The canonical name of a method (the server matches names case-insensitively), including getUpdates. */
  canonicalName(name: string): string | undefined {
    if (name.toLowerCase() === 'getupdates') return 'getUpdates';
    return this.byLowerName.get(name.toLowerCase());
  }

  handler(canonical: string): Handler | undefined {
    return this.table[canonical];
  }

  // --- chats, threads, replies ---

  /** The chat for a call that posts or edits: unknown → 400, unreachable → 403 as Telegram answers. */
  private sendableChat(p: Params): ChatState {
    const chat = this.anyChat(p);
    if (chat.type === 'private') {
      if (chat.blockedBot) throw forbidden('bot was blocked by the user');
      return chat;
    }
    const kind = chat.type === 'supergroup' ? 'supergroup' : 'group';
    if (chat.bot.status === 'kicked') throw forbidden(`bot was kicked from the ${kind} chat`);
    if (!isPresent(chat.bot)) throw forbidden(`bot is not a member of the ${kind} chat`);
    return chat;
  }

  private anyChat(p: Params): ChatState {
    const raw = p.values.chat_id;
    if (raw === undefined || raw === '') throw badRequest(ERR.chatIdEmpty);
    if (typeof raw !== 'number') {
      const byName =
        typeof raw === 'string' && raw.startsWith('@')
          ? [...this.d.world.chats.values()].find((c) => c.user?.username && `@${c.user.username}` === raw)
          : undefined;
      if (byName) return byName;
      throw badRequest(ERR.chatNotFound);
    }
    const chat = this.d.world.chats.get(raw);
    if (chat) return chat;
    if (this.d.world.users.has(raw)) throw forbidden("bot can't initiate conversation with a user");
    throw badRequest(ERR.chatNotFound);
  }

  private thread(chat: ChatState, p: Params): number | undefined {
    const id = p.int('message_thread_id', ERR.threadNotFound);
    if (id === undefined || id === 0) return undefined;
    const topic = chat.isForum ? chat.topics.get(id) : undefined;
    // General is topic 1 inside the server but can't be addressed; leave the field out to post there.
    if (!topic || topic.deleted) throw badRequest(ERR.threadNotFound);
    if (topic.closed && !(isAdmin(chat.bot) && chat.bot.canManageTopics)) throw badRequest(ERR.topicClosed);
    return topic.id;
  }

  /** Thread and reply target together: a reply lands in its target's topic; a mismatch is refused. */
  private placement(
    chat: ChatState,
    p: Params,
  ): { threadId: number | undefined; target: StoredMessage | undefined } {
    let threadId = this.thread(chat, p);
    const rp = p.json('reply_parameters', "can't parse reply parameters JSON object") as
      | { message_id?: unknown; chat_id?: unknown; allow_sending_without_reply?: unknown }
      | undefined;
    const replyId = rp ? rp.message_id : p.int('reply_to_message_id', ERR.replyNotFound);
    if (replyId === undefined) return { threadId, target: undefined };
    const allowWithout = rp?.allow_sending_without_reply === true || p.bool('allow_sending_without_reply');
    const sameChat = rp?.chat_id === undefined || rp.chat_id === chat.id;
    let target =
      typeof replyId === 'number' && sameChat ? this.d.world.liveMessage(chat, replyId) : undefined;
    if (target && threadId !== undefined && target.threadId !== threadId) target = undefined;
    if (!target) {
      if (allowWithout) return { threadId, target: undefined };
      throw badRequest(ERR.replyNotFound);
    }
    threadId ??= target.threadId;
    return { threadId, target };
  }

  private admit(chat: ChatState): void {
    const limiter = this.d.limiter();
    if (!limiter) return;
    const retryAfter = limiter.admit(chat.id, chat.type === 'private' ? 'private' : 'group');
    if (retryAfter !== undefined) throw tooManyRequests(retryAfter);
  }

  private markup(p: Params, inlineOnly: boolean): InlineKeyboardMarkup | undefined {
    const value = p.values.reply_markup;
    if (typeof value === 'string' && value !== '') throw badRequest(ERR.replyMarkupJson);
    return readReplyMarkup(value === '' ? undefined : value, {
      callbackDataMaxBytes: this.d.limits.callbackDataMaxBytes,
      inlineOnly,
    });
  }

  private sec(): number {
    return Math.floor(this.d.now() / 1000);
  }

  private post(
    chat: ChatState,
    threadId: number | undefined,
    target: StoredMessage | undefined,
    content: Record<string, unknown>,
  ): Message {
    const head = messageHead(chat, this.d.world.bot, threadId, target, this.sec());
    const stored = this.d.world.store(
      chat,
      { ...head, ...content },
      { fromBot: true, threadId, replyToId: target?.id, sentAt: this.d.now() },
    );
    return stored.message;
  }

  // --- messages ---

  private sendMessage(p: Params): Message {
    const chat = this.sendableChat(p);
    const text = prepareText(
      p.string('text') ?? '',
      p.values.entities,
      p.string('parse_mode'),
      'text',
      this.d.limits,
    );
    const markup = this.markup(p, false);
    const { threadId, target } = this.placement(chat, p);
    this.admit(chat);
    const content: Record<string, unknown> = { text: text.text };
    if (text.entities.length > 0) content.entities = text.entities;
    const preview = p.values.link_preview_options;
    if (typeof preview === 'object' && preview !== null) content.link_preview_options = preview;
    if (markup) content.reply_markup = markup;
    return this.post(chat, threadId, target, content);
  }

  private editable(chat: ChatState, p: Params): StoredMessage {
    const id = p.int('message_id', ERR.messageIdMissing);
    if (id === undefined) throw badRequest(ERR.messageIdMissing);
    const m = this.d.world.liveMessage(chat, id);
    if (!m) throw badRequest(ERR.messageToEditNotFound);
    if (!m.fromBot || m.service) throw badRequest(ERR.messageCantBeEdited);
    return m;
  }

  private editMessageText(p: Params): Message {
    const chat = this.sendableChat(p);
    const m = this.editable(chat, p);
    if (m.message.text === undefined) throw badRequest(ERR.noTextToEdit);
    const text = prepareText(
      p.string('text') ?? '',
      p.values.entities,
      p.string('parse_mode'),
      'text',
      this.d.limits,
    );
    const markup = this.markup(p, true);
    if (
      text.text === m.message.text &&
      sameJson(text.entities, m.message.entities ?? []) &&
      sameJson(markup, m.message.reply_markup)
    ) {
      throw badRequest(ERR.notModified);
    }
    this.admit(chat);
    return this.applyEdit(m, { text: text.text, entities: text.entities, reply_markup: markup });
  }

  private editMessageReplyMarkup(p: Params): Message {
    const chat = this.sendableChat(p);
    const m = this.editable(chat, p);
    const markup = this.markup(p, true);
    if (sameJson(markup, m.message.reply_markup)) throw badRequest(ERR.notModified);
    this.admit(chat);
    return this.applyEdit(m, { reply_markup: markup });
  }

  /** Applies an edit; `reply_markup: undefined` removes the keyboard, as an edit without markup does on Telegram. */
  private applyEdit(
    m: StoredMessage,
    change: { text?: string; entities?: MessageEntity[]; reply_markup: InlineKeyboardMarkup | undefined },
  ): Message {
    const next: Record<string, unknown> = { ...m.message };
    if (change.text !== undefined) {
      next.text = change.text;
      delete next.entities;
      if (change.entities && change.entities.length > 0) next.entities = change.entities;
    }
    delete next.reply_markup;
    delete next.edit_date;
    next.edit_date = this.sec();
    if (change.reply_markup) next.reply_markup = change.reply_markup;
    m.message = next as unknown as Message;
    m.editCount++;
    return m.message;
  }

  private deleteMessage(p: Params): true {
    const chat = this.sendableChat(p);
    const id = p.int('message_id', ERR.messageIdMissing);
    if (id === undefined) throw badRequest(ERR.messageIdMissing);
    this.deleteOne(chat, id);
    return true;
  }

  private deleteMessages(p: Params): true {
    const chat = this.sendableChat(p);
    const ids = p.json('message_ids', "can't parse message_ids JSON object");
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
      throw badRequest('message_ids must be 1-100 ids');
    for (const id of ids) {
      try {
        if (typeof id === 'number') this.deleteOne(chat, id);
      } catch (e) {
        // deleteMessages skips messages it can't find or delete.
        if (!(e instanceof ApiError)) throw e;
      }
    }
    return true;
  }

  private deleteOne(chat: ChatState, id: number): void {
    const m = this.d.world.liveMessage(chat, id);
    if (!m) throw badRequest(ERR.messageToDeleteNotFound);
    if (m.service === 'forum_topic_created') throw badRequest(ERR.messageCantBeDeleted);
    const tooOld = this.d.now() - m.sentAt > this.d.limits.deleteMaxAgeMs;
    const mayDeleteOthers = chat.type === 'private' || (isAdmin(chat.bot) && chat.bot.canDeleteMessages);
    if (!m.fromBot && !mayDeleteOthers) throw badRequest(ERR.messageCantBeDeleted);
    if (tooOld && !(chat.type !== 'private' && mayDeleteOthers)) throw badRequest(ERR.messageCantBeDeleted);
    m.deleted = true;
  }

  // --- callbacks and commands ---

  private answerCallbackQuery(p: Params): true {
    const id = p.string('callback_query_id') ?? '';
    const q = this.d.callbacks.get(id);
    const ttl = this.d.limits.callbackQueryTtlMs;
    const expired = q !== undefined && ttl !== undefined && this.d.now() - q.sentAt > ttl;
    if (!q || q.answer || expired) throw badRequest(ERR.queryTooOld);
    const text = p.string('text');
    if (text !== undefined && countCodePoints(text) > 200) throw badRequest(ERR.callbackAnswerTooLong);
    const answer: Record<string, unknown> = {};
    for (const k of ['text', 'show_alert', 'url', 'cache_time'])
      if (p.values[k] !== undefined) answer[k] = p.values[k];
    q.answer = answer;
    return true;
  }

  private commandsKey(p: Params): string {
    const scope = p.json('scope', "can't parse BotCommandScope JSON object") as
      | { type?: unknown; chat_id?: unknown; user_id?: unknown }
      | undefined;
    const type = scope?.type ?? 'default';
    if (typeof type !== 'string' || !COMMAND_SCOPES.has(type)) {
      throw badRequest("can't parse BotCommandScope: Unsupported type specified");
    }
    const key: Record<string, unknown> = { type };
    if (type === 'chat' || type === 'chat_administrators' || type === 'chat_member') {
      if (typeof scope?.chat_id !== 'number' || !this.d.world.chats.has(scope.chat_id)) {
        throw badRequest(ERR.chatNotFound);
      }
      key.chat_id = scope.chat_id;
    }
    if (type === 'chat_member') key.user_id = scope?.user_id;
    return JSON.stringify([key, p.string('language_code') ?? '']);
  }

  private setMyCommands(p: Params): true {
    const commands = p.json('commands', "can't parse commands JSON object");
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest('too many commands specified');
    const list: BotCommand[] = commands.map((c: unknown) => {
      const { command, description } = (c ?? {}) as { command?: unknown; description?: unknown };
      if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command))
        throw badRequest(ERR.commandInvalid);
      if (
        typeof description !== 'string' ||
        description.trim() === '' ||
        countCodePoints(description) > 256
      ) {
        throw badRequest(ERR.commandDescriptionInvalid);
      }
      return { command, description };
    });
    const key = this.commandsKey(p);
    if (list.length === 0) this.d.commands.delete(key);
    else this.d.commands.set(key, list);
    return true;
  }

  // --- chats and members ---

  private getChat(p: Params): Record<string, unknown> {
    const chat = this.anyChat(p);
    if (chat.type !== 'private' && !isPresent(chat.bot)) throw badRequest(ERR.chatNotFound);
    const common = { accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: giftTypes() };
    if (chat.type === 'private') {
      const u = chat.user!;
      const info: Record<string, unknown> = { id: chat.id, first_name: u.first_name };
      if (u.last_name) info.last_name = u.last_name;
      if (u.username) info.username = u.username;
      return { ...info, type: 'private', ...common };
    }
    const info: Record<string, unknown> = { id: chat.id, title: chat.title, type: chat.type };
    if (chat.isForum) info.is_forum = true;
    return { ...info, ...common };
  }

  private getChatMember(p: Params): Record<string, unknown> {
    const chat = this.anyChat(p);
    const userId = p.int('user_id', 'invalid user_id specified');
    if (userId === undefined) throw badRequest('invalid user_id specified');
    if (userId === this.d.me.id)
      return memberJson(chat.type === 'private' ? { ...chat.bot, status: 'member' } : chat.bot);
    if (chat.type === 'private') {
      if (userId === chat.id) return memberJson({ ...chat.bot, user: chat.user!, status: 'member' });
    } else {
      const member = chat.members.get(userId);
      if (member) return memberJson(member);
    }
    const known = this.d.world.users.get(userId);
    if (!known) throw badRequest(ERR.userNotFound);
    return { user: known, status: 'left' };
  }

  // --- forum topics ---

  private createForumTopic(p: Params): Record<string, unknown> {
    const chat = this.sendableChat(p);
    const name = p.string('name') ?? '';
    if (name.trim() === '' || countCodePoints(name) > 128) throw badRequest(ERR.topicNameInvalid);
    if (!chat.isForum || !isAdmin(chat.bot) || !chat.bot.canManageTopics) {
      throw badRequest(ERR.notEnoughRightsToCreateTopic);
    }
    const color = p.int('icon_color', ERR.topicIconColorInvalid) ?? TOPIC_ICON_COLORS[0]!;
    if (!TOPIC_ICON_COLORS.includes(color)) throw badRequest(ERR.topicIconColorInvalid);
    const emoji = p.string('icon_custom_emoji_id');
    const created: Record<string, unknown> = { name, icon_color: color };
    if (emoji) created.icon_custom_emoji_id = emoji;
    const topic = createTopic(this.d.world, chat, this.d.world.bot, created, true, this.d.now());
    return { message_thread_id: topic.id, ...created };
  }

  private editForumTopic(p: Params): true {
    const chat = this.sendableChat(p);
    const id = p.int('message_thread_id', ERR.topicIdInvalid);
    const topic = id === undefined ? undefined : chat.topics.get(id);
    if (!chat.isForum || !topic || topic.deleted) throw badRequest(ERR.topicIdInvalid);
    if (!topic.createdByBot && !(isAdmin(chat.bot) && chat.bot.canManageTopics)) {
      throw badRequest(ERR.notEnoughRightsToEditTopic);
    }
    const name = p.string('name');
    if (name !== undefined && countCodePoints(name) > 128) throw badRequest(ERR.topicNameInvalid);
    const emoji = p.string('icon_custom_emoji_id');
    const edited: Record<string, unknown> = {};
    if (name && name !== topic.name) edited.name = name;
    if (emoji !== undefined && emoji !== (topic.iconCustomEmojiId ?? '')) edited.icon_custom_emoji_id = emoji;
    if (Object.keys(edited).length === 0) throw badRequest(ERR.topicNotModified);
    if (edited.name !== undefined) topic.name = name!;
    if (edited.icon_custom_emoji_id !== undefined) topic.iconCustomEmojiId = emoji || undefined;
    const head = messageHead(chat, this.d.world.bot, topic.id, undefined, this.sec());
    this.d.world.store(chat, { ...head, forum_topic_edited: edited } as Omit<Message, 'message_id'>, {
      fromBot: true,
      threadId: topic.id,
      service: 'forum_topic_edited',
      sentAt: this.d.now(),
    });
    return true;
  }

  private sendChatAction(p: Params): true {
    const chat = this.sendableChat(p);
    const action = p.string('action') ?? '';
    if (!CHAT_ACTIONS.has(action)) throw badRequest(ERR.wrongChatAction);
    const threadId = this.thread(chat, p);
    this.d.chatActions.push({ chatId: chat.id, threadId, action, time: this.d.now() });
    return true;
  }

  // --- files ---

  private sendDocument(p: Params): Message {
    const chat = this.sendableChat(p);
    const doc = this.documentField(p);
    const caption = prepareText(
      p.string('caption') ?? '',
      p.values.caption_entities,
      p.string('parse_mode'),
      'caption',
      this.d.limits,
    );
    const markup = this.markup(p, false);
    const { threadId, target } = this.placement(chat, p);
    this.admit(chat);
    const file = doc.stored ?? this.d.world.addFile(doc.bytes!, 'documents', doc.fileName, doc.mimeType);
    const document: Record<string, unknown> = {};
    if (file.fileName !== undefined) document.file_name = file.fileName;
    if (file.mimeType !== undefined) document.mime_type = file.mimeType;
    Object.assign(document, {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.bytes.length,
    });
    const content: Record<string, unknown> = { document };
    if (caption.text !== '') content.caption = caption.text;
    if (caption.entities.length > 0) content.caption_entities = caption.entities;
    if (markup) content.reply_markup = markup;
    return this.post(chat, threadId, target, content);
  }

  private documentField(p: Params): {
    stored?: ReturnType<World['addFile']>;
    bytes?: Buffer;
    fileName?: string | undefined;
    mimeType?: string | undefined;
  } {
    const value = p.values.document;
    if (isUploadedFile(value)) {
      if (value.bytes.length > this.d.limits.uploadMaxBytes) throw new EntityTooLarge(value.bytes.length);
      if (value.bytes.length === 0) throw badRequest(ERR.fileMustBeNonEmpty);
      const declared =
        value.contentType && value.contentType !== 'application/octet-stream' ? value.contentType : undefined;
      return {
        bytes: value.bytes,
        fileName: value.filename,
        mimeType: mimeFromName(value.filename) ?? declared ?? 'application/octet-stream',
      };
    }
    if (typeof value === 'string' && value !== '') {
      const stored = this.d.world.files.get(value);
      if (!stored) throw badRequest(ERR.wrongFileIdentifier);
      return { stored };
    }
    throw badRequest(ERR.documentMissing);
  }

  private getFile(p: Params): Record<string, unknown> {
    const file = this.d.world.files.get(p.string('file_id') ?? '');
    if (!file) throw badRequest(ERR.invalidFileId);
    if (file.bytes.length > this.d.limits.downloadMaxBytes) throw badRequest(ERR.fileTooBig);
    return {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.bytes.length,
      file_path: file.path,
    };
  }
}

/** Creates a topic and its `forum_topic_created` service message, whose id is the topic id. */
export function createTopic(
  world: World,
  chat: ChatState,
  by: User,
  created: Record<string, unknown>,
  byBot: boolean,
  now: number,
): { id: number; message: StoredMessage } {
  const id = chat.nextMessageId;
  chat.topics.set(id, {
    id,
    name: String(created.name),
    iconColor: Number(created.icon_color),
    iconCustomEmojiId: created.icon_custom_emoji_id as string | undefined,
    createdByBot: byBot,
    closed: false,
    deleted: false,
  });
  const head = messageHead(chat, by, id, undefined, Math.floor(now / 1000));
  const message = world.store(
    chat,
    { ...head, forum_topic_created: created } as unknown as Omit<Message, 'message_id'>,
    {
      fromBot: byBot,
      threadId: id,
      service: 'forum_topic_created',
      sentAt: now,
    },
  );
  return { id, message };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function giftTypes(): Record<string, boolean> {
  return {
    unlimited_gifts: true,
    limited_gifts: true,
    unique_gifts: true,
    premium_subscription: true,
    gifts_from_channels: true,
  };
}

function memberJson(m: MemberState): Record<string, unknown> {
  switch (m.status) {
    case 'creator':
      return { user: m.user, status: 'creator', is_anonymous: false };
    case 'administrator':
      return {
        user: m.user,
        status: 'administrator',
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: m.canDeleteMessages,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        can_pin_messages: m.canPinMessages,
        can_manage_topics: m.canManageTopics,
      };
    case 'restricted':
      return {
        user: m.user,
        status: 'restricted',
        is_member: true,
        can_send_messages: false,
        until_date: 0,
      };
    case 'kicked':
      return { user: m.user, status: 'kicked', until_date: 0 };
    default:
      return { user: m.user, status: m.status };
  }
}
