import type { InlineKeyboardMarkup } from 'grammy/types';
import { z } from 'zod';
import type { RenderedText } from './render/rendered-text.ts';

/**
 * What becomes of the progress message once the final answer is delivered:
 * - `delete-after-send`: the answer goes out as a new message (the user is notified), then the
 *   progress message is deleted (default final-notify);
 * - `edit-in-place`: the answer's first part replaces the progress message (`--no-final-notify`,
 *   errors, cancel, interrupted notices);
 * - `keep`: the progress message stays as it is.
 */
export type ProgressDisposition = 'delete-after-send' | 'edit-in-place' | 'keep';

/**
 * Where final delivery stands, written back into the row after every step Telegram accepted, so a
 * crash in the middle resumes at the next step instead of sending a part twice.
 */
export interface FinalDeliveryState {
  /** How many of `parts` Telegram accepted (in order). */
  partsDone: number;
  /** Ids of the messages that carry the answer so far, in order. */
  messageIds: number[];
  /** The chat id after a basic group was upgraded to a supergroup. */
  chatId?: number | undefined;
  /** The topic is gone or closed: the rest goes to the chat without `message_thread_id`. */
  withoutThread?: boolean | undefined;
  /** The message to reply to is gone: the rest goes without a reply. */
  withoutReply?: boolean | undefined;
  /** The progress message could not be edited: the first part is sent as a new message. */
  editFailed?: boolean | undefined;
  /** The progress message was dealt with (deleted, or its keyboard cleared) after the last part. */
  progressSettled?: boolean | undefined;
}

/**
 * One row of the durable `outbox` table: a final, error, cancelled or interrupted message,
 * rendered, with everything needed to deliver it after a restart. JSON only.
 *
 * @example
 * const payload: FinalPayload = {
 *   chatId: -1001234567890,
 *   threadId: 42,
 *   replyToMessageId: 17,
 *   parts: [renderedFinal],
 *   disableNotification: false,
 *   progress: { messageId: 18, disposition: 'delete-after-send' },
 *   markdown: answerMarkdown,
 *   summary: 'done · codex · 11s · step 5',
 * };
 * store.outbox.enqueue({ topicKey: 'tg:-1001234567890:42', chatId: payload.chatId, kind: 'final', payload });
 */
export interface FinalPayload {
  chatId: number;
  /** The forum topic (never 1: General takes no thread id). */
  threadId?: number | undefined;
  /** The lane that shares the chat's budget fairly; defaults to the row's `topic_key`. */
  threadKey?: string | undefined;
  /** The user's message the answer replies to. */
  replyToMessageId?: number | undefined;
  /** The rendered answer: one part, or several in split mode, each within Telegram's limits. */
  parts: RenderedText[];
  /** Sends are silent when true (errors and cancel edit in place and do not notify anyway). */
  disableNotification: boolean;
  progress?:
    | {
        messageId: number;
        disposition: ProgressDisposition;
        /** With `keep`: remove the progress message's inline keyboard (the cancel button). */
        clearKeyboard?: boolean | undefined;
      }
    | undefined;
  /** A keyboard for the last part of the answer; usually none. */
  replyMarkup?: InlineKeyboardMarkup | undefined;
  /** The answer's markdown source, sent as `answer.md` when Telegram refuses every text form. */
  markdown?: string | undefined;
  /** One line captioning that document (default: the first line of the first part). */
  summary?: string | undefined;
  /** Written by final delivery; absent on a fresh row. */
  delivery?: FinalDeliveryState | undefined;
}

const entitySchema = z.looseObject({ type: z.string(), offset: z.number().int(), length: z.number().int() });

/** Optional in the type; a writer's `null` reads as absent rather than making the row undeliverable. */
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

const int = () => z.number().int();

const payloadSchema = z.object({
  chatId: int(),
  threadId: optional(int()),
  threadKey: optional(z.string()),
  replyToMessageId: optional(int()),
  parts: z.array(z.object({ text: z.string(), entities: z.array(entitySchema) })).min(1),
  disableNotification: z.boolean(),
  progress: optional(
    z.object({
      messageId: int(),
      disposition: z.enum(['delete-after-send', 'edit-in-place', 'keep']),
      clearKeyboard: optional(z.boolean()),
    }),
  ),
  replyMarkup: optional(z.looseObject({ inline_keyboard: z.array(z.array(z.unknown())) })),
  markdown: optional(z.string()),
  summary: optional(z.string()),
  delivery: optional(
    z.object({
      partsDone: int().min(0),
      messageIds: z.array(int()),
      chatId: optional(int()),
      withoutThread: optional(z.boolean()),
      withoutReply: optional(z.boolean()),
      editFailed: optional(z.boolean()),
      progressSettled: optional(z.boolean()),
    }),
  ),
});

/** The payload if the row holds a valid one, else why not (a row that can never be delivered). */
export function parseFinalPayload(
  value: unknown,
): { ok: true; payload: FinalPayload } | { ok: false; reason: string } {
  const result = payloadSchema.safeParse(value);
  if (result.success) return { ok: true, payload: result.data as FinalPayload };
  return { ok: false, reason: z.prettifyError(result.error) };
}
