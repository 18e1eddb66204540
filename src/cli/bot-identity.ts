import type { UserFromGetMe } from 'grammy/types';
import type { TelegramClient } from '../transport/telegram-client.ts';
import { TelegramApiError } from '../transport/telegram-errors.ts';

/** How many times a 429 on getMe is waited out before giving up. */
const GET_ME_ATTEMPTS = 3;

/**
 * The bot behind a token, or the reason there is none: Telegram's refusal (`401: Unauthorized`)
 * or the network failure. 429s are waited out a few times, as a fresh token is often
 * rate-limited while a person retries.
 *
 * @example
 *   const result = await identifyBot(new TelegramClient({ token }));
 *   if (result.ok) console.log(`connected to ${botRef(result.bot)}`);
 */
export async function identifyBot(
  client: TelegramClient,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<{ ok: true; bot: UserFromGetMe } | { ok: false; error: Error }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last: Error = new Error('getMe was not called');
  for (let attempt = 1; attempt <= GET_ME_ATTEMPTS; attempt += 1) {
    try {
      return { ok: true, bot: await client.getMe({ timeoutMs: options.timeoutMs ?? 10_000 }) };
    } catch (error) {
      last = error as Error;
      const retryAfter = error instanceof TelegramApiError ? error.retryAfter : undefined;
      if (retryAfter === undefined || attempt === GET_ME_ATTEMPTS) break;
      await sleep(retryAfter * 1000);
    }
  }
  return { ok: false, error: last };
}

/** `@username`, else the bot's name, else "your bot". */
export function botRef(
  bot: { username?: string | undefined; first_name?: string | undefined } | undefined,
): string {
  if (bot?.username) return `@${bot.username}`;
  return bot?.first_name || 'your bot';
}
