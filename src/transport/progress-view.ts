import type { Message } from 'grammy/types';
import type { TopicView } from '../actors/topic-runtime.ts';
import type { Logger } from '../logging/logger.ts';
import type { TopicEvent } from '../machines/topic.types.ts';
import { type OutboxScheduler, OutboxWithdrawnError } from './outbox-scheduler.ts';
import { CANCEL_KEYBOARD, type Presenter } from './presenter.ts';
import type { RenderedText } from './render/rendered-text.ts';

export interface ProgressViewOptions {
  scheduler: OutboxScheduler;
  presenter: Presenter;
  logger: Logger;
  /** Hands an event to a topic (through the runtime, inside a transaction). */
  deliver(topicKey: string, event: TopicEvent): void;
  /** The topic as it is now, to tell whether a message that just went out is still wanted. */
  view(topicKey: string): TopicView | undefined;
  /**
   * How often a running topic's progress is re-rendered while its engine is silent, so the
   * elapsed time keeps moving (takopi's stays frozen). The outbox coalesces and paces the edits.
   */
  tickMs?: number;
}

/**
 * Keeps each topic's Telegram messages in step with its state: the progress message of the
 * running job (sent once as `starting`, then edited), and a `queued` placeholder for each job
 * waiting behind it. Messages are ephemeral views: after a crash they are re-derived from the
 * restored state, and the durable outbox carries what must not be lost (finals).
 */
export class ProgressView {
  readonly #options: ProgressViewOptions;
  /**
   * Runs and jobs whose first message is on its way (never sent twice), with the means to withdraw
   * it while it still waits for the chat's budget: in a busy chat a quick run can end first, and
   * its "starting" would only flash and be deleted.
   */
  readonly #sending = new Map<string, { topicKey: string; withdraw: AbortController }>();
  /** Running topics, re-rendered by the ticker. */
  readonly #running = new Map<string, TopicView>();
  #ticker: NodeJS.Timeout | undefined;

  constructor(options: ProgressViewOptions) {
    this.#options = options;
  }

  start(): void {
    const tickMs = this.#options.tickMs ?? 5_000;
    if (tickMs <= 0) return;
    this.#ticker = setInterval(() => {
      for (const view of this.#running.values()) this.#render(view);
    }, tickMs);
    this.#ticker.unref();
  }

  stop(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#running.clear();
  }

  /** Running topics and their views (for a truthful last edit at shutdown). */
  runningTopics(): TopicView[] {
    return [...this.#running.values()];
  }

  /** Called after a topic's new snapshot was committed. */
  topicChanged(view: TopicView): void {
    if (view.context.current) this.#running.set(view.topicKey, view);
    else this.#running.delete(view.topicKey);
    this.#withdrawUnwanted(view);
    this.#render(view);
  }

  /** First messages still on their way for runs that ended or jobs that left the queue. */
  #withdrawUnwanted(view: TopicView): void {
    const { current, queue } = view.context;
    for (const [id, sending] of this.#sending) {
      if (sending.topicKey !== view.topicKey) continue;
      // A job's placeholder stays wanted when the job starts: it becomes the run's progress message.
      const wanted = current?.runId === id || queue.some((job) => job.jobId === id);
      if (!wanted) sending.withdraw.abort();
    }
  }

  /**
   * Sends the first message of a run or a queued job (`id`), once: `onSent` records it. Withdrawn
   * by `#withdrawUnwanted` while it still waits for the chat's budget.
   */
  #sendFirst(
    id: string,
    context: TopicView['context'],
    text: RenderedText,
    replyTo: number | null,
    what: string,
    onSent: (message: Message.TextMessage) => void,
  ): void {
    if (this.#sending.has(id)) return;
    const withdraw = new AbortController();
    this.#sending.set(id, { topicKey: context.topicKey, withdraw });
    this.#options.scheduler
      .send(
        {
          chatId: context.chatId,
          threadId: context.threadId ?? undefined,
          threadKey: context.topicKey,
          text: text.text,
          entities: text.entities,
          replyToMessageId: replyTo ?? undefined,
          allowSendingWithoutReply: true,
          replyMarkup: CANCEL_KEYBOARD,
          disableNotification: true,
        },
        { withdraw: withdraw.signal },
      )
      .then(onSent, (error: unknown) => {
        if (error instanceof OutboxWithdrawnError) return;
        this.#options.logger.warn({ topic: context.topicKey, err: error }, `${what} not sent`);
      })
      .finally(() => this.#sending.delete(id));
  }

  #render(view: TopicView): void {
    const { context } = view;
    const run = context.current;
    if (run) {
      if (run.progressMessageId === null) this.#sendProgress(view);
      else if (!run.cancel) {
        const text = this.#options.presenter.progress(context, run);
        void this.#options.scheduler.edit({
          chatId: context.chatId,
          threadKey: context.topicKey,
          messageId: run.progressMessageId,
          text: text.text,
          entities: text.entities,
          replyMarkup: CANCEL_KEYBOARD,
        });
      }
    }
    // A placeholder for each job that waits behind the running one, cancellable from there.
    if (!run) return;
    for (const job of context.queue) {
      if (job.placeholderMessageId !== null) continue;
      const text = this.#options.presenter.queued(job);
      this.#sendFirst(job.jobId, context, text, job.userMessageId, 'queued placeholder', (message) => {
        this.#options.deliver(context.topicKey, {
          type: 'TOPIC.PLACEHOLDER_SENT',
          jobId: job.jobId,
          messageId: message.message_id,
        });
        const now = this.#options.view(context.topicKey);
        const stillQueued = now?.context.queue.some((j) => j.jobId === job.jobId);
        const current = now?.context.current;
        // The job started while its placeholder was on the way: the placeholder becomes its progress
        // message (none was sent meanwhile, the send is keyed by the same id), or it is removed.
        if (current?.job.jobId === job.jobId && current.progressMessageId === null) {
          this.#options.deliver(context.topicKey, {
            type: 'TOPIC.PROGRESS_SENT',
            runId: current.runId,
            messageId: message.message_id,
          });
        } else if (!stillQueued) {
          this.#discard(context.chatId, context.topicKey, message.message_id);
        }
      });
    }
  }

  #sendProgress(view: TopicView): void {
    const { context } = view;
    const run = context.current!;
    const text = this.#options.presenter.progress(context, run);
    this.#sendFirst(run.runId, context, text, run.job.userMessageId, 'progress message', (message) => {
      this.#options.deliver(context.topicKey, {
        type: 'TOPIC.PROGRESS_SENT',
        runId: run.runId,
        messageId: message.message_id,
      });
      // A run that ended while its first message was on the way leaves no stale "starting".
      if (this.#options.view(context.topicKey)?.context.current?.runId !== run.runId) {
        this.#discard(context.chatId, context.topicKey, message.message_id);
      }
    });
  }

  #discard(chatId: number, threadKey: string, messageId: number): void {
    void this.#options.scheduler.delete({ chatId, threadKey, messageId }).catch(() => undefined);
  }
}
