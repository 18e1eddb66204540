import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeldUpdates } from '../../../src/transport/files/held-updates.ts';
import { MediaGroupBuffer } from '../../../src/transport/files/media-group-buffer.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('MediaGroupBuffer', () => {
  it('hands an album over once, after the debounce time of quiet, in message order', () => {
    const groups: [string, number[]][] = [];
    const buffer = new MediaGroupBuffer<{ messageId: number }>({
      debounceMs: 1000,
      onGroup: (key, items) => groups.push([key, items.map((i) => i.messageId)]),
    });
    buffer.add('5:a', { messageId: 12 });
    vi.advanceTimersByTime(900);
    buffer.add('5:a', { messageId: 11 });
    buffer.add('5:b', { messageId: 20 });
    vi.advanceTimersByTime(900);
    // Items arriving in a later batch extend the wait.
    buffer.add('5:a', { messageId: 13 });
    buffer.add('5:a', { messageId: 13 });
    expect(groups).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(groups).toEqual([['5:b', [20]]]);
    vi.advanceTimersByTime(1000);
    expect(groups).toEqual([
      ['5:b', [20]],
      ['5:a', [11, 12, 13]],
    ]);
    vi.advanceTimersByTime(5000);
    expect(groups).toHaveLength(2);
  });

  it('drops open albums on clear and never hands them over', () => {
    const onGroup = vi.fn();
    const buffer = new MediaGroupBuffer<{ messageId: number }>({ debounceMs: 10, onGroup });
    buffer.add('k', { messageId: 1 });
    buffer.add('k', { messageId: 2 });
    expect(buffer.clear().map((i) => i.messageId)).toEqual([1, 2]);
    vi.advanceTimersByTime(100);
    expect(onGroup).not.toHaveBeenCalled();
  });
});

describe('HeldUpdates', () => {
  it('keeps a released row marked, so a stale pending list does not handle it twice', () => {
    const held = new HeldUpdates({ remember: 2 });
    held.hold([1, 2]);
    expect([held.has(1), held.has(2), held.has(3)]).toEqual([true, true, false]);
    held.release([1, 2]);
    expect([held.has(1), held.has(2)]).toEqual([true, true]);
    held.hold([3]);
    held.release([3]);
    // Only the most recent releases are remembered.
    expect([held.has(1), held.has(2), held.has(3)]).toEqual([false, true, true]);
  });

  it('forgets dropped rows at once (left for the next boot)', () => {
    const held = new HeldUpdates();
    held.hold([7]);
    held.drop([7]);
    expect(held.has(7)).toBe(false);
  });

  it('holds a row until every holder released it', () => {
    const held = new HeldUpdates({ remember: 0 });
    held.hold([4]);
    held.hold([4]);
    held.release([4]);
    expect(held.has(4)).toBe(true);
    held.release([4]);
    expect(held.has(4)).toBe(false);
  });
});
