import { realpathSync } from 'node:fs';
import { basename, dirname, relative as relativeTo, sep } from 'node:path';
import type { Message, Update } from 'grammy/types';
import type { TopicRuntime } from '../../actors/topic-runtime.ts';
import type { Project, Settings } from '../../config/load-config.ts';
import { ENGINE_IDS } from '../../engines/events.ts';
import type { Logger } from '../../logging/logger.ts';
import type { FileWait, TopicEvent } from '../../machines/topic.types.ts';
import { type EnsureWorktreeResult, ensureWorktree } from '../../projects/ensure-worktree.ts';
import type { InboxRow } from '../../store/inbox.repository.ts';
import type { Store } from '../../store/store.ts';
import type { OutboxScheduler } from '../outbox-scheduler.ts';
import type { ResolvedPrompt } from '../resolve-prompt.ts';
import type { IncomingMessage } from '../routing/message-kind.ts';
import type { ProjectContext } from '../routing/project-context.ts';
import { chatModeKey, forumTopicKey } from '../routing/topic-key.ts';
import type { TelegramClient } from '../telegram-client.ts';
import { deniedBy } from './deny-globs.ts';
import { type FileCommand, PUT_USAGE, parseFileCommand } from './file-command.ts';
import { type FileLimits, fileLimits } from './file-limits.ts';
import { checkFilePermission } from './file-permissions.ts';
import { FILE_TEXT } from './file-texts.ts';
import { formatBytes } from './format-bytes.ts';
import { HeldUpdates } from './held-updates.ts';
import { type IncomingFile, incomingFile } from './incoming-file.ts';
import { MediaGroupBuffer } from './media-group-buffer.ts';
import { prepareDownload } from './prepare-download.ts';
import { relativePath } from './relative-path.ts';
import { isInside, resolveInRoot } from './root-path.ts';
import { saveUpload, type UploadPlan, type UploadResult } from './save-upload.ts';

/** What file transfer needs from the router: its replies, its prompt path and its checks. */
export interface FileTransferHost {
  /**
   * A durable reply to `message`; `updateIds` are consumed in the same transaction, and `alongside`
   * (another state change) runs inside it too.
   */
  reply(
    message: IncomingMessage,
    markdown: string,
    updateIds: readonly number[],
    alongside?: () => void,
  ): void;
  /** Runs `text` as if the user had typed it in `message` (directives, resume lines, lanes). */
  runPrompt(message: IncomingMessage, text: string, updateIds: readonly number[]): void;
  /** What a prompt `text` sent in `message` would resolve to: its working directory and context. */
  resolve(message: IncomingMessage, text: string): ResolvedPrompt;
  /** Directives in a forum topic named a project: bind the topic to it. */
  bindTopic(message: IncomingMessage, context: ProjectContext): void;
  isAdmin(chatId: number, userId: number): Promise<boolean>;
  /** Whether the chat's trigger mode lets this message start work. */
  triggers(message: IncomingMessage): boolean;
}

export interface FileTransferOptions {
  settings: Settings;
  store: Pick<Store, 'transaction' | 'inbox'>;
  runtime: Pick<TopicRuntime, 'deliver' | 'view'>;
  client: Pick<TelegramClient, 'getFile' | 'downloadFile'>;
  /** Documents go out through the outbox, within the chat's rate budget. */
  scheduler: Pick<OutboxScheduler, 'run'>;
  host: FileTransferHost;
  bot: { username: string };
  logger: Logger;
  now?: () => number;
  /** Size limits (default: from `api_root`, takopi-behavior.md §8). */
  limits?: FileLimits;
  ensureWorktree?: (project: Project, branch: string) => Promise<EnsureWorktreeResult>;
  /** Where `/file get` stages its copies and zips (default: the system's temporary folder). */
  tempDir?: string;
}

interface AlbumItem {
  messageId: number;
  row: InboxRow;
  message: IncomingMessage;
  file: IncomingFile;
  /** The album's `/file …` caption, parsed. */
  command?: FileCommand | undefined;
}

interface Root {
  root: string;
  /** `proj @branch`, when a project applies. */
  label: string | undefined;
}

/** Attachments a prompt-mode caption saves and mentions to the engine. */
const PROMPT_KINDS = new Set(['document', 'photo', 'video']);
/** A document upload can take minutes on a slow link; the client's default 30 s is for small calls. */
const SEND_TIMEOUT_MS = 10 * 60_000;

/**
 * File transfer between Telegram and the project a message works in (takopi-behavior.md §8):
 * `/file put` (with an attachment, or waiting for the sender's next upload), `/file get` (a file, or a
 * folder as a zip), auto-put of uncaptioned documents, prompt mode, and albums. Without a project the
 * root is the bridge's working directory.
 *
 * Downloads and sends run in the background; their inbox rows stay held (and pending in SQLite) until
 * the reply or the state change that ends them is committed with them consumed, so a crash in
 * between handles the update again on the next boot.
 */
export class FileTransfer {
  readonly #o: FileTransferOptions;
  readonly #now: () => number;
  readonly #limits: FileLimits;
  readonly #held = new HeldUpdates();
  readonly #tasks = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #albums: MediaGroupBuffer<AlbumItem>;
  /** Topics whose awaited upload is being saved: a second upload meanwhile is not the awaited one. */
  readonly #receiving = new Set<string>();
  #stopped = false;

  constructor(options: FileTransferOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#limits = options.limits ?? fileLimits(options.settings.transports.telegram.api_root);
    this.#albums = new MediaGroupBuffer<AlbumItem>({
      debounceMs: options.settings.transports.telegram.media_group_debounce_s * 1000,
      onGroup: (_key, items) => {
        const lead = leadOf(items);
        this.#task(
          items.map((i) => i.row.updateId),
          lead.message,
          () => this.#album(items),
          false,
        );
      },
    });
  }

  get #files() {
    return this.#o.settings.transports.telegram.files;
  }

  /** A reloaded config (`watch_config`): projects apply to the next transfers; transport keys wait for a restart. */
  applySettings(settings: Settings): void {
    this.#o.settings = settings;
  }

  /** Whether an inbox row is being worked on here (the router leaves it alone). */
  holds(updateId: number): boolean {
    return this.#held.has(updateId);
  }

  /** `/file …` as a message or as the caption of an attachment. */
  command(row: InboxRow, message: IncomingMessage, args: string): void {
    const ids = [row.updateId];
    const reply = (text: string) => this.#o.host.reply(message, text, ids);
    if (!this.#files.enabled) {
      reply(FILE_TEXT.disabled);
      return;
    }
    const command = parseFileCommand(args, {
      engines: ENGINE_IDS,
      projects: Object.keys(this.#o.settings.projects),
      botUsername: this.#o.bot.username,
    });
    const file = attachmentOf(row);
    if (file && message.mediaGroupId !== undefined) this.#holdForAlbum(row, message, file, command);
    else if (!command.ok) reply(command.error);
    else if (command.action === 'get') {
      if (command.path === '') reply(FILE_TEXT.getUsage);
      else this.#task(ids, message, (signal) => this.#get(message, command, ids, signal));
    } else if (file) this.#task(ids, message, (signal) => this.#put(message, file, command, ids, signal));
    else if (command.path === '') reply(PUT_USAGE);
    else this.#task(ids, message, () => this.#await(message, command, ids));
  }

  /**
   * A message with an attachment and no `/file` caption: an album item, the upload a `/file put`
   * waits for, an auto-put document, or a prompt-mode upload. Returns false when file transfer has
   * nothing to do with it (the router then treats it as it always does).
   */
  media(row: InboxRow, message: IncomingMessage): boolean {
    if (!this.#files.enabled || message.media === undefined || message.media === 'voice') return false;
    const file = attachmentOf(row);
    if (!file) return false;
    const ids = [row.updateId];
    if (message.mediaGroupId !== undefined) {
      this.#holdForAlbum(row, message, file, undefined);
      return true;
    }
    const wait = this.#waitFor(message);
    if (wait) {
      this.#task(ids, message, (signal) => this.#receive(message, file, wait, ids, signal));
      return true;
    }
    if (!this.#o.host.triggers(message)) return false;
    const caption = message.text.trim();
    if (caption === '') {
      if (file.kind !== 'document' || !this.#files.auto_put) return false;
      this.#task(ids, message, (signal) => this.#autoPut(message, [file], ids, signal));
      return true;
    }
    if (this.#files.auto_put_mode === 'prompt' && PROMPT_KINDS.has(file.kind)) {
      this.#task(ids, message, (signal) => this.#promptUpload(message, [file], caption, ids, signal));
      return true;
    }
    if (file.kind === 'document') {
      this.#o.host.reply(message, PUT_USAGE, ids);
      return true;
    }
    return false;
  }

  /** Stops taking work; transfers in flight are abandoned and their updates handled again next boot. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#held.drop(this.#albums.clear().map((item) => item.row.updateId));
    await Promise.allSettled([...this.#tasks]);
  }

  // ── background work ────────────────────────────────────────────────────────────────────────────

  #task(
    updateIds: number[],
    message: IncomingMessage,
    work: (signal: AbortSignal) => Promise<void>,
    hold = true,
  ): void {
    if (hold) this.#held.hold(updateIds);
    const signal = this.#abort.signal;
    const task = (async () => {
      try {
        await work(signal);
      } catch (error) {
        if (this.#stopped) {
          this.#held.drop(updateIds);
          return;
        }
        this.#o.logger.error({ err: error, updateIds }, 'file transfer failed');
        const detail = error instanceof Error ? error.message : String(error);
        try {
          this.#o.host.reply(message, `file transfer failed: ${detail}`, updateIds);
        } catch (replyError) {
          this.#o.logger.error({ err: replyError, updateIds }, 'file transfer failure could not be reported');
        }
      } finally {
        if (!this.#stopped) this.#held.release(updateIds);
      }
    })();
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
  }

  #holdForAlbum(
    row: InboxRow,
    message: IncomingMessage,
    file: IncomingFile,
    command: FileCommand | undefined,
  ) {
    this.#held.hold([row.updateId]);
    this.#albums.add(`${message.chatId}:${message.mediaGroupId}`, {
      messageId: message.messageId,
      row,
      message,
      file,
      command,
    });
  }

  // ── /file put ──────────────────────────────────────────────────────────────────────────────────

  async #put(
    message: IncomingMessage,
    file: IncomingFile,
    command: Extract<FileCommand, { ok: true }>,
    ids: number[],
    signal: AbortSignal,
  ): Promise<void> {
    const allowed = await this.#permitted(message, ids);
    if (!allowed) return;
    const root = await this.#root(message, command.directives, { bind: true });
    if (!root.ok) return this.#o.host.reply(message, root.error, ids);
    const path = command.path === '' ? `${this.#files.uploads_dir}/` : command.path;
    const saved = await this.#save(
      file,
      { root: root.root, path, force: command.force, renameIfTaken: false },
      signal,
    );
    this.#o.host.reply(message, saved.ok ? savedText(saved, root.label) : saved.error, ids);
  }

  /** `/file put <path>` without an attachment: the topic waits for this sender's next upload. */
  async #await(message: IncomingMessage, command: Extract<FileCommand, { ok: true }>, ids: number[]) {
    const allowed = await this.#permitted(message, ids);
    if (!allowed) return;
    const root = await this.#root(message, command.directives, { bind: true });
    if (!root.ok) return this.#o.host.reply(message, root.error, ids);
    const typed = relativePath(command.path);
    if (!typed.ok) {
      const error = typed.reason === 'denied' ? FILE_TEXT.denied(typed.rule) : FILE_TEXT.invalidUpload;
      return this.#o.host.reply(message, error, ids);
    }
    const rule = deniedBy(typed.path, this.#files.deny_globs);
    if (rule !== undefined) return this.#o.host.reply(message, FILE_TEXT.denied(rule), ids);
    // Refuse what can be refused now, rather than after the user has sent the file.
    const target = await resolveInRoot(root.root, typed.segments, this.#files.deny_globs);
    if (!target.ok) {
      const error =
        target.reason === 'denied'
          ? FILE_TEXT.denied(target.rule)
          : target.reason === 'escapes'
            ? FILE_TEXT.uploadEscapes
            : target.reason === 'root-missing'
              ? FILE_TEXT.rootMissing(root.root)
              : FILE_TEXT.invalidUpload;
      return this.#o.host.reply(message, error, ids);
    }
    if (typed.directory && target.kind !== 'directory' && target.kind !== 'missing') {
      return this.#o.host.reply(message, FILE_TEXT.invalidUpload, ids);
    }
    if (!typed.directory && target.kind === 'directory') {
      return this.#o.host.reply(message, FILE_TEXT.isDirectory, ids);
    }
    if (!typed.directory && target.kind !== 'missing' && !command.force) {
      return this.#o.host.reply(message, FILE_TEXT.exists, ids);
    }
    const timeoutS = this.#files.await_timeout_s;
    const shown = typed.directory || typed.path === '' ? `${typed.path || '.'}/` : typed.path;
    const wait: FileWait = {
      path: shown,
      force: command.force,
      senderId: message.senderId ?? null,
      messageId: message.messageId,
      root: target.root,
      deadline: this.#now() + timeoutS * 1000,
    };
    const lane = waitLane(message);
    const what = typed.directory ? `into \`${shown}\`` : `as \`${shown}\``;
    const where = root.label ? ` in \`${root.label}\`` : '';
    this.#o.host.reply(
      message,
      `send the file now: your next upload here is saved ${what}${where} (waiting ${formatDuration(timeoutS)}).`,
      ids,
      () => this.#o.runtime.deliver(lane, { type: 'FILE.AWAIT', wait }),
    );
  }

  /** The wait of this message's topic, when it is this sender's and still open. */
  #waitFor(message: IncomingMessage): FileWait | undefined {
    const lane = waitLane(message);
    if (this.#receiving.has(lane.topicKey)) return undefined;
    const wait = this.#o.runtime.view(lane.topicKey)?.context.fileWait ?? null;
    if (!wait || wait.senderId !== (message.senderId ?? null) || wait.deadline <= this.#now())
      return undefined;
    return wait;
  }

  /** The upload a `/file put <path>` waited for. The wait ends whatever the outcome. */
  async #receive(
    message: IncomingMessage,
    file: IncomingFile,
    wait: FileWait,
    ids: number[],
    signal: AbortSignal,
  ): Promise<void> {
    const lane = waitLane(message);
    this.#receiving.add(lane.topicKey);
    try {
      const allowed = await this.#permitted(message, ids);
      if (!allowed) return;
      const saved = await this.#save(
        file,
        { root: wait.root, path: wait.path, force: wait.force, renameIfTaken: false },
        signal,
      );
      const end = (event: TopicEvent) => () => this.#o.runtime.deliver(lane, event);
      if (!saved.ok) return this.#o.host.reply(message, saved.error, ids, end({ type: 'FILE.CANCEL_WAIT' }));
      const caption = message.text.trim();
      if (caption !== '' && this.#files.auto_put_mode === 'prompt') {
        this.#o.store.transaction(() => {
          end({ type: 'FILE.RECEIVED' })();
          this.#o.host.runPrompt(message, withUploads(caption, [saved.relative]), ids);
        });
        return;
      }
      const label = this.#labelForRoot(wait.root);
      this.#o.host.reply(message, savedText(saved, label), ids, end({ type: 'FILE.RECEIVED' }));
    } finally {
      this.#receiving.delete(lane.topicKey);
    }
  }

  // ── uploads without /file ──────────────────────────────────────────────────────────────────────

  /** Documents without a caption go to `uploads_dir`; a taken name gets a number rather than failing. */
  async #autoPut(message: IncomingMessage, files: IncomingFile[], ids: number[], signal: AbortSignal) {
    const allowed = await this.#permitted(message, ids);
    if (!allowed) return;
    const root = await this.#root(message, '', { bind: false });
    if (!root.ok) return this.#o.host.reply(message, root.error, ids);
    const plan = { root: root.root, path: `${this.#files.uploads_dir}/`, force: false, renameIfTaken: true };
    const results = await this.#saveAll(files, plan, signal);
    this.#o.host.reply(message, summary(files, results, root.label), ids);
  }

  /** Prompt mode: save to `uploads_dir`, then run the caption with the saved paths appended. */
  async #promptUpload(
    message: IncomingMessage,
    files: IncomingFile[],
    caption: string,
    ids: number[],
    signal: AbortSignal,
  ) {
    const allowed = await this.#permitted(message, ids);
    if (!allowed) return;
    // The caption's directives choose the project the files land in, as they choose where the run works.
    const root = await this.#root(message, caption, { bind: false });
    if (!root.ok) return this.#o.host.reply(message, root.error, ids);
    const plan = { root: root.root, path: `${this.#files.uploads_dir}/`, force: false, renameIfTaken: true };
    const results = await this.#saveAll(files, plan, signal);
    const saved = results
      .filter((r): r is Extract<UploadResult, { ok: true }> => r.ok)
      .map((r) => r.relative);
    if (saved.length === 0) return this.#o.host.reply(message, summary(files, results, root.label), ids);
    const failures = failureLines(files, results);
    this.#o.store.transaction(() => {
      if (failures.length > 0) this.#o.host.reply(message, failures.join('\n'), ids);
      this.#o.host.runPrompt(message, withUploads(caption, saved), ids);
    });
  }

  // ── albums ─────────────────────────────────────────────────────────────────────────────────────

  async #album(items: AlbumItem[]): Promise<void> {
    const ids = items.map((i) => i.row.updateId);
    const lead = leadOf(items);
    const message = lead.message;
    const files = items.map((i) => i.file);
    const signal = this.#abort.signal;
    const command = lead.command;
    if (command) {
      if (!command.ok) return this.#o.host.reply(message, command.error, ids);
      if (command.action !== 'put') return this.#o.host.reply(message, PUT_USAGE, ids);
      const allowed = await this.#permitted(message, ids);
      if (!allowed) return;
      const root = await this.#root(message, command.directives, { bind: true });
      if (!root.ok) return this.#o.host.reply(message, root.error, ids);
      const folder = command.path === '' ? this.#files.uploads_dir : command.path;
      const plan = { root: root.root, path: asFolder(folder), force: command.force, renameIfTaken: false };
      const results = await this.#saveAll(files, plan, signal);
      return this.#o.host.reply(message, summary(files, results, root.label), ids);
    }
    const wait = this.#waitFor(message);
    if (wait?.path.endsWith('/')) {
      const lane = waitLane(message);
      const plan = { root: wait.root, path: wait.path, force: wait.force, renameIfTaken: false };
      const results = await this.#saveAll(files, plan, signal);
      const anySaved = results.some((r) => r.ok);
      return this.#o.host.reply(message, summary(files, results, this.#labelForRoot(wait.root)), ids, () =>
        this.#o.runtime.deliver(lane, { type: anySaved ? 'FILE.RECEIVED' : 'FILE.CANCEL_WAIT' }),
      );
    }
    // Trigger mode applies to the album as a whole, judged by its caption.
    if (!this.#o.host.triggers(message)) return this.#skip(ids);
    const caption = message.text.trim();
    const documents = files.every((f) => f.kind === 'document');
    if (caption === '') {
      if (!documents || !this.#files.auto_put) return this.#skip(ids);
      return this.#autoPut(message, files, ids, signal);
    }
    if (this.#files.auto_put_mode === 'prompt' && files.every((f) => PROMPT_KINDS.has(f.kind))) {
      return this.#promptUpload(message, files, caption, ids, signal);
    }
    if (documents) return this.#o.host.reply(message, PUT_USAGE, ids);
    // Photos or videos with a caption, in upload mode: the caption is a prompt, as without file transfer.
    this.#o.host.runPrompt(message, message.text, ids);
  }

  // ── /file get ──────────────────────────────────────────────────────────────────────────────────

  async #get(
    message: IncomingMessage,
    command: Extract<FileCommand, { ok: true }>,
    ids: number[],
    signal: AbortSignal,
  ): Promise<void> {
    const allowed = await this.#permitted(message, ids);
    if (!allowed) return;
    const root = await this.#root(message, command.directives, { bind: true });
    if (!root.ok) return this.#o.host.reply(message, root.error, ids);
    const ready = await prepareDownload(root.root, command.path, {
      denyGlobs: this.#files.deny_globs,
      maxBytes: this.#limits.download,
      tempDir: this.#o.tempDir,
    });
    if (!ready.ok) return this.#o.host.reply(message, ready.error, ids);
    const { chatId, threadId, messageId } = message;
    const sending = this.#o.scheduler.run(
      {
        chatId,
        threadKey: threadId === undefined ? `tg:${chatId}` : `tg:${chatId}:${threadId}`,
        priority: 'send',
        label: 'sendDocument',
      },
      (client, callSignal) =>
        client.sendDocument(
          {
            chatId,
            threadId,
            document: ready.path,
            fileName: ready.fileName,
            replyToMessageId: messageId,
            allowSendingWithoutReply: true,
          },
          { signal: AbortSignal.any([callSignal, signal]), timeoutMs: SEND_TIMEOUT_MS },
        ),
    );
    // The staged copy stays until the upload has settled, even when shutdown stops waiting for it.
    void sending.then(ready.cleanup, ready.cleanup);
    try {
      await untilAborted(sending, signal);
    } catch (error) {
      signal.throwIfAborted();
      this.#o.logger.warn({ err: error, chatId }, 'file could not be sent');
      return this.#o.host.reply(message, FILE_TEXT.sendFailed, ids);
    }
    this.#o.store.transaction(() => {
      for (const id of ids) this.#o.store.inbox.markConsumed(id);
    });
  }

  // ── shared steps ───────────────────────────────────────────────────────────────────────────────

  async #permitted(message: IncomingMessage, ids: number[]): Promise<boolean> {
    const verdict = await checkFilePermission({
      message,
      allowedUserIds: this.#files.allowed_user_ids,
      isAdmin: (chatId, userId) => this.#o.host.isAdmin(chatId, userId),
    });
    if (!verdict.ok) this.#o.host.reply(message, verdict.error, ids);
    return verdict.ok;
  }

  /**
   * Where a message's files live: the project checkout or worktree its directives (or reply, topic,
   * chat and default context) select, creating the worktree when needed; else the bridge's folder.
   */
  async #root(
    message: IncomingMessage,
    text: string,
    options: { bind: boolean },
  ): Promise<({ ok: true } & Root) | { ok: false; error: string }> {
    const resolved = this.#o.host.resolve(message, text);
    if (!resolved.ok) return { ok: false, error: resolved.error };
    let root = resolved.job.cwd;
    if (resolved.worktree) {
      const project = this.#o.settings.projects[resolved.worktree.project];
      if (project) {
        const made = await (this.#o.ensureWorktree ?? ensureWorktree)(project, resolved.worktree.branch);
        if ('error' in made) return { ok: false, error: made.error };
        root = made.path;
      }
    }
    if (options.bind && resolved.bindTopic) this.#o.host.bindTopic(message, resolved.bindTopic);
    const context = resolved.job.context;
    const label = context?.project
      ? context.branch
        ? `${context.project} @${context.branch}`
        : context.project
      : undefined;
    return { ok: true, root, label };
  }

  #save(file: IncomingFile, plan: UploadPlan, signal: AbortSignal): Promise<UploadResult> {
    return saveUpload(file, plan, {
      client: this.#o.client,
      maxBytes: this.#limits.upload,
      denyGlobs: this.#files.deny_globs,
      signal,
    });
  }

  /** One after the other: the names of an album may collide, and the second must see the first. */
  async #saveAll(files: IncomingFile[], plan: UploadPlan, signal: AbortSignal): Promise<UploadResult[]> {
    const results: UploadResult[] = [];
    for (const file of files) results.push(await this.#save(file, plan, signal));
    return results;
  }

  /** The footer-style label of a root a wait stored: `proj` or `proj @branch`. */
  #labelForRoot(root: string): string | undefined {
    for (const project of Object.values(this.#o.settings.projects)) {
      for (const path of [project.path, realOr(project.path)]) {
        if (root === path) return project.alias;
      }
      for (const worktrees of [project.worktrees_root, realOr(project.worktrees_root)]) {
        if (root !== worktrees && isInside(worktrees, root)) {
          return `${project.alias} @${relativeTo(worktrees, root).split(sep).join('/')}`;
        }
      }
    }
    return undefined;
  }

  #skip(ids: number[]): void {
    this.#o.store.transaction(() => {
      for (const id of ids) this.#o.store.inbox.markSkipped(id);
    });
  }
}

/**
 * The topic a `/file put` wait lives in: the forum topic, else the chat (private) or the sender's lane
 * (group), in every session mode, so the sender's next message finds it.
 */
export function waitLane(message: IncomingMessage): {
  topicKey: string;
  chatId: number;
  threadId: number | null;
} {
  if (message.threadId !== undefined) {
    return {
      topicKey: forumTopicKey(message.chatId, message.threadId),
      chatId: message.chatId,
      threadId: message.threadId,
    };
  }
  return {
    topicKey: chatModeKey(message.chatId, message.chatType, message.senderId ?? message.chatId),
    chatId: message.chatId,
    threadId: null,
  };
}

function attachmentOf(row: InboxRow): IncomingFile | undefined {
  const raw = (row.payload as Update).message as Message | undefined;
  return raw ? incomingFile(raw) : undefined;
}

/** The item carrying the album's caption (Telegram puts it on one item), else the first. */
function leadOf(items: AlbumItem[]): AlbumItem {
  return (
    items.find((i) => i.command !== undefined) ?? items.find((i) => i.message.text.trim() !== '') ?? items[0]!
  );
}

function asFolder(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function withUploads(caption: string, paths: string[]): string {
  if (paths.length === 1) return `${caption}\n\n[uploaded file: ${paths[0]}]`;
  return `${caption}\n\n[uploaded files]\n${paths.map((p) => `- ${p}`).join('\n')}`;
}

function savedText(saved: Extract<UploadResult, { ok: true }>, label: string | undefined): string {
  return `saved \`${saved.relative}\`${label ? ` in \`${label}\`` : ''} (${formatBytes(saved.bytes)})`;
}

/** One file: the single-file reply. Several: `saved \`a\`, \`b\` to \`incoming/\` …` plus any failures. */
function summary(files: IncomingFile[], results: UploadResult[], label: string | undefined): string {
  const saved = results.filter((r): r is Extract<UploadResult, { ok: true }> => r.ok);
  const failures = failureLines(files, results);
  if (files.length === 1)
    return saved[0] ? savedText(saved[0], label) : (results[0] as { error: string }).error;
  if (saved.length === 0) return [FILE_TEXT.allFailed, ...failures].join('\n');
  const folder = dirname(saved[0]!.relative);
  const sameFolder = saved.every((s) => dirname(s.relative) === folder);
  const names = saved.map((s) => `\`${sameFolder ? basename(s.relative) : s.relative}\``).join(', ');
  const where = sameFolder ? ` to \`${folder === '.' ? './' : `${folder}/`}\`` : '';
  const total = formatBytes(saved.reduce((sum, s) => sum + s.bytes, 0));
  return [`saved ${names}${where}${label ? ` in \`${label}\`` : ''} (${total})`, ...failures].join('\n');
}

function failureLines(files: IncomingFile[], results: UploadResult[]): string[] {
  const lines: string[] = [];
  results.forEach((result, i) => {
    if (result.ok) return;
    const name = files[i]?.fileName ?? `file ${i + 1}`;
    lines.push(`failed: \`${name}\` (${result.error.replace(/\.$/, '')})`);
  });
  return lines;
}

/** `300` → `5 min`; `90` → `90 s`. */
function formatDuration(seconds: number): string {
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${Math.round(seconds)} s`;
}

/** `promise`, or a rejection as soon as `signal` aborts (shutdown does not wait for a long upload). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
