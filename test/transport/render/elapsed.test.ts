import { describe, expect, it } from 'vitest';
import { formatElapsed } from '../../../src/transport/render/elapsed.ts';

describe('formatElapsed', () => {
  it.each([
    [0, '0s'],
    [0.9, '0s'],
    [8, '8s'],
    [59.99, '59s'],
    [60, '1m 00s'],
    [65, '1m 05s'],
    [125, '2m 05s'],
    [3599, '59m 59s'],
    [3600, '1h 00m'],
    [3780, '1h 03m'],
    [90_061, '25h 01m'],
    [-5, '0s'],
    [Number.NaN, '0s'],
    [Number.POSITIVE_INFINITY, '0s'],
  ])('shows %d seconds as %s', (seconds, shown) => {
    expect(formatElapsed(seconds)).toBe(shown);
  });
});
