import type { Message } from 'grammy/types';
import type { OutboxClient } from '../../src/transport/outbox-scheduler.ts';
import type { OutgoingText, TextEdit } from '../../src/transport/telegram-client.ts';
import { TelegramApiError, TelegramNetworkError } from '../../src/transport/telegram-errors.ts';
import type { FakeClock } from './fake-clock.ts';

export interface StubCall {
  method: 'sendMessage' | 'editMessageText' | 'deleteMessage' | 'editMessageReplyMarkup' | 'sendDocument';
  at: number;
  chatId: number;
  payload: Record<string, unknown>;
}

type Failure = (call: StubCall) => Error;

/**
 * An in-memory outbox client on a fake clock: it records every call with its time, answers after
 * `latencyMs` of fake time, and fails calls a test armed.
 */
export class StubOutboxClient implements OutboxClient {
  readonly calls: StubCall[] = [];
  #nextMessageId = 100;
  readonly #failures: { method: StubCall['method'] | '*'; failure: Failure; remaining: number }[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly latencyMs = 0,
  ) {}

  failNext(method: StubCall['method'] | '*', count: number, failure: Failure): void {
    this.#failures.push({ method, failure, remaining: count });
  }

  callsOf(method: StubCall['method']): StubCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  sendMessage(message: OutgoingText): Promise<Message.TextMessage> {
    return this.#answer(
      'sendMessage',
      message.chatId,
      { ...message },
      () =>
        ({
          message_id: this.#nextMessageId++,
          date: 0,
          chat: { id: message.chatId, type: message.chatId > 0 ? 'private' : 'supergroup' },
          text: message.text,
        }) as Message.TextMessage,
    );
  }

  editMessageText(edit: TextEdit): Promise<Message.TextMessage | true> {
    return this.#answer('editMessageText', edit.chatId, { ...edit }, () => true as const);
  }

  deleteMessage(chatId: number, messageId: number): Promise<true> {
    return this.#answer('deleteMessage', chatId, { messageId }, () => true as const);
  }

  editMessageReplyMarkup(target: { chatId: number; messageId: number }): Promise<Message | true> {
    return this.#answer('editMessageReplyMarkup', target.chatId, { ...target }, () => true as const);
  }

  sendDocument(doc: { chatId: number }): Promise<Message.DocumentMessage> {
    return this.#answer('sendDocument', doc.chatId, { ...doc }, () => ({}) as Message.DocumentMessage);
  }

  #answer<T>(
    method: StubCall['method'],
    chatId: number,
    payload: Record<string, unknown>,
    result: () => T,
  ): Promise<T> {
    const call: StubCall = { method, at: this.clock.now(), chatId, payload };
    this.calls.push(call);
    const armed = this.#failures.find((f) => f.method === method || f.method === '*');
    let outcome: () => T = result;
    if (armed) {
      armed.remaining--;
      if (armed.remaining <= 0) this.#failures.splice(this.#failures.indexOf(armed), 1);
      const error = armed.failure(call);
      outcome = () => {
        throw error;
      };
    }
    if (this.latencyMs === 0) return Promise.resolve().then(outcome);
    return new Promise<T>((resolve, reject) => {
      this.clock.setTimeout(() => {
        try {
          resolve(outcome());
        } catch (err) {
          reject(err);
        }
      }, this.latencyMs);
    });
  }
}

export const tooManyRequests =
  (retryAfter: number): Failure =>
  (call) =>
    new TelegramApiError(call.method, 429, `Too Many Requests: retry after ${retryAfter}`, {
      retry_after: retryAfter,
    });

export const serverError: Failure = (call) => new TelegramApiError(call.method, 502, 'Bad Gateway');

export const networkDown: Failure = (call) => new TelegramNetworkError(call.method, { detail: 'ECONNRESET' });

export const badRequest =
  (description: string): Failure =>
  (call) =>
    new TelegramApiError(call.method, 400, `Bad Request: ${description}`);
