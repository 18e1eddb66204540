import { fromCallback } from 'xstate';
import type { Logger } from '../logging/logger.ts';
import type { OutboxRepository } from '../store/outbox.repository.ts';
import type { Clock } from '../transport/clock.ts';
import { FinalDelivery } from '../transport/final-delivery.ts';
import type { OutboxScheduler } from '../transport/outbox-scheduler.ts';

/** Events the outbox actor takes. Send `OUTBOX.WAKE` after committing new outbox rows. */
export type OutboxActorInputEvent = { type: 'OUTBOX.WAKE' };

/**
 * Events the outbox actor sends its parent: a row reached Telegram (with the messages that carry
 * it, in order), or a row was given up.
 */
export type OutboxActorEvent =
  | { type: 'OUTBOX.DELIVERED'; rowId: number; topicKey: string; kind: string; messageIds: number[] }
  | { type: 'OUTBOX.ABANDONED'; rowId: number; topicKey: string; kind: string; reason: string };

/** The live services the actor drives; they come through `setup({ actors })`, never through input. */
export interface OutboxActorServices {
  outbox: OutboxRepository<unknown>;
  scheduler: OutboxScheduler;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  abandonAfterMs?: number | undefined;
}

/**
 * The durable outbox as an actor: delivers pending rows from the moment it starts (rows left by a
 * previous run first), looks again on `OUTBOX.WAKE`, reports each row to its parent, and stops
 * delivering when it is stopped (what Telegram accepted stays recorded).
 *
 * @example
 * const supervisor = setup({
 *   actors: { outbox: createOutboxActor({ outbox: store.outbox, scheduler }) },
 * }).createMachine({
 *   invoke: { src: 'outbox', id: 'outbox' },
 *   on: { 'OUTBOX.DELIVERED': { actions: 'recordMessageIds' } },
 * });
 */
export function createOutboxActor(services: OutboxActorServices) {
  return fromCallback<OutboxActorInputEvent>(({ sendBack, receive }) => {
    const delivery = new FinalDelivery({
      ...services,
      onDelivered: (rowId, messageIds, row) =>
        sendBack({ type: 'OUTBOX.DELIVERED', rowId, topicKey: row.topicKey, kind: row.kind, messageIds }),
      onAbandoned: (rowId, reason, row) =>
        sendBack({ type: 'OUTBOX.ABANDONED', rowId, topicKey: row.topicKey, kind: row.kind, reason }),
    });
    delivery.start();
    receive((event) => {
      if (event.type === 'OUTBOX.WAKE') delivery.wake();
    });
    return () => {
      void delivery.stop();
    };
  });
}
