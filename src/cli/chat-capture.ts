import type { Chat, Update } from 'grammy/types';
import type { TelegramClient } from '../transport/telegram-client.ts';
import { TelegramApiError } from '../transport/telegram-errors.ts';

/** The chat a person wrote in, as `chat-id` and the wizard report it. */
export interface CapturedChat {
  chatId: number;
  type: Chat['type'];
  title: string | undefined;
  username: string | undefined;
  firstName: string | undefined;
  lastName: string | undefined;
}

/** Telegram holds a long poll for at most 50 s. */
const MAX_POLL_S = 50;

/**
 * Waits for the next message a person (not a bot) sends the bot, and returns its chat.
 *
 * Updates already pending are skipped first, so an old message cannot answer; the message that
 * answered is then confirmed, so a bridge started later does not take it for a prompt. Bounded by
 * `timeoutMs`: `undefined` means nobody wrote in time.
 *
 * @throws TelegramApiError for refusals that waiting cannot fix: 401 (bad token), 409 (another
 *   process polls this bot, e.g. a running bridge or a webhook).
 * @example
 *   const chat = await captureChat(client, { timeoutMs: 300_000 });
 *   if (chat) console.log(`chat_id = ${chat.chatId}`);
 */
export async function captureChat(
  client: TelegramClient,
  options: { timeoutMs: number; signal?: AbortSignal; now?: () => number },
): Promise<CapturedChat | undefined> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const allowed = ['message'] as const;
  const call = { signal: options.signal };
  // offset -1 returns only the newest pending update; the next offset then confirms all of them.
  const pending = await client.getUpdates({ offset: -1, timeout: 0, allowed_updates: allowed }, call);
  let offset = nextOffset(pending);
  for (;;) {
    const remainingMs = deadline - now();
    if (remainingMs <= 0) return undefined;
    const wait = Math.max(1, Math.min(MAX_POLL_S, Math.floor(remainingMs / 1000)));
    let updates: Update[];
    try {
      updates = await client.getUpdates({ offset, timeout: wait, allowed_updates: allowed }, call);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof TelegramApiError && error.errorCode !== 429) throw error;
      const retryAfter = error instanceof TelegramApiError ? (error.retryAfter ?? 1) : 1;
      await sleep(Math.min(retryAfter * 1000, Math.max(0, deadline - now())));
      continue;
    }
    offset = nextOffset(updates) ?? offset;
    const message = updates
      .map((update) => update.message)
      .filter((m) => m !== undefined && m.from?.is_bot !== true)
      .at(-1);
    if (message) {
      await client.getUpdates({ offset, timeout: 0, allowed_updates: allowed }, call).catch(() => undefined);
      return {
        chatId: message.chat.id,
        type: message.chat.type,
        title: 'title' in message.chat ? message.chat.title : undefined,
        username: 'username' in message.chat ? message.chat.username : undefined,
        firstName: 'first_name' in message.chat ? message.chat.first_name : undefined,
        lastName: 'last_name' in message.chat ? message.chat.last_name : undefined,
      };
    }
  }
}

/**
 * How a captured chat is named: `@alice (private chat)`, `supergroup "Team"`, `channel "News"`.
 *
 * @example
 *   describeChat({ chatId: 5, type: 'private', username: 'alice', ... }) // '@alice (private chat)'
 */
export function describeChat(chat: CapturedChat): string {
  if (chat.type === 'group' || chat.type === 'supergroup' || chat.type === 'channel') {
    return chat.title ? `${chat.type} "${chat.title}"` : chat.type;
  }
  const name = chat.username
    ? `@${chat.username}`
    : [chat.firstName, chat.lastName].filter(Boolean).join(' ') || 'private chat';
  return `${name} (private chat)`;
}

function nextOffset(updates: readonly Update[]): number | undefined {
  const last = updates.at(-1);
  return last === undefined ? undefined : last.update_id + 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
