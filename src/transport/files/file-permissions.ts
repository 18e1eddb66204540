import type { IncomingMessage } from '../routing/message-kind.ts';

export type FilePermission = { ok: true } | { ok: false; error: string };

export interface FilePermissionInput {
  message: Pick<IncomingMessage, 'chatId' | 'chatType' | 'senderId'>;
  /** `files.allowed_user_ids`. */
  allowedUserIds: readonly number[];
  /** Whether the sender administers the group (asked only in groups, only without an allowlist). */
  isAdmin(chatId: number, userId: number): Promise<boolean>;
}

/**
 * Who may move files (takopi §8): with `files.allowed_user_ids` set, exactly those users; otherwise
 * anyone in a private chat and group administrators in groups. A message without a sender is refused.
 *
 * @example
 *   await checkFilePermission({ message: { chatId: -100, chatType: 'supergroup', senderId: 7 }, allowedUserIds: [], isAdmin: async () => false })
 *   // → { ok: false, error: 'file transfer is restricted to group admins.' }
 */
export async function checkFilePermission(input: FilePermissionInput): Promise<FilePermission> {
  const { message, allowedUserIds } = input;
  if (message.senderId === undefined) return { ok: false, error: 'cannot verify sender for file transfer.' };
  if (allowedUserIds.length > 0) {
    return allowedUserIds.includes(message.senderId)
      ? { ok: true }
      : { ok: false, error: 'file transfer is not allowed for this user.' };
  }
  if (message.chatType === 'private') return { ok: true };
  const admin = await input.isAdmin(message.chatId, message.senderId).catch(() => false);
  return admin ? { ok: true } : { ok: false, error: 'file transfer is restricted to group admins.' };
}
