import type { InlineKeyboardMarkup } from 'grammy/types';
import type { DurableMessage, TopicEffects } from '../actors/topic-runtime.ts';
import { ADAPTERS } from '../engines/registry.ts';
import type { FileWait, InFlightRun, RunJob, TopicContext } from '../machines/topic.types.ts';
import type { FinalPayload } from './final-payload.ts';
import { renderError, renderFinal } from './render/final-layout.ts';
import { renderMarkdown } from './render/markdown.ts';
import { fitMessage } from './render/message-fit.ts';
import {
  renderCancelled,
  renderInterrupted,
  renderProgress,
  renderQueued,
} from './render/progress-layout.ts';
import { plainText, type RenderedText } from './render/rendered-text.ts';
import type { RunView } from './render/run-view.ts';

/** Callback data of the inline `cancel` button on progress messages and queued placeholders. */
export const CANCEL_CALLBACK = 'tentacle:cancel';

export const CANCEL_KEYBOARD: InlineKeyboardMarkup = {
  inline_keyboard: [[{ text: 'cancel', callback_data: CANCEL_CALLBACK }]],
};

export interface PresenterOptions {
  /** `trim` (default) or `split` (`message_overflow`). */
  overflow: 'trim' | 'split';
  /** Send the final as a new message and delete the progress message (default); else edit in place. */
  finalNotify: boolean;
  /** `show_resume_line`: when false, resume lines are hidden in stateful scopes. */
  showResumeLine: boolean;
  now: () => number;
}

/**
 * Turns topic facts into Telegram messages: the progress, queued, final, error, cancelled and
 * interrupted layouts (takopi-behavior.md §6), and the durable outbox rows that carry the
 * messages a user must receive. Knows nothing of the Bot API calls themselves.
 */
export class Presenter
  implements
    Pick<TopicEffects, 'runFinished' | 'droppedFromQueue' | 'interrupted' | 'restartedFromFacts' | 'parked'>
{
  constructor(private readonly options: PresenterOptions) {}

  /** The progress message of a running run (`starting` before any event, `working` after). */
  progress(topic: TopicContext, run: InFlightRun): RenderedText {
    const status = run.progress.events === 0 && run.job.origin === 'user' ? 'starting' : 'working';
    return renderProgress(this.#view(topic, run), status);
  }

  /** The placeholder of a job queued behind the topic's running job. */
  queued(job: RunJob): RenderedText {
    return renderQueued({ engine: job.engine, elapsedSeconds: 0, context: contextOf(job), cwd: job.cwd });
  }

  /**
   * The progress message's last words when the bridge stops: the run will continue (or may be
   * continued by replying) once it is back.
   */
  stopping(topic: TopicContext, run: InFlightRun, continuing: boolean): RenderedText {
    return renderInterrupted(this.#view(topic, run), {
      continuing,
      note: continuing
        ? 'the bridge is restarting; this run will continue when it is back.'
        : 'the bridge stopped; reply to this message to continue this run.',
    });
  }

  runFinished(
    topic: TopicContext,
    params: {
      run: InFlightRun;
      completed: { ok: boolean; answer: string; error?: string | null } | null;
      outcome: 'done' | 'error' | 'cancelled';
    },
  ): DurableMessage[] {
    const { run, completed, outcome } = params;
    const view = this.#view(topic, run);
    if (outcome === 'cancelled') {
      // takopi edits the progress message into the cancelled layout and removes the keyboard.
      return this.#message(topic, run.job, [renderCancelled(view)], {
        progressMessageId: run.progressMessageId,
        disposition: 'edit-in-place',
        notify: false,
      });
    }
    const parts =
      completed === null
        ? renderError(
            { ...view, error: 'error:\nthe run ended without a result' },
            { overflow: this.options.overflow },
          )
        : renderFinal(
            { ...view, ok: completed.ok, answer: completed.answer, error: completed.error ?? null },
            { overflow: this.options.overflow },
          );
    // Finals and errors notify (unlike takopi, whose failures arrive silently, §17.12).
    return this.#message(topic, run.job, parts, {
      progressMessageId: run.progressMessageId,
      disposition: this.options.finalNotify ? 'delete-after-send' : 'edit-in-place',
      notify: true,
      markdown: completed?.answer,
    });
  }

  droppedFromQueue(topic: TopicContext, job: RunJob): DurableMessage[] {
    if (job.placeholderMessageId === null) return [];
    const text = renderCancelled({
      engine: job.engine,
      elapsedSeconds: 0,
      context: contextOf(job),
      cwd: job.cwd,
    });
    return this.#message(topic, job, [text], {
      progressMessageId: job.placeholderMessageId,
      disposition: 'edit-in-place',
      notify: false,
    });
  }

  fileWaitExpired(topic: TopicContext, wait: FileWait): DurableMessage[] {
    return [
      this.notice(
        topic.chatId,
        topic.threadId,
        topic.topicKey,
        `no file arrived for \`${wait.path}\` in time; send \`/file put ${wait.path}\` with the file attached.`,
        wait.messageId ?? undefined,
      ),
    ];
  }

  interrupted(topic: TopicContext, run: InFlightRun): DurableMessage[] {
    const text = renderInterrupted(this.#view(topic, run), { continuing: false });
    return this.#message(topic, run.job, [text], {
      progressMessageId: run.progressMessageId,
      disposition: 'edit-in-place',
      notify: false,
    });
  }

  restartedFromFacts(
    topic: { chatId: number; threadId: number | null; topicKey: string },
    reason: string,
  ): DurableMessage[] {
    return [
      this.notice(
        topic.chatId,
        topic.threadId,
        topic.topicKey,
        `tentacle could not restore this conversation's saved state (${reason}); it continues from its stored sessions and queue.`,
      ),
    ];
  }

  parked(topicKey: string, reason: string): DurableMessage[] {
    const [, chat, thread] = topicKey.split(':');
    const chatId = Number(chat);
    const threadId = thread !== undefined && /^\d+$/.test(thread) ? Number(thread) : null;
    return [
      this.notice(
        chatId,
        threadId,
        topicKey,
        `this conversation ${reason} and is paused. send /new to start it again.`,
      ),
    ];
  }

  /** A plain notice (markdown) in a chat or thread, delivered durably. */
  notice(
    chatId: number,
    threadId: number | null,
    topicKey: string,
    markdown: string,
    replyTo?: number,
  ): DurableMessage {
    const payload: FinalPayload = {
      chatId,
      threadId: threadId ?? undefined,
      threadKey: topicKey,
      replyToMessageId: replyTo,
      parts: [renderReply(markdown)],
      disableNotification: false,
    };
    return { kind: 'notice', chatId, payload };
  }

  #message(
    topic: TopicContext,
    job: RunJob,
    parts: RenderedText[],
    options: {
      progressMessageId: number | null;
      disposition: 'delete-after-send' | 'edit-in-place';
      notify: boolean;
      markdown?: string | undefined;
    },
  ): DurableMessage[] {
    const payload: FinalPayload = {
      chatId: topic.chatId,
      threadId: topic.threadId ?? undefined,
      threadKey: topic.topicKey,
      replyToMessageId: job.userMessageId ?? undefined,
      parts,
      disableNotification: !options.notify,
      progress:
        options.progressMessageId === null
          ? undefined
          : { messageId: options.progressMessageId, disposition: options.disposition },
      markdown: options.markdown,
      summary: parts[0]?.text.split('\n')[0],
    };
    return [{ kind: 'final', chatId: topic.chatId, payload }];
  }

  #view(topic: TopicContext, run: InFlightRun): RunView {
    const token = run.resumeToken;
    const stateful = !topic.topicKey.includes(':m');
    const showResume = this.options.showResumeLine || !stateful;
    return {
      engine: run.job.engine,
      elapsedSeconds: Math.max(0, Math.floor((this.options.now() - run.startedAt) / 1000)),
      progress: run.progress,
      resumeLine: token && showResume ? ADAPTERS[run.job.engine].resume.format(token) : null,
      context: contextOf(run.job),
      cwd: run.job.cwd,
    };
  }
}

/** A reply or notice: markdown rendered to text + entities, fitted within Telegram's limit. */
export function renderReply(markdown: string): RenderedText {
  return fitMessage({ header: plainText(''), body: renderMarkdown(markdown) });
}

function contextOf(job: RunJob): RunView['context'] {
  return job.context?.project ? { project: job.context.project, branch: job.context.branch } : null;
}
