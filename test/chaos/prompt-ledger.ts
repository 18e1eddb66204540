import type { BridgeHarness } from '../support/bridge-harness.ts';
import type { ChatLogEntry } from '../support/fake-telegram/types.ts';

/** One user message that must get exactly one final. */
export interface SentPrompt {
  label: string;
  chatId: number;
  messageId: number;
  threadId?: number | undefined;
  text: string;
}

/** Layout statuses that end a run (takopi-behavior §6). */
const FINAL = /^(done|error) · /;
const ENDED = /^(done|error|cancelled|interrupted) · /;
/** Statuses of a run still in flight: a message left like this at rest is stuck. */
const IN_FLIGHT = /^(queued|starting|working) · /;

/** The first line of a message (the layout's status header), '' when there is none. */
export function statusLine(message: { text?: string | undefined } | undefined): string {
  return String(message?.text ?? '').split('\n')[0] ?? '';
}

/**
 * The prompts a chaos test sent, and what the chats show for them now: how many finals each got
 * (one is right; none is lost, two is a duplicate) and which bot messages are stuck in flight.
 */
export class PromptLedger {
  readonly prompts: SentPrompt[] = [];

  add(prompt: SentPrompt): SentPrompt {
    this.prompts.push(prompt);
    return prompt;
  }

  /** The finals (done or error) that reply to this prompt. */
  finals(h: BridgeHarness, p: SentPrompt): ChatLogEntry[] {
    return h.tg
      .chatLog(p.chatId)
      .filter((m) => m.fromBot && m.replyTo === p.messageId && FINAL.test(statusLine(m)));
  }

  /** Bot messages replying to this prompt that ended its run (done, error, cancelled, interrupted). */
  endings(h: BridgeHarness, p: SentPrompt): ChatLogEntry[] {
    return h.tg
      .chatLog(p.chatId)
      .filter((m) => m.fromBot && m.replyTo === p.messageId && ENDED.test(statusLine(m)));
  }

  /** The status message (progress, then its ending) that replies to this prompt, if any. */
  progress(h: BridgeHarness, p: SentPrompt): ChatLogEntry | undefined {
    return h.tg
      .chatLog(p.chatId)
      .find(
        (m) =>
          m.fromBot &&
          m.replyTo === p.messageId &&
          (IN_FLIGHT.test(statusLine(m)) || ENDED.test(statusLine(m))),
      );
  }

  unanswered(h: BridgeHarness): SentPrompt[] {
    return this.prompts.filter((p) => this.finals(h, p).length === 0);
  }

  duplicated(h: BridgeHarness): SentPrompt[] {
    return this.prompts.filter((p) => this.finals(h, p).length > 1);
  }

  /** Bot messages in these chats whose status line still says queued, starting or working. */
  stuck(h: BridgeHarness, chatIds: readonly number[]): ChatLogEntry[] {
    return chatIds.flatMap((id) =>
      h.tg.chatLog(id).filter((m) => m.fromBot && IN_FLIGHT.test(statusLine(m))),
    );
  }

  /** A line per prompt that is not answered exactly once, for failure messages. */
  describe(h: BridgeHarness): string {
    return this.prompts
      .map((p) => ({ p, n: this.finals(h, p).length }))
      .filter(({ n }) => n !== 1)
      .map(({ p, n }) => `${p.label} (chat ${p.chatId} message ${p.messageId}): ${n} finals — ${p.text}`)
      .join('\n');
  }
}
