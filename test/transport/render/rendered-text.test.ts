import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/transport/render/markdown.ts';
import {
  codePointLength,
  codeText,
  indexAfterCodePoints,
  joinTexts,
  plainText,
  sliceText,
  splitsSurrogatePair,
  toWellFormed,
  trimText,
} from '../../../src/transport/render/rendered-text.ts';

describe('rendered text helpers', () => {
  it('joins parts with a separator, shifting entities and skipping empty parts', () => {
    const joined = joinTexts([codeText('a😀'), plainText(''), plainText('b'), codeText('c')], '\n\n');
    expect(joined).toEqual({
      text: 'a😀\n\nb\n\nc',
      entities: [
        { type: 'code', offset: 0, length: 3 },
        { type: 'code', offset: 8, length: 1 },
      ],
    });
  });

  it('clips entities to a slice and drops the ones outside it', () => {
    const source = {
      text: '0123456789',
      entities: [
        { type: 'pre' as const, offset: 2, length: 6, language: 'ts' },
        { type: 'bold' as const, offset: 8, length: 2 },
      ],
    };
    expect(sliceText(source, 4, 8)).toEqual({
      text: '4567',
      entities: [{ type: 'pre', offset: 0, length: 4, language: 'ts' }],
    });
  });

  it('trims whitespace around a text and its entities', () => {
    const source = { text: '\n  ab  \n', entities: [{ type: 'bold' as const, offset: 0, length: 5 }] };
    expect(trimText(source)).toEqual({ text: 'ab', entities: [{ type: 'bold', offset: 0, length: 2 }] });
  });

  it.each([
    ['', 0],
    ['abc', 3],
    ['😀', 1],
    ['👩‍👩‍👧', 5],
    ['🇫🇷', 2],
    ['\uD83D', 1],
  ])('counts the code points of %j as %i', (text, count) => {
    expect(codePointLength(text)).toBe(count);
  });

  it('finds the index after a number of code points without splitting pairs', () => {
    expect(indexAfterCodePoints('a😀b', 2)).toBe(3);
    expect(indexAfterCodePoints('a😀b', 9)).toBe(4);
    expect(indexAfterCodePoints('a😀b', 1, 1)).toBe(3);
  });

  it('knows where a cut would split a surrogate pair', () => {
    expect([0, 1, 2, 3, 4].map((i) => splitsSurrogatePair('a😀b', i))).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
  });

  it('replaces unpaired surrogates and keeps paired ones', () => {
    expect(toWellFormed('\uDE00a😀\uD83D')).toBe('\uFFFDa😀\uFFFD');
  });

  it('produces entities that the Bot API types accept as they are', () => {
    const entities: MessageEntity[] = renderMarkdown('**a** [b](https://c.d)\n\n```ts\nx\n```').entities;
    expect(entities).toEqual([
      { type: 'bold', offset: 0, length: 1 },
      { type: 'text_link', offset: 2, length: 1, url: 'https://c.d' },
      { type: 'pre', offset: 5, length: 1, language: 'ts' },
    ]);
  });
});
