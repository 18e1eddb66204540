import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotCommand, Message, PhotoSize, Update, User } from 'grammy/types';
import { ApiError, CONFLICT_WEBHOOK } from './api-error.ts';
import { detectEntities } from './auto-entities.ts';
import { BotMethods, type CallbackQueryState, type ChatActionRecord, createTopic } from './bot-methods.ts';
import { type Fault, FaultPlan } from './faults.ts';
import { countCodePoints } from './formatted-text.ts';
import { normalizeParams, Params } from './params.ts';
import { RateLimiter, type RateLimitOptions, TELEGRAM_RATE_LIMITS } from './rate-limiter.ts';
import { EntityTooLarge, readParams } from './request-body.ts';
import type {
  CallRecord,
  ChatLogEntry,
  FakeTelegramLimits,
  FakeTelegramOptions,
  FakeUser,
  GroupSpec,
  MediaSpec,
  MemberStatus,
  PressButtonSpec,
  UserMessageSpec,
  WaitForCallOptions,
  WaitOptions,
} from './types.ts';
import { UpdateQueue } from './update-queue.ts';
import {
  type ChatState,
  isAdmin,
  isPresent,
  memberState,
  messageHead,
  mimeFromName,
  type StoredMessage,
  TOPIC_ICON_COLORS,
  toUser,
  World,
} from './world.ts';

export const DEFAULT_LIMITS: FakeTelegramLimits = {
  textMaxCodePoints: 4096,
  captionMaxCodePoints: 1024,
  rawTextMaxBytes: 32 * 1024,
  maxEntities: 100,
  callbackDataMaxBytes: 64,
  uploadMaxBytes: 50 * 1024 * 1024,
  downloadMaxBytes: 20 * 1024 * 1024,
  pollTimeoutMaxSeconds: 50,
  deleteMaxAgeMs: 48 * 3600 * 1000,
  callbackQueryTtlMs: undefined,
};

/** The anonymous-admin account Telegram shows as the author of actions by anonymous group admins. */
const GROUP_ANONYMOUS_BOT: User = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};

const HTML_PAGES: Record<number, string> = {
  413: '413 Request Entity Too Large',
  500: '500 Internal Server Error',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

/**
 * A strict, in-process fake of the Telegram Bot API on 127.0.0.1, for tests that run the bridge as a real
 * child process. It answers like api.telegram.org (envelopes, HTTP statuses, error descriptions, long polling,
 * 409s, 429s, file upload and download) and lets the test drive users and observe every call.
 *
 * @example
 * const tg = await FakeTelegram.start({ token: '123456:TEST-token' });
 * const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
 * const chatId = tg.addPrivateChat(alice);
 * tg.sendUserMessage({ chatId, from: alice, text: 'hello' });
 * const call = await tg.waitForCall('sendMessage', (c) => c.params.chat_id === chatId);
 * await tg.stop();
 */
export class FakeTelegram {
  /** Every Bot API request in arrival order. */
  readonly calls: CallRecord[] = [];
  readonly bot: User & Record<string, unknown>;
  readonly limits: FakeTelegramLimits;
  private readonly world: World;
  private readonly queue: UpdateQueue;
  private readonly methods: BotMethods;
  private readonly faults: FaultPlan;
  private readonly now: () => number;
  private readonly callbacks = new Map<string, CallbackQueryState>();
  private readonly commands = new Map<string, BotCommand[]>();
  private readonly actions: ChatActionRecord[] = [];
  private readonly webhook: { url: string | undefined } = { url: undefined };
  private readonly listeners = new Set<() => void>();
  private readonly tooMany = new Map<number | 'none', number>();
  private limiter: RateLimiter | undefined;
  private server: Server | undefined;
  private seq = 0;
  private callbackSeq = 0;
  private base = '';

  private constructor(private readonly options: FakeTelegramOptions) {
    const botId = Number(/^(\d+):/.exec(options.token)?.[1]);
    if (!Number.isSafeInteger(botId))
      throw new Error(`token must look like "<bot id>:<secret>", got ${options.token}`);
    this.now = options.now ?? Date.now;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const username = options.botUsername ?? 'tentacle_test_bot';
    const first = options.botName ?? 'Tentacle Test Bot';
    this.bot = {
      id: botId,
      is_bot: true,
      first_name: first,
      username,
      can_join_groups: true,
      can_read_all_group_messages: options.canReadAllGroupMessages ?? false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    };
    this.world = new World({ id: botId, is_bot: true, first_name: first, username });
    this.queue = new UpdateQueue(options.firstUpdateId ?? 100_000_001, () => this.changed());
    this.faults = new FaultPlan(this.now);
    this.setRateLimits(options.rateLimits ?? false);
    this.methods = new BotMethods({
      world: this.world,
      queue: this.queue,
      limits: this.limits,
      now: this.now,
      limiter: () => this.limiter,
      me: this.bot,
      callbacks: this.callbacks,
      commands: this.commands,
      chatActions: this.actions,
      webhook: this.webhook,
    });
  }

  /** Starts the server on 127.0.0.1 (port 0 unless given). */
  static async start(options: FakeTelegramOptions): Promise<FakeTelegram> {
    const tg = new FakeTelegram(options);
    await tg.listen(options.port ?? 0);
    return tg;
  }

  /** The value for `transports.telegram.api_root` / grammY's `client.apiRoot` (no trailing slash). */
  get apiRoot(): string {
    return this.base;
  }

  get token(): string {
    return this.options.token;
  }

  /** Answers any held getUpdates with no updates, closes every connection and the server. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.queue.releaseHeld();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Give the released long poll a moment to flush before cutting keep-alive sockets.
      setImmediate(() => server.closeAllConnections());
    });
  }

  // --- world setup ---

  /** Adds a user's private chat with the bot (the chat id is the user id) and returns the chat id. */
  addPrivateChat(user: FakeUser): number {
    const u = this.world.rememberUser(user);
    this.world.chats.set(u.id, {
      id: u.id,
      type: 'private',
      title: undefined,
      user: u,
      isForum: false,
      bot: memberState(this.world.bot, 'member', {}),
      members: new Map([[u.id, memberState(u, 'member', {})]]),
      nextMessageId: 1,
      messages: new Map(),
      topics: new Map(),
      instance: chatInstance(u.id),
      blockedBot: false,
    });
    this.changed();
    return u.id;
  }

  /**
   * Adds a group (a supergroup unless `type: 'group'`; forums are supergroups) and returns its id. The bot is an
   * administrator with `can_manage_topics` unless told otherwise.
   */
  addGroup(spec: GroupSpec): number {
    const type = spec.forum ? 'supergroup' : (spec.type ?? 'supergroup');
    const id = spec.id ?? this.world.nextGroupId(type);
    const members = new Map<number, ReturnType<typeof memberState>>();
    for (const m of spec.members ?? []) {
      const u = this.world.rememberUser(m.user);
      members.set(u.id, memberState(u, m.status, m));
    }
    this.world.chats.set(id, {
      id,
      type,
      title: spec.title,
      user: undefined,
      isForum: spec.forum ?? false,
      bot: memberState(this.world.bot, spec.botStatus ?? 'administrator', {
        canManageTopics: spec.canManageTopics,
        canDeleteMessages: spec.canDeleteMessages,
      }),
      members,
      // In a forum, id 1 is General's root; topics start after it.
      nextMessageId: spec.forum ? 2 : 1,
      messages: new Map(),
      topics: new Map(),
      instance: chatInstance(id),
      blockedBot: false,
    });
    this.changed();
    return id;
  }

  /** Adds or changes a member of a group (for getChatMember). */
  setMember(
    chatId: number,
    user: FakeUser,
    status: MemberStatus,
    rights: { canManageTopics?: boolean } = {},
  ): void {
    const chat = this.chat(chatId, 'setMember');
    const u = this.world.rememberUser(user);
    chat.members.set(u.id, memberState(u, status, rights));
    this.changed();
  }

  /** Changes the bot's own membership and rights in a group. */
  setBotMembership(
    chatId: number,
    status: MemberStatus,
    rights: { canManageTopics?: boolean; canDeleteMessages?: boolean } = {},
  ): void {
    const chat = this.chat(chatId, 'setBotMembership');
    chat.bot = memberState(this.world.bot, status, rights);
    this.changed();
  }

  /** The user blocks (or unblocks) the bot: sends to their private chat get 403 `bot was blocked by the user`. */
  setBlocked(userId: number, blocked = true): void {
    this.chat(userId, 'setBlocked').blockedBot = blocked;
  }

  /**
   * A user (by default the group's first admin, else Telegram's anonymous admin) creates a forum topic; returns
   * its id. The `forum_topic_created` service message is delivered as an update unless `silent`.
   */
  addForumTopic(
    chatId: number,
    name: string,
    opts: { by?: FakeUser | number; iconColor?: number; silent?: boolean } = {},
  ): number {
    const chat = this.chat(chatId, 'addForumTopic');
    if (!chat.isForum)
      throw new Error(`addForumTopic: chat ${chatId} is not a forum (addGroup({ forum: true }))`);
    const by =
      opts.by !== undefined
        ? this.user(opts.by, 'addForumTopic')
        : ([...chat.members.values()].find((m) => isAdmin(m))?.user ?? GROUP_ANONYMOUS_BOT);
    const created = { name, icon_color: opts.iconColor ?? TOPIC_ICON_COLORS[0]! };
    const topic = createTopic(this.world, chat, by, created, false, this.now());
    if (!opts.silent) this.queue.enqueue({ message: topic.message.message } as Omit<Update, 'update_id'>);
    this.changed();
    return topic.id;
  }

  /** Closes (or reopens) a topic: sends from a bot without `can_manage_topics` get `TOPIC_CLOSED`. */
  setTopicClosed(chatId: number, topicId: number, closed = true): void {
    this.topic(chatId, topicId).closed = closed;
  }

  /** Deletes a topic: sends to it get `message thread not found`. */
  deleteTopic(chatId: number, topicId: number): void {
    this.topic(chatId, topicId).deleted = true;
    for (const m of this.chat(chatId, 'deleteTopic').messages.values())
      if (m.threadId === topicId) m.deleted = true;
    this.changed();
  }

  /** The names Telegram shows for a chat's topics now. */
  topics(
    chatId: number,
  ): { id: number; name: string; closed: boolean; deleted: boolean; createdByBot: boolean }[] {
    return [...this.chat(chatId, 'topics').topics.values()].map((t) => ({
      id: t.id,
      name: t.name,
      closed: t.closed,
      deleted: t.deleted,
      createdByBot: t.createdByBot,
    }));
  }

  // --- driving ---

  /**
   * A user sends a message; returns it as the bot will receive it and queues the update (unless privacy mode
   * hides it from a non-admin bot, or `allowed_updates` excludes messages).
   */
  sendUserMessage(spec: UserMessageSpec): Message {
    const chat = this.chat(spec.chatId, 'sendUserMessage');
    const from = this.user(spec.from, 'sendUserMessage');
    if (chat.type !== 'private' && !isPresent(chat.members.get(from.id))) {
      throw new Error(
        `sendUserMessage: user ${from.id} is not a member of chat ${chat.id} (add them in addGroup)`,
      );
    }
    const { threadId, target } = this.userPlacement(chat, spec);
    const content = this.userContent(spec);
    const head = messageHead(chat, from, threadId, target, Math.floor(this.now() / 1000));
    const stored = this.world.store(
      chat,
      { ...head, ...content },
      { fromBot: false, threadId, replyToId: target?.id, sentAt: this.now() },
    );
    const update = { message: stored.message } as Omit<Update, 'update_id'>;
    if (this.botSees(chat, stored)) this.queue.enqueue(update);
    else this.queue.dropped.push({ update_id: 0, ...update });
    this.changed();
    return stored.message;
  }

  /** A user presses an inline button; queues the `callback_query` update and returns the query id. */
  pressButton(spec: PressButtonSpec): string {
    const chat = this.chat(spec.chatId, 'pressButton');
    const from = this.user(spec.from, 'pressButton');
    const m = this.world.liveMessage(chat, spec.messageId);
    const buttons = m?.message.reply_markup?.inline_keyboard.flat() ?? [];
    const hasButton = buttons.some((b) => 'callback_data' in b && b.callback_data === spec.data);
    if (!spec.force) {
      if (!m)
        throw new Error(`pressButton: message ${spec.messageId} in chat ${chat.id} is missing or deleted`);
      if (!hasButton) {
        const shown =
          buttons.map((b) => ('callback_data' in b ? b.callback_data : b.text)).join(', ') || 'none';
        throw new Error(
          `pressButton: message ${spec.messageId} has no button with data "${spec.data}" (buttons: ${shown})`,
        );
      }
    }
    const id = `${BigInt(this.bot.id) * 1000000n + BigInt(++this.callbackSeq)}`;
    const message = m
      ? m.message
      : { chat: { id: chat.id, type: chat.type }, message_id: spec.messageId, date: 0 };
    this.callbacks.set(id, {
      id,
      chatId: chat.id,
      messageId: spec.messageId,
      sentAt: this.now(),
      answer: undefined,
    });
    this.queue.enqueue({
      callback_query: { id, from, message, chat_instance: chat.instance, data: spec.data },
    } as unknown as Update);
    this.changed();
    return id;
  }

  /** Queues any update as given; `update_id` is assigned unless present (so the same update can come twice). */
  injectRawUpdate(update: Record<string, unknown>): Update | undefined {
    return this.queue.enqueue(update as Omit<Update, 'update_id'>);
  }

  /** The next assigned `update_id` (to reproduce Telegram's jump to a lower id after a quiet week). */
  setNextUpdateId(id: number): void {
    this.queue.setNextUpdateId(id);
  }

  /** Makes getUpdates answer 409 "webhook is active" until deleteWebhook (or `setWebhook(undefined)`). */
  setWebhook(url: string | undefined): void {
    this.webhook.url = url;
  }

  /** Switches flood control on (`true` = Telegram's figures, or custom windows) or off (`false`). */
  setRateLimits(limits: Partial<RateLimitOptions> | boolean): void {
    if (limits === false) {
      this.limiter = undefined;
      return;
    }
    this.limiter = new RateLimiter({ ...TELEGRAM_RATE_LIMITS, ...(limits === true ? {} : limits) }, this.now);
  }

  /** Fails the next `count` calls of `method` (`'*'` = any method) with `fault`. */
  failNext(method: string, count: number, fault: Fault): void {
    this.faults.failNext(method, count, fault);
  }

  /** Fails every call of `method` for `durationMs` of the fake's clock. */
  failFor(method: string, durationMs: number, fault: Fault): void {
    this.faults.failFor(method, durationMs, fault);
  }

  /** getUpdates fails (502 by default, as during a Telegram restart) for `durationMs`. */
  failGetUpdatesFor(durationMs: number, fault: Fault = { status: 502, html: true }): void {
    this.faults.failFor('getUpdates', durationMs, fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // --- observing ---

  callsOf(method: string): CallRecord[] {
    const name = method.toLowerCase();
    return this.calls.filter((c) => c.method.toLowerCase() === name);
  }

  /** The `seq` of the latest call, to wait only for calls after this point. */
  mark(): number {
    return this.seq;
  }

  /**
   * How a chat reads now: visible messages (bot's and users'), oldest first, with edits applied and deleted
   * ones gone. `threadId` narrows to one topic; `null` to General (messages outside topics). Service messages
   * (topic created/edited) are left out unless `includeService`.
   */
  chatLog(chatId: number, threadId?: number | null, opts: { includeService?: boolean } = {}): ChatLogEntry[] {
    const chat = this.chat(chatId, 'chatLog');
    return [...chat.messages.values()]
      .filter((m) => !m.deleted && (opts.includeService || !m.service))
      .filter(
        (m) =>
          threadId === undefined || (threadId === null ? m.threadId === undefined : m.threadId === threadId),
      )
      .map((m) => logEntry(m));
  }

  /** A message as it is now, or undefined if it never existed or was deleted. */
  message(chatId: number, messageId: number): Message | undefined {
    const chat = this.world.chats.get(chatId);
    return chat ? this.world.liveMessage(chat, messageId)?.message : undefined;
  }

  wasDeleted(chatId: number, messageId: number): boolean {
    return this.world.chats.get(chatId)?.messages.get(messageId)?.deleted === true;
  }

  /** The answer given to a callback query (its text, show_alert, …), or undefined if unanswered. */
  callbackAnswer(queryId: string): Record<string, unknown> | undefined {
    return this.callbacks.get(queryId)?.answer;
  }

  /** The commands set for a scope (default scope) and language (''), as setMyCommands stored them. */
  commandsFor(
    scope: Record<string, unknown> = { type: 'default' },
    languageCode = '',
  ): BotCommand[] | undefined {
    return this.commands.get(JSON.stringify([scope, languageCode]));
  }

  chatActions(chatId?: number): ChatActionRecord[] {
    return this.actions.filter((a) => chatId === undefined || a.chatId === chatId);
  }

  /** The bytes and name of a stored file (an upload by the bot or a user's document). */
  file(
    fileId: string,
  ): { bytes: Buffer; fileName: string | undefined; mimeType: string | undefined } | undefined {
    const f = this.world.files.get(fileId);
    return f && { bytes: f.bytes, fileName: f.fileName, mimeType: f.mimeType };
  }

  /** Updates queued and not yet confirmed by an offset. */
  pendingUpdates(): Update[] {
    return this.queue.pending();
  }

  /** The last confirmed `update_id` + 1 (0 before any confirmation). */
  confirmedOffset(): number {
    return this.queue.confirmedOffset();
  }

  /** Updates never queued: excluded by `allowed_updates`, or hidden by privacy mode. */
  droppedUpdates(): Update[] {
    return [...this.queue.dropped];
  }

  /** 429 answers given for a chat (rate limits and injected 429s), or for all calls. */
  tooManyRequestsCount(chatId?: number): number {
    if (chatId !== undefined) return this.tooMany.get(chatId) ?? 0;
    let n = 0;
    for (const v of this.tooMany.values()) n += v;
    return n;
  }

  /**
   * Resolves with the predicate's first truthy value, checked on every change and every 25 ms; rejects after
   * `timeoutMs` (default 5000) listing the recent calls.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, opts: WaitOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      let interval: NodeJS.Timeout | undefined;
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        this.listeners.delete(check);
        clearInterval(interval);
        clearTimeout(timer);
      };
      function check(): void {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (e) {
          cleanup();
          reject(e);
          return;
        }
        if (value) {
          cleanup();
          resolve(value);
        }
      }
      check();
      this.listeners.add(check);
      interval = setInterval(check, 25);
      timer = setTimeout(() => {
        cleanup();
        reject(new Error(this.describeTimeout(opts.label ?? 'condition', timeoutMs)));
      }, timeoutMs);
    });
  }

  /** Resolves with the first completed call of `method` matching `predicate` (after `since`, if given). */
  waitForCall(
    method: string,
    predicate?: (call: CallRecord) => boolean,
    opts: WaitForCallOptions = {},
  ): Promise<CallRecord> {
    const name = method.toLowerCase();
    const since = opts.since ?? 0;
    return this.waitFor(
      () =>
        this.calls.find(
          (c) => c.done && c.seq > since && c.method.toLowerCase() === name && (!predicate || predicate(c)),
        ),
      {
        timeoutMs: opts.timeoutMs,
        label: opts.label ?? `a ${method} call${predicate ? ' matching the predicate' : ''}`,
      },
    );
  }

  // --- internals: HTTP ---

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent)
          this.sendJson(res, 500, {
            ok: false,
            error_code: 500,
            description: `Internal Server Error: ${String(e)}`,
          });
      });
    });
    // Long polls may be held for 50 s; keep Node's own request timeouts out of the way.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.serveFile(req, res, decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
    const route = /^\/bot([^/]*)\/([^/]*)$/.exec(url.pathname);
    if (!route) {
      req.resume();
      return this.sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    }
    const canonical = this.methods.canonicalName(route[2]!);
    const call: CallRecord = {
      seq: ++this.seq,
      method: canonical ?? route[2]!,
      params: {},
      time: this.now(),
      done: false,
      status: undefined,
      response: undefined,
      fault: undefined,
    };
    this.calls.push(call);
    try {
      // The front proxy takes a little more than the file limit for the rest of a multipart body.
      call.params = normalizeParams(await readParams(req, url, this.limits.uploadMaxBytes + 1024 * 1024));
    } catch (e) {
      if (e instanceof EntityTooLarge) return this.finishHtml(call, res, 413);
      return this.finish(
        call,
        res,
        e instanceof ApiError ? e : new ApiError(400, `Bad Request: ${String(e)}`),
      );
    }
    if (decodeURIComponent(route[1]!) !== this.options.token) {
      return this.finish(call, res, new ApiError(401, 'Unauthorized'));
    }
    if (!canonical) return this.finish(call, res, new ApiError(404, 'Not Found: method not found'));
    const fault = this.faults.take(canonical);
    call.fault = fault;
    if (fault && 'delayMs' in fault) await sleep(fault.delayMs);
    const failing = fault && !('delayMs' in fault) ? fault : undefined;
    if (failing && !failing.applied) return this.failWith(call, req, res, failing);
    let outcome: unknown;
    try {
      outcome =
        canonical === 'getUpdates'
          ? await this.getUpdates(new Params(call.params), res)
          : this.methods.handler(canonical)!(new Params(call.params));
    } catch (e) {
      if (e instanceof EntityTooLarge) return this.finishHtml(call, res, 413);
      outcome = e instanceof ApiError ? e : new ApiError(500, `Internal Server Error: ${String(e)}`);
    }
    if (failing) return this.failWith(call, req, res, failing);
    return this.finish(call, res, outcome);
  }

  private getUpdates(p: Params, res: ServerResponse): Promise<Update[]> {
    if (this.webhook.url !== undefined) throw new ApiError(409, CONFLICT_WEBHOOK);
    const offset = p.int('offset', 'invalid offset specified');
    const limit = p.int('limit', 'invalid limit specified');
    const timeout = p.int('timeout', 'invalid timeout specified') ?? 0;
    const allowed = p.json('allowed_updates', "can't parse allowed_updates JSON object");
    if (allowed !== undefined && (!Array.isArray(allowed) || allowed.some((t) => typeof t !== 'string'))) {
      throw new ApiError(400, "Bad Request: can't parse allowed_updates JSON object");
    }
    const poll = this.queue.poll({
      offset,
      limit: limit === undefined || limit < 1 || limit > 100 ? 100 : limit,
      timeoutMs: Math.min(Math.max(timeout, 0), this.limits.pollTimeoutMaxSeconds) * 1000,
      allowedUpdates: allowed as string[] | undefined,
    });
    const abandon = (): void => this.queue.abandon(poll.id);
    res.on('close', abandon);
    return poll.result.finally(() => res.off('close', abandon));
  }

  private failWith(
    call: CallRecord,
    req: IncomingMessage,
    res: ServerResponse,
    fault: Exclude<Fault, { delayMs: number }>,
  ): void {
    if ('reset' in fault) {
      call.done = true;
      call.response = { reset: true };
      req.socket.destroy();
      this.changed();
      return;
    }
    if ('html' in fault && fault.html) {
      this.finishHtml(call, res, fault.status);
      return;
    }
    if (fault.status === 429) {
      const retryAfter = 'retryAfter' in fault ? fault.retryAfter : 1;
      const error = new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, {
        retry_after: retryAfter,
      });
      this.finish(call, res, error);
      return;
    }
    const description =
      'description' in fault && fault.description !== undefined
        ? fault.description
        : defaultDescription(fault.status);
    this.finish(call, res, new ApiError(fault.status, description));
  }

  private finish(call: CallRecord, res: ServerResponse, outcome: unknown): void {
    const body = outcome instanceof ApiError ? outcome.toBody() : { ok: true, result: outcome };
    const status = outcome instanceof ApiError ? outcome.code : 200;
    if (status === 429) {
      const key = typeof call.params.chat_id === 'number' ? call.params.chat_id : 'none';
      this.tooMany.set(key, (this.tooMany.get(key) ?? 0) + 1);
    }
    call.status = status;
    call.response = body;
    call.done = true;
    this.sendJson(res, status, body);
    this.changed();
  }

  private finishHtml(call: CallRecord, res: ServerResponse, status: number): void {
    const title = HTML_PAGES[status] ?? `${status} Error`;
    const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`;
    call.status = status;
    call.response = html;
    call.done = true;
    if (!res.writableEnded && !res.destroyed) {
      res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
      res.end(html);
    }
    this.changed();
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }

  private serveFile(req: IncomingMessage, res: ServerResponse, token: string, path: string): void {
    req.resume();
    const file = token === this.options.token ? this.world.filesByPath.get(path) : undefined;
    if (!file) {
      this.sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
    res.end(file.bytes);
  }

  // --- internals: test API helpers ---

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private chat(chatId: number, where: string): ChatState {
    const chat = this.world.chats.get(chatId);
    if (!chat) throw new Error(`${where}: unknown chat ${chatId} (add it with addPrivateChat or addGroup)`);
    return chat;
  }

  private topic(chatId: number, topicId: number): NonNullable<ReturnType<ChatState['topics']['get']>> {
    const topic = this.chat(chatId, 'topic').topics.get(topicId);
    if (!topic) throw new Error(`unknown topic ${topicId} in chat ${chatId}`);
    return topic;
  }

  private user(from: FakeUser | number, where: string): User {
    if (typeof from !== 'number') return this.world.users.get(from.id) ?? this.world.rememberUser(from);
    const known = this.world.users.get(from);
    if (!known)
      throw new Error(`${where}: unknown user ${from}; pass the user object or add them to a chat first`);
    return known;
  }

  private userPlacement(
    chat: ChatState,
    spec: UserMessageSpec,
  ): { threadId: number | undefined; target: StoredMessage | undefined } {
    let threadId = spec.threadId;
    if (threadId !== undefined) {
      if (threadId === 1)
        throw new Error('sendUserMessage: General has no thread id; omit threadId to post in General');
      const topic = chat.topics.get(threadId);
      if (!topic || topic.deleted)
        throw new Error(`sendUserMessage: chat ${chat.id} has no topic ${threadId}`);
    }
    if (spec.replyTo === undefined) return { threadId, target: undefined };
    const target = this.world.liveMessage(chat, spec.replyTo);
    if (!target)
      throw new Error(
        `sendUserMessage: reply target ${spec.replyTo} in chat ${chat.id} is missing or deleted`,
      );
    if (threadId !== undefined && target.threadId !== threadId) {
      throw new Error(`sendUserMessage: reply target ${spec.replyTo} is not in topic ${threadId}`);
    }
    threadId ??= target.threadId;
    return { threadId, target };
  }

  private userContent(spec: UserMessageSpec): Record<string, unknown> {
    const content: Record<string, unknown> = {};
    if (spec.mediaGroupId !== undefined) content.media_group_id = spec.mediaGroupId;
    if (spec.forward) content.forward_origin = this.forwardOrigin(spec.forward);
    const media = this.userMedia(spec);
    if (media) {
      if (spec.text !== undefined)
        throw new Error('sendUserMessage: a media message takes `caption`, not `text`');
      Object.assign(content, media);
      if (spec.caption !== undefined && spec.caption !== '') {
        if (countCodePoints(spec.caption) > this.limits.captionMaxCodePoints) {
          throw new Error('sendUserMessage: caption over the caption limit');
        }
        content.caption = spec.caption;
        const entities = spec.captionEntities ?? detectEntities(spec.caption);
        if (entities.length > 0) content.caption_entities = entities;
      }
      return content;
    }
    if (spec.text === undefined || spec.text === '')
      throw new Error('sendUserMessage: give `text` or a media field');
    if (countCodePoints(spec.text) > this.limits.textMaxCodePoints) {
      throw new Error('sendUserMessage: text over 4096 code points (Telegram splits such messages)');
    }
    content.text = spec.text;
    const entities = spec.entities ?? detectEntities(spec.text);
    if (entities.length > 0) content.entities = entities;
    return content;
  }

  private forwardOrigin(f: NonNullable<UserMessageSpec['forward']>): Record<string, unknown> {
    const date = f.date ?? Math.floor(this.now() / 1000) - 60;
    if (f.from) return { type: 'user', date, sender_user: toUser(f.from) };
    if (f.chat) return { type: 'chat', date, sender_chat: { ...f.chat, type: 'supergroup' } };
    return { type: 'hidden_user', date, sender_user_name: f.senderName ?? 'Someone' };
  }

  private userMedia(spec: UserMessageSpec): Record<string, unknown> | undefined {
    const store = (m: MediaSpec, kind: string, fallbackMime: string | undefined) => {
      const bytes = typeof m.bytes === 'string' ? Buffer.from(m.bytes) : Buffer.from(m.bytes);
      return this.world.addFile(bytes, kind, m.fileName, m.mimeType ?? fallbackMime);
    };
    const ids = (f: ReturnType<typeof store>) => ({
      file_id: f.fileId,
      file_unique_id: f.uniqueId,
      file_size: f.bytes.length,
    });
    if (spec.document) {
      const f = store(
        spec.document,
        'documents',
        mimeFromName(spec.document.fileName) ?? 'application/octet-stream',
      );
      return { document: { file_name: spec.document.fileName, mime_type: f.mimeType, ...ids(f) } };
    }
    if (spec.photo) {
      const width = spec.photo.width ?? 1280;
      const height = spec.photo.height ?? 960;
      const thumb = store(spec.photo, 'photos', undefined);
      const full = store(spec.photo, 'photos', undefined);
      const scale = 90 / Math.max(width, height);
      const sizes: PhotoSize[] = [
        { ...ids(thumb), width: Math.round(width * scale), height: Math.round(height * scale) },
        { ...ids(full), width, height },
      ];
      return { photo: sizes };
    }
    if (spec.video) {
      const f = store(spec.video, 'videos', 'video/mp4');
      const video: Record<string, unknown> = {
        duration: spec.video.duration ?? 5,
        width: spec.video.width ?? 1280,
        height: spec.video.height ?? 720,
      };
      if (spec.video.fileName) video.file_name = spec.video.fileName;
      return { video: { ...video, mime_type: f.mimeType, ...ids(f) } };
    }
    if (spec.voice) {
      const f = store(spec.voice, 'voice', 'audio/ogg');
      return { voice: { duration: spec.voice.duration ?? 3, mime_type: f.mimeType, ...ids(f) } };
    }
    return undefined;
  }

  /**
   * Privacy mode: a bot that is not an administrator and has `can_read_all_group_messages` off sees, in groups,
   * only commands, mentions of it, replies to its messages and service messages.
   */
  private botSees(chat: ChatState, m: StoredMessage): boolean {
    if (chat.type === 'private' || isAdmin(chat.bot) || this.bot.can_read_all_group_messages) return true;
    if (!isPresent(chat.bot)) return false;
    const msg = m.message;
    const text = msg.text ?? msg.caption ?? '';
    const entities = msg.entities ?? msg.caption_entities ?? [];
    const username = String(this.bot.username).toLowerCase();
    for (const e of entities) {
      const slice = text.slice(e.offset, e.offset + e.length).toLowerCase();
      if (e.type === 'bot_command' && (!slice.includes('@') || slice.endsWith(`@${username}`))) return true;
      if (e.type === 'mention' && slice === `@${username}`) return true;
    }
    const target = m.replyToId !== undefined ? chat.messages.get(m.replyToId) : undefined;
    return target?.fromBot === true;
  }

  private describeTimeout(label: string, timeoutMs: number): string {
    const start = this.calls[0]?.time ?? this.now();
    const recent = this.calls
      .filter((c) => c.method !== 'getUpdates')
      .slice(-15)
      .map((c) => `  #${c.seq} +${c.time - start}ms ${c.method} ${summarize(c.params)} → ${outcomeOf(c)}`);
    const polls = this.callsOf('getUpdates').length;
    return [
      `FakeTelegram: timed out after ${timeoutMs}ms waiting for ${label}.`,
      `Recent calls (of ${this.calls.length}; getUpdates calls: ${polls}; pending updates: ${this.queue.pending().length}):`,
      ...(recent.length > 0 ? recent : ['  (none besides getUpdates)']),
    ].join('\n');
  }
}

function logEntry(m: StoredMessage): ChatLogEntry {
  const msg = m.message;
  const doc = msg.document;
  return {
    messageId: m.id,
    fromBot: m.fromBot,
    from: msg.from,
    text: msg.text ?? msg.caption,
    entities: msg.entities ?? msg.caption_entities ?? [],
    replyMarkup: msg.reply_markup,
    threadId: m.threadId,
    replyTo: m.replyToId,
    editCount: m.editCount,
    document: doc && { fileName: doc.file_name, mimeType: doc.mime_type, size: doc.file_size ?? 0 },
    service: m.service,
    message: msg,
  };
}

function chatInstance(chatId: number): string {
  return String(BigInt.asIntN(64, BigInt(chatId) * 2654435761n + 97n));
}

function defaultDescription(status: number): string {
  if (status === 400) return 'Bad Request';
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not Found';
  if (status === 409) return 'Conflict';
  if (status === 502) return 'Bad Gateway';
  return 'Internal Server Error';
}

function summarize(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    let s = typeof v === 'object' && v !== null && 'bytes' in v ? '<file>' : JSON.stringify(v);
    if (s !== undefined && s.length > 60) s = `${s.slice(0, 57)}...`;
    parts.push(`${k}=${s}`);
  }
  return parts.join(' ');
}

function outcomeOf(c: CallRecord): string {
  if (!c.done) return 'pending';
  if (c.status === undefined) return 'connection reset';
  const body = c.response as { ok?: boolean; description?: string };
  return body?.ok ? `${c.status} ok` : `${c.status} ${body?.description ?? ''}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
