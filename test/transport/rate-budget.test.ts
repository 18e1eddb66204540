import { describe, expect, it } from 'vitest';
import { OutboxScheduler } from '../../src/transport/outbox-scheduler.ts';
import { isPrivateChat, RateBudget } from '../../src/transport/rate-budget.ts';
import { FakeClock } from './fake-clock.ts';
import { StubOutboxClient, tooManyRequests } from './stub-outbox-client.ts';

const PRIVATE = 1001;
const GROUP = -1001234567890;
const OTHER_GROUP = -1009876543210;

/** The most calls that fall within any `windowMs` span. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function setup() {
  const clock = new FakeClock();
  const client = new StubOutboxClient(clock);
  const outbox = new OutboxScheduler({ client, clock });
  return { clock, client, outbox };
}

describe('RateBudget', () => {
  it('tells private chats (positive ids) from groups and channels (negative ids)', () => {
    expect([PRIVATE, GROUP, -4012345].map(isPrivateChat)).toEqual([true, false, false]);
  });

  it('lets an operation start at once in a chat that has done nothing yet', () => {
    const clock = new FakeClock();
    const budget = new RateBudget(() => clock.now());
    expect(budget.readyAt(GROUP, 'send')).toBe(clock.now());
    expect(budget.readyAt(PRIVATE, 'edit')).toBe(clock.now());
  });

  it('keeps slots of a full group minute for sends: an edit waits where a send may still go', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(() => clock.now());
    // 3.1 s apart: the per-3-second window never binds, only the minute does.
    for (let i = 0; i < 18; i++) {
      budget.take(GROUP)();
      await clock.advance(3_100);
    }
    expect(budget.readyAt(GROUP, 'send')).toBe(clock.now());
    expect(budget.readyAt(GROUP, 'edit')).toBeGreaterThan(clock.now());
  });

  it('holds a slot while its call is in flight and counts it from when the answer came back', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(() => clock.now());
    const answered = budget.take(PRIVATE);
    await clock.advance(5_000);
    expect(budget.readyAt(PRIVATE, 'send')).toBe(Number.POSITIVE_INFINITY);
    answered();
    const margin = budget.readyAt(PRIVATE, 'send') - clock.now() - 1_000;
    expect(margin).toBeGreaterThanOrEqual(0);
    expect(margin).toBeLessThanOrEqual(200);
    await clock.advance(1_000 + margin);
    expect(budget.readyAt(PRIVATE, 'send')).toBe(clock.now());
  });

  it('keeps a chat whose slow answer is still in its window when it forgets idle chats', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(() => clock.now(), { bot: [] });
    const answered = budget.take(PRIVATE);
    await clock.advance(5_000);
    answered();
    await clock.advance(500);
    // Over a thousand chats make the budget forget the idle ones; the private chat's slot is still taken.
    for (let i = 0; i < 1_001; i++) budget.take(2_000 + i)();
    expect(budget.readyAt(PRIVATE, 'send')).toBeGreaterThan(clock.now());
  });

  it('pauses only the chat a 429 named', () => {
    const clock = new FakeClock();
    const budget = new RateBudget(() => clock.now());
    budget.pause(GROUP, 30_000);
    expect(budget.readyAt(GROUP, 'send')).toBe(clock.now() + 30_000);
    expect(budget.pausedUntil(GROUP)).toBe(clock.now() + 30_000);
    expect(budget.readyAt(OTHER_GROUP, 'send')).toBe(clock.now());
    expect(budget.readyAt(PRIVATE, 'send')).toBe(clock.now());
  });

  it('gives the turn to the thread served least recently, never-served threads first', () => {
    const clock = new FakeClock();
    const budget = new RateBudget(() => clock.now());
    budget.take(GROUP, 'a');
    budget.take(GROUP, 'b');
    expect(budget.nextThread(GROUP, ['a', 'b', 'c'])).toBe('c');
    expect(budget.nextThread(GROUP, ['b', 'a'])).toBe('a');
  });
});

describe('outbox pacing within the budgets', () => {
  it('sends to a private chat at most one message per second, without bursts', async () => {
    const { clock, client, outbox } = setup();
    const start = clock.now();
    const sends = Array.from({ length: 30 }, (_, i) => outbox.send({ chatId: PRIVATE, text: `m${i}` }));
    await clock.until(() => client.calls.length === 30);
    await Promise.all(sends);
    const times = client.calls.map((c) => c.at);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(1);
    // 30 messages at 1/s: the last one goes 29 s in, plus the safety margin per slot.
    expect(times.at(-1)! - start).toBeGreaterThanOrEqual(29_000);
    expect(times.at(-1)! - start).toBeLessThan(33_000);
  });

  it('deletes in a private chat without waiting for its message budget, but not through a 429 pause', async () => {
    const { clock, client, outbox } = setup();
    const start = clock.now();
    void outbox.send({ chatId: PRIVATE, text: 'final' });
    void outbox.delete({ chatId: PRIVATE, messageId: 1 });
    void outbox.send({ chatId: PRIVATE, text: 'next' });
    await clock.until(() => outbox.pendingCount() === 0);
    expect(client.calls.map((c) => c.method)).toEqual(['sendMessage', 'deleteMessage', 'sendMessage']);
    const [send, del, next] = client.calls.map((c) => c.at);
    expect(del! - send!).toBeLessThan(100);
    // The delete took no slot: the next message waits for the first one's second only.
    expect(next! - start).toBeLessThan(1_300);
    outbox.budget.pause(PRIVATE, 5_000);
    const paused = clock.now();
    const gone = outbox.delete({ chatId: PRIVATE, messageId: 2 });
    await clock.until(() => client.calls.length === 4);
    await gone;
    expect(client.calls[3]!.at - paused).toBeGreaterThanOrEqual(5_000);
  });

  it('spaces progress edits in a private chat at least one second apart', async () => {
    const { clock, client, outbox } = setup();
    for (let i = 0; i < 5; i++) void outbox.edit({ chatId: PRIVATE, messageId: 10 + i, text: `e${i}` });
    await clock.until(() => client.calls.length === 5);
    const times = client.calls.map((c) => c.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('keeps a group within 20 operations per minute, sends and edits together', async () => {
    const { clock, client, outbox } = setup();
    for (let i = 0; i < 30; i++) void outbox.send({ chatId: GROUP, text: `m${i}` });
    for (let i = 0; i < 30; i++) void outbox.edit({ chatId: GROUP, messageId: 500 + i, text: `e${i}` });
    await clock.until(() => client.calls.length === 60, { stepMs: 1_000 });
    const times = client.calls.map((c) => c.at);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(20);
    expect(maxInWindow(times, 3_000)).toBeLessThanOrEqual(3);
    expect(client.calls.slice(0, 30).every((c) => c.method === 'sendMessage')).toBe(true);
  });

  it('shares a forum fairly: six topics take turns even when one topic queued far more work first', async () => {
    const { clock, client, outbox } = setup();
    for (let i = 0; i < 30; i++) {
      void outbox.edit({ chatId: GROUP, threadKey: 'topic-1', messageId: 1_000 + i, text: `busy ${i}` });
    }
    for (let t = 2; t <= 6; t++) {
      for (let i = 0; i < 3; i++) {
        void outbox.edit({
          chatId: GROUP,
          threadKey: `topic-${t}`,
          messageId: t * 100 + i,
          text: `t${t} ${i}`,
        });
      }
    }
    await clock.until(() => client.calls.length === 45, { stepMs: 1_000 });
    const topicOf = (call: (typeof client.calls)[number]) => {
      const id = call.payload.messageId as number;
      return id >= 1_000 ? 1 : Math.floor(id / 100);
    };
    const order = client.calls.map(topicOf);
    // Every round of six calls serves each topic once while all of them have work.
    for (let round = 0; round < 3; round++) {
      expect(new Set(order.slice(round * 6, round * 6 + 6))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    }
    // The quiet topics are done after 18 calls; topic 1 did not hold them back.
    expect(order.slice(18).every((t) => t === 1)).toBe(true);
  });

  it('keeps the whole bot within 30 messages per second across chats', async () => {
    const { clock, client, outbox } = setup();
    const sends = Array.from({ length: 100 }, (_, i) => outbox.send({ chatId: 2_000 + i, text: 'hello' }));
    await clock.until(() => client.calls.length === 100, { stepMs: 50 });
    await Promise.all(sends);
    const times = client.calls.map((c) => c.at);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(30);
    expect(new Set(client.calls.map((c) => c.chatId)).size).toBe(100);
  });

  it('keeps the bot within 30 per second by arrival even when answers are slow: no window bunches', async () => {
    const clock = new FakeClock();
    const latencyMs = 400;
    const client = new StubOutboxClient(clock, latencyMs);
    const outbox = new OutboxScheduler({ client, clock });
    const sends = Array.from({ length: 100 }, (_, i) => outbox.send({ chatId: 2_000 + i, text: 'hello' }));
    await clock.until(() => outbox.pendingCount() === 0, { stepMs: 50 });
    await Promise.all(sends);
    expect(client.calls).toHaveLength(100);
    // Telegram sees a call somewhere between its start and its answer. Whatever those arrival times
    // were, no 31 calls fit in one second if each call starts a second after the answer 30 calls back.
    const starts = client.calls.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 30; i < starts.length; i++) {
      expect(starts[i]! - (starts[i - 30]! + latencyMs)).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('pauses only the chat that got a 429 for its retry_after; other chats keep going meanwhile', async () => {
    const { clock, client, outbox } = setup();
    client.failNext('sendMessage', 1, tooManyRequests(30));
    const start = clock.now();
    const paused = Array.from({ length: 3 }, (_, i) =>
      outbox.send({ chatId: GROUP, threadKey: `t${i}`, text: `g${i}` }),
    );
    const others = Array.from({ length: 5 }, (_, i) => outbox.send({ chatId: OTHER_GROUP, text: `o${i}` }));
    const privates = Array.from({ length: 5 }, (_, i) => outbox.send({ chatId: PRIVATE, text: `p${i}` }));
    await clock.until(() => client.calls.length === 14, { stepMs: 500 });
    await Promise.all([...paused, ...others, ...privates]);
    const groupCalls = client.calls.filter((c) => c.chatId === GROUP);
    expect(groupCalls).toHaveLength(4);
    // The refused call and every later one to that chat (other topics included) waited 30 s.
    expect(groupCalls.slice(1).every((c) => c.at >= start + 30_000)).toBe(true);
    const otherCalls = client.calls.filter((c) => c.chatId !== GROUP);
    expect(otherCalls).toHaveLength(10);
    expect(otherCalls.every((c) => c.at < start + 30_000)).toBe(true);
  });
});
