import type { CommandContext } from './command-context.ts';

/** What a refused settings change says, for each way the permission check can end. */
export interface AdminTexts {
  /** The message has no sender (an anonymous admin or a channel post): nobody to check. */
  missingSender: string;
  /** Telegram could not be asked (`getChatMember` failed). */
  failed: string;
  /** The sender is not an administrator or the creator of the group. */
  denied: string;
}

/**
 * Lets a settings change through only for someone allowed to make it: anyone in a private chat, the
 * creator or an administrator in a group. Otherwise replies with the matching text and returns false,
 * so the caller stores nothing.
 *
 * @example
 *   if (!(await requireAdmin(ctx, AGENT_ADMIN_TEXTS))) return;
 */
export async function requireAdmin(ctx: CommandContext, texts: AdminTexts): Promise<boolean> {
  if (ctx.message.senderId === undefined) {
    ctx.reply(texts.missingSender);
    return false;
  }
  let allowed: boolean;
  try {
    allowed = await ctx.senderIsAdmin();
  } catch {
    ctx.reply(texts.failed);
    return false;
  }
  if (!allowed) ctx.reply(texts.denied);
  return allowed;
}
