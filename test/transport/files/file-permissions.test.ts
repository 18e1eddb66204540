import { describe, expect, it, vi } from 'vitest';
import { checkFilePermission } from '../../../src/transport/files/file-permissions.ts';

type ChatType = 'private' | 'group' | 'supergroup';
const verdict = async (
  chatType: ChatType,
  senderId: number | undefined,
  allowedUserIds: number[],
  admin: boolean | 'throws',
) => {
  const isAdmin = vi.fn(async () => {
    if (admin === 'throws') throw new Error('getChatMember failed');
    return admin;
  });
  const result = await checkFilePermission({
    message: { chatId: chatType === 'private' ? 7 : -100, chatType, senderId },
    allowedUserIds,
    isAdmin,
  });
  return { result, asked: isAdmin.mock.calls.length };
};

describe('checkFilePermission', () => {
  it.each([
    ['private', 7, [], false, { ok: true }, 0],
    ['supergroup', 7, [], true, { ok: true }, 1],
    ['group', 7, [], true, { ok: true }, 1],
    ['supergroup', 7, [], false, { ok: false, error: 'file transfer is restricted to group admins.' }, 1],
    ['supergroup', 7, [], 'throws', { ok: false, error: 'file transfer is restricted to group admins.' }, 1],
    ['supergroup', 7, [7], false, { ok: true }, 0],
    ['private', 8, [7], false, { ok: false, error: 'file transfer is not allowed for this user.' }, 0],
    ['supergroup', 8, [7], true, { ok: false, error: 'file transfer is not allowed for this user.' }, 0],
    ['supergroup', undefined, [], true, { ok: false, error: 'cannot verify sender for file transfer.' }, 0],
  ] as const)(
    '%s chat, sender %s, allowlist %j, admin %s → %j (admin asked %i times)',
    async (chatType, sender, allowed, admin, expected, asked) => {
      const outcome = await verdict(chatType, sender, [...allowed], admin);
      expect(outcome.result).toEqual(expected);
      expect(outcome.asked).toBe(asked);
    },
  );
});
