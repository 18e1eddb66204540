import type { CallbackQuery, Update } from 'grammy/types';
import type { TopicRuntime } from '../actors/topic-runtime.ts';
import type { Settings } from '../config/load-config.ts';
import { ENGINE_IDS, type EngineId } from '../engines/events.ts';
import type { Logger } from '../logging/logger.ts';
import type { InboxRow } from '../store/inbox.repository.ts';
import type { PrefsRepository } from '../store/prefs.repository.ts';
import type { Store } from '../store/store.ts';
import type { CommandContext, CommandHandler } from './commands/command-context.ts';
import { FileTransfer } from './files/file-transfer.ts';
import type { OutboxScheduler } from './outbox-scheduler.ts';
import { readScopes, type ScopePrefs } from './prefs.ts';
import { CANCEL_CALLBACK, type Presenter } from './presenter.ts';
import { type ResolvedPrompt, resolvePrompt } from './resolve-prompt.ts';
import { accessPolicyFrom, checkAccess } from './routing/access.ts';
import { isBuiltinCommand, parseCommand } from './routing/commands.ts';
import { classifyMessage, type IncomingMessage } from './routing/message-kind.ts';
import type { ProjectContext } from './routing/project-context.ts';
import { resolveLane } from './routing/topic-key.ts';
import { topicScopeFrom, topicsEnabledFor } from './routing/topic-scope.ts';
import { resolveTriggerMode, shouldTrigger } from './routing/trigger-mode.ts';
import type { TelegramClient } from './telegram-client.ts';
import { VoiceNotes } from './voice/voice-notes.ts';

export interface UpdateRouterOptions {
  settings: Settings;
  store: Store;
  runtime: TopicRuntime;
  client: Pick<
    TelegramClient,
    | 'answerCallbackQuery'
    | 'getChatMember'
    | 'createForumTopic'
    | 'editForumTopic'
    | 'getFile'
    | 'downloadFile'
  >;
  scheduler: OutboxScheduler;
  presenter: Presenter;
  bot: { id: number; username: string };
  globalEngine: EngineId;
  installedEngines: readonly EngineId[];
  startupCwd: string;
  logger: Logger;
  now?: () => number;
  /** New durable messages were committed. */
  wakeOutbox(): void;
  /** Handlers of the setting commands (`/agent`, `/model`, …), by name. */
  commands: Readonly<Record<string, CommandHandler>>;
}

/** How long a prompt waits for forwarded messages sent together with it (takopi: 1 s for every prompt). */
const FORWARD_GRACE_MS = 150;
const FORWARD_MAX_MS = 300;
const ADMIN_CACHE_MS = 60_000;

interface PendingPrompt {
  row: InboxRow;
  message: IncomingMessage;
  forwards: { row: InboxRow; message: IncomingMessage }[];
  startedAt: number;
  timer: NodeJS.Timeout;
}

/**
 * Reads the intake ledger and turns each stored update into what it asks for, in takopi's
 * routing order (§2.1): the access gate, callbacks, forwards, commands, trigger mode, prompts.
 * Every row is either consumed in the transaction that persists its effect, or skipped.
 */
export class UpdateRouter {
  readonly #o: UpdateRouterOptions;
  readonly #now: () => number;
  readonly #prefs: PrefsRepository<ScopePrefs>;
  readonly #inFlight = new Set<number>();
  readonly #prompts = new Map<string, PendingPrompt>();
  readonly #admins = new Map<string, { admin: boolean; at: number }>();
  /** `/file`, uploads and albums (files/); voice notes (voice/). Both work in the background. */
  readonly #files: FileTransfer;
  readonly #voice: VoiceNotes;
  #draining: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: UpdateRouterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#prefs = options.store.prefs as PrefsRepository<ScopePrefs>;
    const reply = (
      message: IncomingMessage,
      markdown: string,
      ids: readonly number[],
      alongside?: () => void,
    ) => this.#replyTo(message, markdown, ids, alongside);
    this.#files = new FileTransfer({
      settings: options.settings,
      store: options.store,
      runtime: options.runtime,
      client: options.client,
      scheduler: options.scheduler,
      bot: options.bot,
      logger: options.logger,
      now: this.#now,
      host: {
        reply,
        runPrompt: (message, text, ids) => this.#startPrompt(message, text, ids),
        resolve: (message, text) => this.#resolve(message, text),
        bindTopic: (message, context) => this.#bindTopic(message, context),
        isAdmin: (chatId, userId) => this.#isAdmin(chatId, userId),
        triggers: (message) => this.#triggers(message),
      },
    });
    this.#voice = new VoiceNotes({
      settings: options.settings,
      client: options.client,
      logger: options.logger,
      host: { reply, runPrompt: (message, text, ids, extra) => this.#startPrompt(message, text, ids, extra) },
    });
  }

  /** Applies a reloaded config (`watch_config`) to the routing of the next updates. */
  applySettings(settings: Settings, globalEngine: EngineId): void {
    this.#o.settings = settings;
    this.#o.globalEngine = globalEngine;
    this.#files.applySettings(settings);
    this.#voice.applySettings(settings);
  }

  /** Processes every pending inbox row (call after each stored batch and once at startup). */
  notify(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  /** Stops taking rows; prompts still waiting for forwards stay pending in the inbox for the next boot. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const pending of this.#prompts.values()) clearTimeout(pending.timer);
    this.#prompts.clear();
    await this.#draining;
    await Promise.all([this.#files.stop(), this.#voice.stop()]);
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      for (const row of this.#o.store.inbox.pending()) {
        if (this.#stopped) return;
        if (this.#inFlight.has(row.updateId) || this.#isHeld(row.updateId)) continue;
        this.#inFlight.add(row.updateId);
        try {
          await this.#handle(row);
        } catch (error) {
          this.#o.logger.error(
            { err: error, updateId: row.updateId },
            'update could not be handled; skipped',
          );
          this.#skip(row);
        } finally {
          this.#inFlight.delete(row.updateId);
        }
      }
    } while (this.#again && !this.#stopped);
  }

  /** Rows of a prompt waiting for its forwards stay pending in the inbox until it runs. */
  #isHeld(updateId: number): boolean {
    if (this.#files.holds(updateId) || this.#voice.holds(updateId)) return true;
    for (const pending of this.#prompts.values()) {
      if (pending.row.updateId === updateId || pending.forwards.some((f) => f.row.updateId === updateId))
        return true;
    }
    return false;
  }

  async #handle(row: InboxRow): Promise<void> {
    const update = row.payload as Update;
    const policy = accessPolicyFrom(this.#o.settings);
    const access = checkAccess(update, policy);
    if (!access.allowed) return this.#skip(row);
    if (update.callback_query) return this.#callback(row, update.callback_query);
    const raw = update.message;
    if (!raw || raw.from?.is_bot) return this.#skip(row);
    const message = classifyMessage(raw);

    const maxAgeMs = this.#o.settings.transports.telegram.backlog_max_age_s * 1000;
    if (row.sentAt !== null && this.#now() - row.sentAt > maxAgeMs && message.text.trim() !== '') {
      return this.#reply(
        row,
        message,
        'this message arrived while tentacle was offline and is too old to act on now; please send it again.',
      );
    }

    if (message.forwarded && !message.media) return this.#forward(row, message);

    const command = parseCommand(message.text, message.entities, this.#o.bot.username);
    if (command && !command.forThisBot) return this.#skip(row);
    if (command && isBuiltinCommand(command.name)) {
      if (command.name === 'cancel') return this.#cancelCommand(row, message);
      if (command.name === 'new') return this.#newCommand(row, message);
      const handler = this.#o.commands[command.name];
      if (handler) return this.#runCommand(row, message, command, handler);
      if (command.name === 'file') return this.#files.command(row, message, command.args);
    }

    // Album items, awaited uploads, auto-put and prompt-mode uploads (file transfer applies trigger mode).
    if (message.media && this.#files.media(row, message)) return;
    if (!this.#triggers(message)) return this.#skip(row);
    if (message.media === 'voice') return this.#voice.handle(row, message);
    // Other attachments without a caption (or any, with file transfer off) are ignored, as takopi does.
    if (message.media && message.text.trim() === '') return this.#skip(row);
    if (message.text.trim() === '') return this.#skip(row);
    return this.#prompt(row, message);
  }

  /** A prompt waits briefly for forwards sent with it; a reply to a running job goes at once. */
  #prompt(row: InboxRow, message: IncomingMessage): void {
    const key = coalesceKey(message);
    const earlier = this.#prompts.get(key);
    if (earlier) this.#flush(key);
    const grace = Math.min(this.#o.settings.transports.telegram.forward_coalesce_s * 1000, FORWARD_GRACE_MS);
    if (grace <= 0 || message.senderId === undefined || message.reply) {
      this.#runPrompt(row, message, []);
      return;
    }
    const timer = setTimeout(() => this.#flush(key), grace);
    this.#prompts.set(key, { row, message, forwards: [], startedAt: this.#now(), timer });
  }

  #forward(row: InboxRow, message: IncomingMessage): void {
    const key = coalesceKey(message);
    const pending = this.#prompts.get(key);
    // Forwards alone never start a run (takopi §9).
    if (!pending || message.text.trim() === '') {
      this.#skip(row);
      return;
    }
    pending.forwards.push({ row, message });
    clearTimeout(pending.timer);
    const left = Math.max(0, pending.startedAt + FORWARD_MAX_MS - this.#now());
    pending.timer = setTimeout(() => this.#flush(key), Math.min(FORWARD_GRACE_MS, left));
  }

  #flush(key: string): void {
    const pending = this.#prompts.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#prompts.delete(key);
    if (this.#stopped) return;
    try {
      this.#runPrompt(pending.row, pending.message, pending.forwards);
    } catch (error) {
      this.#o.logger.error({ err: error, updateId: pending.row.updateId }, 'prompt could not be handled');
    }
  }

  #runPrompt(
    row: InboxRow,
    message: IncomingMessage,
    forwards: { row: InboxRow; message: IncomingMessage }[],
  ): void {
    const ordered = [...forwards].sort((a, b) => a.message.messageId - b.message.messageId);
    const text = [message.text, ...ordered.map((f) => f.message.text)].join('\n\n');
    const updateIds = [row.updateId, ...ordered.map((f) => f.row.updateId)];
    this.#startPrompt(message, text, updateIds);
  }

  /**
   * Runs `text` as a prompt sent in `message`, consuming `updateIds`. `promptPrefix` goes before
   * the prompt once directives are read (a transcribed voice note says so to the engine).
   */
  #startPrompt(
    message: IncomingMessage,
    text: string,
    updateIds: readonly number[],
    options: { promptPrefix?: string } = {},
  ): void {
    const resolved = this.#resolve(message, text);
    if (!resolved.ok) {
      this.#replyTo(message, resolved.error, updateIds);
      return;
    }
    if (resolved.bindTopic) this.#bindTopic(message, resolved.bindTopic);
    const job = options.promptPrefix
      ? { ...resolved.job, prompt: `${options.promptPrefix}${resolved.job.prompt}` }
      : resolved.job;
    this.#o.runtime.deliver(
      { topicKey: resolved.lane.key, chatId: message.chatId, threadId: resolved.threadId },
      { type: 'TOPIC.PROMPT', job, at: this.#now() },
      { updateIds },
    );
  }

  #resolve(message: IncomingMessage, text: string): ResolvedPrompt {
    return resolvePrompt({
      message,
      text,
      settings: this.#o.settings,
      prefs: readScopes(this.#prefs, message.chatId, message.threadId),
      bot: this.#o.bot,
      globalEngine: this.#o.globalEngine,
      startupCwd: this.#o.startupCwd,
      findSession: (engine, token) => this.#o.store.sessions.find(engine, token),
      now: this.#now(),
    });
  }

  /** Directives in a forum topic named a project: the topic is bound to it and renamed. */
  #bindTopic(message: IncomingMessage, context: ProjectContext): void {
    if (message.threadId === undefined) return;
    const scopes = readScopes(this.#prefs, message.chatId, message.threadId);
    this.#prefs.update(scopes.topicKey!, { context });
    void this.#renameTopic(message, context.project, context.branch);
  }

  /** Whether the chat's (or topic's) trigger mode lets this message start work. */
  #triggers(message: IncomingMessage): boolean {
    const scopes = readScopes(this.#prefs, message.chatId, message.threadId);
    const trigger = resolveTriggerMode({ topic: scopes.topic?.trigger_mode, chat: scopes.chat.trigger_mode });
    return (
      trigger.mode !== 'mentions' ||
      shouldTrigger(message, {
        mode: 'mentions',
        bot: this.#o.bot,
        engines: ENGINE_IDS,
        projects: Object.keys(this.#o.settings.projects),
      })
    );
  }

  async #callback(row: InboxRow, query: CallbackQuery): Promise<void> {
    if (query.data !== CANCEL_CALLBACK || !query.message) {
      // Any other button is acknowledged so the client stops spinning (takopi §2.1).
      void this.#o.client.answerCallbackQuery(query.id).catch(() => undefined);
      return this.#skip(row);
    }
    const chatId = query.message.chat.id;
    const outcome = await this.#cancel(
      row,
      chatId,
      query.message.message_id,
      query.from.id,
      query.message.chat.type,
    );
    void this.#o.client.answerCallbackQuery(query.id, { text: outcome }).catch(() => undefined);
  }

  /** Cancels the run or queued job a message shows; returns the toast text. */
  async #cancel(
    row: InboxRow,
    chatId: number,
    messageId: number,
    by: number | undefined,
    chatType: string,
  ): Promise<string> {
    const run = this.#o.store.runs.findByMessage(chatId, messageId);
    const view = run ? this.#o.runtime.view(run.topicKey) : undefined;
    const isCurrent = view?.context.current?.progressMessageId === messageId;
    const isQueued = view?.context.queue.some((job) => job.placeholderMessageId === messageId) ?? false;
    if (!run || !view || (!isCurrent && !isQueued)) {
      this.#skip(row);
      return 'nothing is currently running for that message.';
    }
    // In groups anyone who sees the button could press it: only the prompt's sender or an admin cancels.
    const sender = (run.job as { senderId?: number | null } | null)?.senderId ?? null;
    if (chatType !== 'private' && by !== sender && !(by !== undefined && (await this.#isAdmin(chatId, by)))) {
      this.#skip(row);
      return 'only the sender of this prompt or a group admin can cancel it.';
    }
    const threadId = view.context.threadId;
    this.#o.runtime.deliver(
      { topicKey: run.topicKey, chatId, threadId },
      { type: 'TOPIC.CANCEL', messageId, by: by ?? null, at: this.#now() },
      { updateIds: [row.updateId] },
    );
    return isCurrent ? 'cancelling...' : 'dropped from queue.';
  }

  async #cancelCommand(row: InboxRow, message: IncomingMessage): Promise<void> {
    if (!message.reply) return this.#reply(row, message, 'reply to the progress message to cancel.');
    const toast = await this.#cancel(
      row,
      message.chatId,
      message.reply.messageId,
      message.senderId,
      message.chatType,
    );
    if (toast !== 'cancelling...') this.#reply(row, message, toast);
  }

  #newCommand(row: InboxRow, message: IncomingMessage): void {
    const topicsEnabled = topicsEnabledFor(message.chatId, topicScopeFrom(this.#o.settings));
    const lane = resolveLane({
      chatId: message.chatId,
      chatType: message.chatType,
      messageId: message.messageId,
      senderId: message.senderId,
      threadId: message.threadId,
      topicsEnabled,
      sessionMode: this.#o.settings.transports.telegram.session_mode,
      findOwner: () => undefined,
    });
    let text: string;
    if (lane.kind === 'forum-topic') text = 'cleared stored sessions for this topic.';
    else if (lane.kind === 'chat') {
      text =
        message.chatType === 'private'
          ? 'cleared stored sessions for this chat.'
          : 'cleared stored sessions for you in this chat.';
    } else {
      // Stateless: every message starts a new session unless it replies to one; nothing is stored.
      this.#reply(
        row,
        message,
        'no stored sessions to clear: every message starts a new session unless it replies to one.',
      );
      return;
    }
    this.#o.runtime.deliver(
      {
        topicKey: lane.key,
        chatId: message.chatId,
        threadId: lane.kind === 'forum-topic' ? (message.threadId ?? null) : null,
      },
      { type: 'TOPIC.NEW_SESSION' },
    );
    this.#reply(row, message, text);
  }

  async #runCommand(
    row: InboxRow,
    message: IncomingMessage,
    command: NonNullable<ReturnType<typeof parseCommand>>,
    handler: CommandHandler,
  ): Promise<void> {
    const replies: string[] = [];
    const scopes = readScopes(this.#prefs, message.chatId, message.threadId);
    const topicsEnabled = topicsEnabledFor(message.chatId, topicScopeFrom(this.#o.settings));
    const extra: { threadId: number; markdown: string }[] = [];
    const ctx: CommandContext = {
      message,
      command,
      settings: this.#o.settings,
      prefs: this.#prefs,
      engines: { installed: this.#o.installedEngines, all: ENGINE_IDS },
      globalEngine: this.#o.globalEngine,
      topicsEnabled,
      chatKey: scopes.chatKey,
      topicKey: scopes.topicKey,
      senderIsAdmin: () =>
        message.chatType === 'private' || message.senderId === undefined
          ? Promise.resolve(message.chatType === 'private')
          : this.#isAdmin(message.chatId, message.senderId),
      reply: (markdown) => replies.push(markdown),
      renameTopic: async (title) => {
        if (message.threadId === undefined) return;
        try {
          await this.#o.client.editForumTopic(message.chatId, message.threadId, { name: title });
        } catch (error) {
          // Logged here; rethrown so the handler does not record a title that was not set.
          this.#o.logger.warn({ err: error }, 'topic rename failed');
          throw error;
        }
      },
      createTopic: async (name) =>
        (await this.#o.client.createForumTopic(message.chatId, name)).message_thread_id,
      sendToThread: (threadId, markdown) => extra.push({ threadId, markdown }),
    };
    await handler(ctx);
    const topicKey = scopes.topicKey ?? scopes.chatKey;
    this.#o.store.transaction(() => {
      for (const markdown of replies) {
        const notice = this.#o.presenter.notice(
          message.chatId,
          message.threadId ?? null,
          topicKey,
          markdown,
          message.messageId,
        );
        this.#o.store.outbox.enqueue({
          topicKey,
          chatId: message.chatId,
          kind: notice.kind,
          payload: notice.payload,
        });
      }
      for (const { threadId, markdown } of extra) {
        const notice = this.#o.presenter.notice(
          message.chatId,
          threadId,
          `${scopes.chatKey}:${threadId}`,
          markdown,
        );
        this.#o.store.outbox.enqueue({
          topicKey,
          chatId: message.chatId,
          kind: notice.kind,
          payload: notice.payload,
        });
      }
      this.#o.store.inbox.markConsumed(row.updateId);
    });
    this.#o.wakeOutbox();
  }

  async #renameTopic(message: IncomingMessage, project: string, branch: string | undefined): Promise<void> {
    if (message.threadId === undefined) return;
    const title = branch ? `${project} @${branch}` : project;
    const key = readScopes(this.#prefs, message.chatId, message.threadId).topicKey!;
    if (this.#prefs.get(key).topic_title === title) return;
    try {
      await this.#o.client.editForumTopic(message.chatId, message.threadId, { name: title });
      this.#prefs.update(key, { topic_title: title });
    } catch (error) {
      this.#o.logger.warn({ err: error, chatId: message.chatId }, 'topic rename failed');
    }
  }

  async #isAdmin(chatId: number, userId: number): Promise<boolean> {
    const key = `${chatId}:${userId}`;
    const cached = this.#admins.get(key);
    if (cached && this.#now() - cached.at < ADMIN_CACHE_MS) return cached.admin;
    const member = await this.#o.client.getChatMember(chatId, userId);
    const admin = member.status === 'creator' || member.status === 'administrator';
    this.#admins.set(key, { admin, at: this.#now() });
    return admin;
  }

  /** A durable reply to the message; the rows are consumed in the same transaction. */
  #reply(
    row: InboxRow,
    message: IncomingMessage,
    markdown: string,
    updateIds: number[] = [row.updateId],
  ): void {
    this.#replyTo(message, markdown, updateIds);
  }

  /** A durable reply consuming `updateIds`; `alongside` is another state change made in the same transaction. */
  #replyTo(
    message: IncomingMessage,
    markdown: string,
    updateIds: readonly number[],
    alongside?: () => void,
  ): void {
    const topicKey =
      message.threadId === undefined ? `tg:${message.chatId}` : `tg:${message.chatId}:${message.threadId}`;
    const notice = this.#o.presenter.notice(
      message.chatId,
      message.threadId ?? null,
      topicKey,
      markdown,
      message.messageId,
    );
    this.#o.store.transaction(() => {
      alongside?.();
      this.#o.store.outbox.enqueue({
        topicKey,
        chatId: message.chatId,
        kind: notice.kind,
        payload: notice.payload,
      });
      for (const id of updateIds) this.#o.store.inbox.markConsumed(id);
    });
    this.#o.wakeOutbox();
  }

  #skip(row: InboxRow): void {
    this.#o.store.inbox.markSkipped(row.updateId);
  }
}

function coalesceKey(message: IncomingMessage): string {
  return `${message.chatId}:${message.threadId ?? ''}:${message.senderId ?? ''}`;
}
