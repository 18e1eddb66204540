import type { Update } from 'grammy/types';
import type { Settings } from '../../config/load-config.ts';

/** Who may use the bot and where. */
export interface AccessPolicy {
  /** The main chat, every project chat, and the DMs of every allowed user. */
  allowedChatIds: ReadonlySet<number>;
  /** Empty: everyone in an allowed chat. Otherwise only these senders, for messages and button presses. */
  allowedUserIds: readonly number[];
}

/**
 * The chats tentacle answers in: `transports.telegram.chat_id`, every `projects.*.chat_id`, and the ids
 * of `allowed_user_ids` (a private chat's id is the user's id, so an allowed user's DM works).
 *
 * @example
 *   allowedChatIds({ mainChatId: -100, projectChatIds: [-200], allowedUserIds: [7] }) // Set { -100, -200, 7 }
 */
export function allowedChatIds(input: {
  mainChatId: number;
  projectChatIds: readonly number[];
  allowedUserIds: readonly number[];
}): Set<number> {
  return new Set([input.mainChatId, ...input.projectChatIds, ...input.allowedUserIds]);
}

/** The access policy of the current settings (recompute after a config reload: project chats can change). */
export function accessPolicyFrom(settings: Settings): AccessPolicy {
  const telegram = settings.transports.telegram;
  const projectChatIds = Object.values(settings.projects).flatMap((project) =>
    project.chat_id === null ? [] : [project.chat_id],
  );
  return {
    allowedChatIds: allowedChatIds({
      mainChatId: telegram.chat_id,
      projectChatIds,
      allowedUserIds: telegram.allowed_user_ids,
    }),
    allowedUserIds: telegram.allowed_user_ids,
  };
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; reason: 'sender missing' | 'sender not allowed' | 'chat not allowed' };

/**
 * Decides whether an update is served. The sender gate (when `allowed_user_ids` is set) drops updates with
 * no sender or a sender not listed, button presses included; then the chat must be on the allowlist. A
 * dropped update gets no reply.
 *
 * @example
 *   checkAccess({ update_id: 1, message: { …, chat: { id: -999, … } } }, policy)
 *   // → { allowed: false, reason: 'chat not allowed' }
 */
export function checkAccess(update: Update, policy: AccessPolicy): AccessDecision {
  if (policy.allowedUserIds.length > 0) {
    const sender = updateSenderId(update);
    if (sender === undefined) return { allowed: false, reason: 'sender missing' };
    if (!policy.allowedUserIds.includes(sender)) return { allowed: false, reason: 'sender not allowed' };
  }
  const chat = updateChatId(update);
  if (chat === undefined || !policy.allowedChatIds.has(chat))
    return { allowed: false, reason: 'chat not allowed' };
  return { allowed: true };
}

/** The user who sent a message or pressed a button. */
export function updateSenderId(update: Update): number | undefined {
  if (update.callback_query) return update.callback_query.from.id;
  return updateMessage(update)?.from?.id;
}

/** The chat a message or a pressed button belongs to (a button on an inline-mode message has none). */
export function updateChatId(update: Update): number | undefined {
  if (update.callback_query) return update.callback_query.message?.chat.id;
  return updateMessage(update)?.chat.id;
}

function updateMessage(update: Update) {
  return update.message ?? update.edited_message ?? update.channel_post ?? update.edited_channel_post;
}
