import { describe, expect, it } from 'vitest';
import { graphemeCut, shortenLine } from '../../../src/transport/render/text-boundaries.ts';

describe('graphemeCut', () => {
  it.each<[string, string, number, number]>([
    ['plain ascii', 'abcdef', 4, 4],
    ['a surrogate pair', 'ab😀cd', 3, 2],
    ['a ZWJ family', 'ab👩‍👩‍👧cd', 6, 2],
    ['a flag', 'ab🇫🇷cd', 4, 2],
    ['a skin-toned emoji', 'ab👍🏽cd', 4, 2],
    ['an accented letter', 'abe\u0301\u0301cd', 4, 2],
    ['right after a whole grapheme', 'ab👩‍👩‍👧cd', 10, 10],
  ])('does not split %s', (_, text, limit, cut) => {
    expect(graphemeCut(text, 0, limit)).toBe(cut);
  });

  it('falls back to a code point boundary inside a grapheme too long to keep whole', () => {
    const zalgo = `a${'\u0301'.repeat(200)}`;
    expect(graphemeCut(zalgo, 0, 100)).toBe(100);
    expect(graphemeCut('😀😀', 0, 3)).toBe(2);
  });

  it('always moves past the start', () => {
    expect(graphemeCut('👩‍👩‍👧x', 0, 1)).toBe(2);
    expect(graphemeCut('abc', 1, 1)).toBe(2);
  });
});

describe('shortenLine', () => {
  it.each([
    ['short', 10, 'short'],
    ['  spaced \n out\t', 20, 'spaced out'],
    ['abcdefghij', 5, 'abcd…'],
    ['ab 😀😀😀', 5, 'ab 😀…'],
    ['x👩‍👩‍👧y', 3, 'x…'],
  ])('shortens %j to %i code points as %j', (text, max, expected) => {
    expect(shortenLine(text, max)).toBe(expected);
    expect([...shortenLine(text, max)].length).toBeLessThanOrEqual(max);
  });
});
