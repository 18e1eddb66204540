import { createHash, randomUUID } from 'node:crypto';
import type { BotCommand } from 'grammy/types';
import type { InspectionEvent } from 'xstate';
import { createEngineProcessLogic } from '../actors/engine-process.actor.ts';
import { TopicRuntime } from '../actors/topic-runtime.ts';
import { ConfigError } from '../config/config-error.ts';
import type { Settings } from '../config/load-config.ts';
import { ENGINE_IDS, type EngineId, type JsonObject } from '../engines/events.ts';
import { ADAPTERS, installedEngines } from '../engines/registry.ts';
import type { Logger } from '../logging/logger.ts';
import { ensureWorktree } from '../projects/ensure-worktree.ts';
import type { Store } from '../store/store.ts';
import type { CommandHandler } from './commands/command-context.ts';
import { FinalDelivery } from './final-delivery.ts';
import { IntakePoller } from './intake-poller.ts';
import { OutboxScheduler } from './outbox-scheduler.ts';
import { Presenter, renderReply } from './presenter.ts';
import { ProgressView } from './progress-view.ts';
import { topicScopeFrom } from './routing/topic-scope.ts';
import { TelegramClient } from './telegram-client.ts';
import { checkTopicsSetup } from './topics-check.ts';
import { UpdateRouter } from './update-router.ts';

export interface BridgeOptions {
  settings: Settings;
  store: Store;
  logger: Logger;
  /** `--engine`: the default engine for new conversations. */
  engineOverride?: EngineId | undefined;
  /** `--no-final-notify` turns this off. */
  finalNotify: boolean;
  /** Setting commands (`/agent`, `/model`, …) by name. */
  commands?: Readonly<Record<string, CommandHandler>>;
  /** Environment of engine processes (default: the bridge's). */
  env?: NodeJS.ProcessEnv;
  /** Called when polling cannot go on (bad token, another instance): the bridge should exit. */
  onFatal(error: Error): void;
  /** Receives every inspection event of the actor system (`tentacle run --inspect`). */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}

const MENU_HASH_KEY = 'telegram.commands_hash';
const INBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The running bridge: polls Telegram into the intake ledger, routes updates to topic actors,
 * keeps progress messages in step and delivers finals from the durable outbox (DESIGN §1).
 */
export class Bridge {
  readonly #o: BridgeOptions;
  readonly #bootId = randomUUID();
  readonly client: TelegramClient;
  readonly scheduler: OutboxScheduler;
  readonly runtime: TopicRuntime;
  readonly #delivery: FinalDelivery;
  readonly #presenter: Presenter;
  readonly #view: ProgressView;
  #router: UpdateRouter | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #poller: IntakePoller | undefined;
  #globalEngine: EngineId;
  /** The settings in force; `reload` replaces the parts that can change live. */
  #settings: Settings;
  readonly #installed: EngineId[];

  constructor(options: BridgeOptions) {
    this.#o = options;
    const { settings, store, logger } = options;
    const telegram = settings.transports.telegram;
    this.#settings = settings;
    this.#globalEngine = options.engineOverride ?? (settings.default_engine as EngineId);
    this.#installed = installedEngines(options.env ?? process.env);
    this.client = new TelegramClient({ token: telegram.bot_token, apiRoot: telegram.api_root });
    this.scheduler = new OutboxScheduler({ client: this.client, logger });
    this.#presenter = new Presenter({
      overflow: telegram.message_overflow,
      finalNotify: options.finalNotify,
      showResumeLine: telegram.show_resume_line,
      now: Date.now,
    });
    this.#delivery = new FinalDelivery({ outbox: store.outbox, scheduler: this.scheduler, logger });
    this.#view = new ProgressView({
      scheduler: this.scheduler,
      presenter: this.#presenter,
      logger,
      deliver: (topicKey, event) => {
        const view = this.runtime.view(topicKey);
        if (!view) return;
        this.runtime.deliver(
          { topicKey, chatId: view.context.chatId, threadId: view.context.threadId },
          event,
        );
      },
      view: (topicKey) => this.runtime.view(topicKey),
    });
    this.runtime = new TopicRuntime({
      store,
      logger,
      bootId: this.#bootId,
      engineProcess: createEngineProcessLogic({
        bootId: this.#bootId,
        adapters: ADAPTERS,
        env: options.env,
        idleWarnSeconds: settings.engine_idle_warn_s,
        // Read at each spawn, so a reloaded config's engine tables apply to the next run.
        configFor: (engine) => this.#settings[engine] as JsonObject | undefined,
        logger,
      }),
      onRestart: settings.on_restart,
      prepareWorkspace: async (job) => {
        const project = job.worktree ? this.#settings.projects[job.worktree.project] : undefined;
        if (!job.worktree || !project) return job.cwd;
        const result = await ensureWorktree(project, job.worktree.branch);
        if ('error' in result) throw new Error(result.error);
        return result.path;
      },
      inspect: options.inspect,
      effects: {
        runFinished: (topic, params) => this.#presenter.runFinished(topic, params),
        droppedFromQueue: (topic, job) => this.#presenter.droppedFromQueue(topic, job),
        fileWaitExpired: (topic, wait) => this.#presenter.fileWaitExpired(topic, wait),
        interrupted: (topic, run) => this.#presenter.interrupted(topic, run),
        restartedFromFacts: (topic, reason) => this.#presenter.restartedFromFacts(topic, reason),
        parked: (topicKey, reason) => this.#presenter.parked(topicKey, reason),
        topicChanged: (_key, view) => this.#view.topicChanged(view),
        outboxChanged: () => this.#delivery.wake(),
      },
    });
  }

  get bootId(): string {
    return this.#bootId;
  }

  /**
   * Checks the token, restores topics, delivers what was pending, processes the backlog that
   * arrived while tentacle was down, says it is ready, and starts polling.
   */
  async start(): Promise<void> {
    const { settings, store, logger } = this.#o;
    const me = await this.client.getMe();
    logger.info({ bot: me.username }, `connected to @${me.username}`);
    if (settings.transports.telegram.topics.enabled) {
      // takopi refuses to start with a forum the bot cannot manage; so do we, with the fix named.
      const problem = await checkTopicsSetup(this.client, me.id, topicScopeFrom(settings));
      if (problem) throw new ConfigError(problem);
    }
    await this.#updateCommandMenu();
    this.#delivery.start();
    this.#view.start();
    this.runtime.start();
    this.#router = new UpdateRouter({
      settings,
      store,
      runtime: this.runtime,
      client: this.client,
      scheduler: this.scheduler,
      presenter: this.#presenter,
      bot: { id: me.id, username: me.username },
      globalEngine: this.#globalEngine,
      installedEngines: this.#installed,
      startupCwd: process.cwd(),
      logger,
      wakeOutbox: () => this.#delivery.wake(),
      commands: this.#o.commands ?? {},
    });
    await this.#router.notify();
    this.#sendStartupMessage();
    this.#poller = new IntakePoller({
      client: this.client,
      inbox: store.inbox,
      logger,
      onStored: () => void this.#router?.notify(),
      onFatal: (error) => this.#o.onFatal(error),
    });
    this.#poller.start();
    // Handled updates are kept a week for dedupe of late redeliveries, then forgotten.
    const prune = () => store.inbox.prune(Date.now() - INBOX_RETENTION_MS);
    prune();
    this.#pruneTimer = setInterval(prune, 60 * 60 * 1000);
    this.#pruneTimer.unref();
  }

  /**
   * Stops polling and routing, leaves every running progress message truthful, stops the actors
   * (engines get SIGTERM; their snapshots still say they were running, so the next boot resumes
   * them) and drains the outbox briefly.
   */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    const drainMs = options.drainMs ?? 3_000;
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.#poller?.stop();
    await this.#router?.stop();
    const continuing = this.#settings.on_restart === 'resume';
    const running = this.#view.runningTopics();
    this.#view.stop();
    for (const { context } of running) {
      const run = context.current;
      if (!run?.progressMessageId) continue;
      const text = this.#presenter.stopping(context, run, continuing);
      void this.scheduler.edit({
        chatId: context.chatId,
        threadKey: context.topicKey,
        messageId: run.progressMessageId,
        text: text.text,
        entities: text.entities,
      });
    }
    this.runtime.stop();
    // The outbox closes first, so its drain bounds the stop: a delivery waiting on a chat paused by
    // a 429 ends with it and keeps its row (and what is left to do) for the next run.
    const closed = this.scheduler.close({ drainMs });
    await this.#delivery.stop();
    await closed;
  }

  /**
   * Applies a reloaded config (`watch_config`): engines, projects, defaults and `on_restart` take
   * effect for the next messages; the Telegram transport (token, chat, modes, files, voice, topics)
   * keeps its running values until a restart.
   *
   * @returns the keys that changed but need a restart.
   */
  reload(next: Settings): string[] {
    const current = this.#settings;
    const needsRestart = ['transports', 'state_path', 'transport', 'watch_config'].filter(
      (key) =>
        JSON.stringify((next as unknown as Record<string, unknown>)[key]) !==
        JSON.stringify((current as unknown as Record<string, unknown>)[key]),
    );
    const applied: Settings = {
      ...next,
      transports: current.transports,
      state_path: current.state_path,
      state_path_resolved: current.state_path_resolved,
      transport: current.transport,
      watch_config: current.watch_config,
    };
    this.#settings = applied;
    this.#globalEngine = this.#o.engineOverride ?? (applied.default_engine as EngineId);
    this.#router?.applySettings(applied, this.#globalEngine);
    this.runtime.setOnRestart(applied.on_restart);
    void this.#updateCommandMenu();
    return needsRestart;
  }

  async #updateCommandMenu(): Promise<void> {
    const commands = commandMenu(this.#settings, this.#installed);
    const hash = createHash('sha256').update(JSON.stringify(commands)).digest('hex');
    // Telegram answers repeated setMyCommands calls with 429s of minutes: only call it on change.
    if (this.#o.store.meta.get(MENU_HASH_KEY) === hash) return;
    try {
      await this.client.setMyCommands(commands);
      this.#o.store.meta.set(MENU_HASH_KEY, hash);
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'command menu not updated');
    }
  }

  #sendStartupMessage(): void {
    const { settings } = this.#o;
    const telegram = settings.transports.telegram;
    const missing = ENGINE_IDS.filter((e) => !this.#installed.includes(e));
    const engines = `${this.#installed.join(', ') || 'none'}${missing.length > 0 ? ` (not installed: ${missing.join(', ')})` : ''}`;
    const projects = Object.keys(settings.projects);
    const lines = [
      '🐙 **tentacle is ready**',
      '',
      `default: \`${this.#globalEngine}\``,
      `engines: \`${engines}\``,
      `projects: \`${projects.length > 0 ? projects.join(', ') : 'none'}\``,
      `mode: \`${telegram.session_mode}\``,
      `topics: \`${telegram.topics.enabled ? `enabled (scope=${telegram.topics.scope})` : 'disabled'}\``,
      `resume lines: \`${telegram.show_resume_line ? 'shown' : 'hidden'}\``,
      `working in: \`${process.cwd()}\``,
    ];
    const text = renderReply(lines.join('\n'));
    void this.scheduler
      .send({ chatId: telegram.chat_id, text: text.text, entities: text.entities, disableNotification: true })
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'startup message not sent'));
  }
}

/** The command menu in takopi's order (§13): engines, projects, then the built-ins. */
export function commandMenu(settings: Settings, installed: readonly EngineId[]): BotCommand[] {
  const commands: BotCommand[] = installed.map((engine) => ({
    command: engine,
    description: `use engine: ${engine}`,
  }));
  for (const alias of Object.keys(settings.projects)) {
    if (/^[a-z0-9_]{1,32}$/.test(alias)) commands.push({ command: alias, description: `work on: ${alias}` });
  }
  commands.push(
    { command: 'new', description: 'start a new session' },
    { command: 'ctx', description: 'show or set the project context' },
    { command: 'agent', description: 'show or set the default engine' },
    { command: 'model', description: 'show or set the model' },
    { command: 'reasoning', description: 'show or set the reasoning level' },
    { command: 'trigger', description: 'answer all messages or only mentions' },
  );
  if (settings.transports.telegram.topics.enabled)
    commands.push({ command: 'topic', description: 'create a topic' });
  if (settings.transports.telegram.files.enabled)
    commands.push({ command: 'file', description: 'send or fetch files' });
  commands.push({ command: 'cancel', description: 'cancel run' });
  return commands
    .slice(0, 99)
    .concat(commands.length > 99 ? [{ command: 'cancel', description: 'cancel run' }] : []);
}
