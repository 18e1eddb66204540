import type { Update } from 'grammy/types';
import type { Logger } from '../logging/logger.ts';
import type { InboxRepository, IncomingUpdate } from '../store/inbox.repository.ts';
import type { TelegramClient } from './telegram-client.ts';
import { isRateLimited, retryAfterMs, TelegramApiError } from './telegram-errors.ts';

/** Only these update types are requested (takopi §2.1): edits and channel posts are never handled. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export interface IntakePollerOptions {
  client: Pick<TelegramClient, 'getUpdates'>;
  inbox: InboxRepository;
  logger: Logger;
  /** Called after a batch was stored, with the updates that were new. */
  onStored(updates: IncomingUpdate[]): void;
  /** Called once when polling cannot go on (bad token, another poller on the same token). */
  onFatal(error: Error): void;
  /** Long-poll wait in seconds (Telegram caps it at 50). */
  timeoutSeconds?: number;
  /** Pause after a network failure. */
  retryMs?: number;
}

/**
 * The intake half of the ledger (DESIGN §3.1): long-polls `getUpdates` from the stored offset and
 * writes each batch to the `inbox` with the next offset in one transaction, before the next
 * `getUpdates` call acknowledges it to Telegram. A crash at any point loses nothing: unstored
 * updates are redelivered, stored ones are processed from the inbox.
 */
export class IntakePoller {
  readonly #options: IntakePollerOptions;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: IntakePollerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops polling; resolves once the loop ended (the pending request is aborted). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { client, inbox, logger } = this.#options;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const offset = inbox.offset();
      let updates: Update[];
      try {
        updates = await client.getUpdates(
          {
            ...(offset === undefined ? {} : { offset }),
            timeout: this.#options.timeoutSeconds ?? 50,
            // Sent on every call: the value persists server-side and another client may change it.
            allowed_updates: ALLOWED_UPDATES,
          },
          { signal },
        );
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof TelegramApiError && (error.errorCode === 401 || error.errorCode === 409)) {
          this.#options.onFatal(error);
          return;
        }
        const waitMs = isRateLimited(error) ? retryAfterMs(error) : (this.#options.retryMs ?? 2_000);
        logger.warn({ err: error, waitMs }, 'getUpdates failed; retrying');
        await sleep(waitMs, signal);
        continue;
      }
      if (updates.length === 0) continue;
      // After a random jump of update_id, the next offset is the last id of this batch + 1, never
      // the max of what was stored (telegram.md §1).
      const nextOffset = updates[updates.length - 1]!.update_id + 1;
      const fresh = inbox.storeBatch(updates.map(toIncoming), nextOffset);
      logger.debug({ count: updates.length, fresh: fresh.length, nextOffset }, 'updates stored');
      if (fresh.length > 0) this.#options.onStored(fresh);
    }
  }
}

function toIncoming(update: Update): IncomingUpdate {
  const date = update.message?.date;
  return { updateId: update.update_id, sentAt: date ? date * 1000 : null, payload: update };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
