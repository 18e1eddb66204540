import type { TopicView } from '../actors/topic-runtime.ts';
import type { Logger } from '../logging/logger.ts';
import type { TopicEvent } from '../machines/topic.types.ts';
import type { OutboxScheduler } from './outbox-scheduler.ts';
import { CANCEL_KEYBOARD, type Presenter } from './presenter.ts';

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
  /** Runs and jobs whose first message is on its way (never sent twice). */
  readonly #sending = new Set<string>();
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
    this.#render(view);
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
      if (job.placeholderMessageId !== null || this.#sending.has(job.jobId)) continue;
      this.#sending.add(job.jobId);
      const text = this.#options.presenter.queued(job);
      this.#options.scheduler
        .send({
          chatId: context.chatId,
          threadId: context.threadId ?? undefined,
          threadKey: context.topicKey,
          text: text.text,
          entities: text.entities,
          replyToMessageId: job.userMessageId ?? undefined,
          allowSendingWithoutReply: true,
          replyMarkup: CANCEL_KEYBOARD,
          disableNotification: true,
        })
        .then(
          (message) => {
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
          },
          (error: unknown) =>
            this.#options.logger.warn({ topic: context.topicKey, err: error }, 'queued placeholder not sent'),
        )
        .finally(() => this.#sending.delete(job.jobId));
    }
  }

  #sendProgress(view: TopicView): void {
    const { context } = view;
    const run = context.current!;
    if (this.#sending.has(run.runId)) return;
    this.#sending.add(run.runId);
    const text = this.#options.presenter.progress(context, run);
    this.#options.scheduler
      .send({
        chatId: context.chatId,
        threadId: context.threadId ?? undefined,
        threadKey: context.topicKey,
        text: text.text,
        entities: text.entities,
        replyToMessageId: run.job.userMessageId ?? undefined,
        allowSendingWithoutReply: true,
        replyMarkup: CANCEL_KEYBOARD,
        disableNotification: true,
      })
      .then(
        (message) => {
          this.#options.deliver(context.topicKey, {
            type: 'TOPIC.PROGRESS_SENT',
            runId: run.runId,
            messageId: message.message_id,
          });
          // A run that ended while its first message was on the way leaves no stale "starting".
          if (this.#options.view(context.topicKey)?.context.current?.runId !== run.runId) {
            this.#discard(context.chatId, context.topicKey, message.message_id);
          }
        },
        (error: unknown) =>
          this.#options.logger.warn({ topic: context.topicKey, err: error }, 'progress message not sent'),
      )
      .finally(() => this.#sending.delete(run.runId));
  }

  #discard(chatId: number, threadKey: string, messageId: number): void {
    void this.#options.scheduler.delete({ chatId, threadKey, messageId }).catch(() => undefined);
  }
}
