import { describe, expect, it } from 'vitest';
import { entityProblems, mayContain, sanitizeEntities } from '../../../src/transport/render/entity-rules.ts';
import type { RenderedText, TextEntity } from '../../../src/transport/render/rendered-text.ts';

const text = 'abcdefghij';
const e = (type: TextEntity['type'], offset: number, length: number): TextEntity =>
  type === 'text_link'
    ? { type, offset, length, url: 'https://x.org' }
    : ({ type, offset, length } as TextEntity);

describe('entityProblems', () => {
  it.each<[string, RenderedText]>([
    ['no entities', { text, entities: [] }],
    ['disjoint entities', { text, entities: [e('bold', 0, 2), e('code', 2, 2)] }],
    ['bold next to code', { text, entities: [e('bold', 0, 2), e('code', 2, 2), e('bold', 4, 1)] }],
    ['code in a quote', { text, entities: [e('blockquote', 0, 5), e('code', 1, 2)] }],
    ['italic inside a link', { text, entities: [e('text_link', 0, 5), e('italic', 1, 2)] }],
    ['a link inside bold, same range', { text, entities: [e('bold', 0, 5), e('text_link', 0, 5)] }],
    ['a code block in a quote', { text, entities: [e('blockquote', 0, 10), e('pre', 2, 3)] }],
    ['astral characters kept whole', { text: '😀x😀', entities: [e('bold', 0, 2), e('code', 3, 2)] }],
  ])('accepts %s', (_, message) => {
    expect(entityProblems(message)).toEqual([]);
  });

  it.each<[string, RenderedText, string]>([
    ['an entity past the end', { text, entities: [e('bold', 8, 5)] }, 'ends past the text'],
    ['an empty entity', { text, entities: [e('bold', 1, 0)] }, 'bad length'],
    ['a negative offset', { text, entities: [e('bold', -1, 2)] }, 'bad offset'],
    ['a fractional offset', { text, entities: [e('bold', 0.5, 2)] }, 'bad offset'],
    [
      'a start inside a surrogate pair',
      { text: 'a😀b', entities: [e('bold', 2, 2)] },
      'starts inside a surrogate pair',
    ],
    [
      'an end inside a surrogate pair',
      { text: 'a😀b', entities: [e('bold', 0, 2)] },
      'ends inside a surrogate pair',
    ],
    [
      'crossing entities',
      { text, entities: [e('bold', 0, 4), e('italic', 2, 4)] },
      'overlap without nesting',
    ],
    ['something inside code', { text, entities: [e('code', 0, 5), e('bold', 1, 2)] }, 'nest illegally'],
    ['code inside bold', { text, entities: [e('bold', 0, 5), e('code', 1, 2)] }, 'nest illegally'],
    [
      'pre inside italic, same range',
      { text, entities: [e('italic', 0, 5), e('pre', 0, 5)] },
      'nest illegally',
    ],
    ['bold inside bold', { text, entities: [e('bold', 0, 5), e('bold', 1, 2)] }, 'nest illegally'],
    ['a link inside pre', { text, entities: [e('pre', 0, 5), e('text_link', 1, 2)] }, 'nest illegally'],
    ['code inside a link', { text, entities: [e('text_link', 0, 5), e('code', 1, 2)] }, 'nest illegally'],
    ['nested quotes', { text, entities: [e('blockquote', 0, 5), e('blockquote', 1, 2)] }, 'nest illegally'],
    ['entities out of order', { text, entities: [e('bold', 5, 1), e('italic', 0, 1)] }, 'not sorted'],
    [
      'a link without url',
      { text, entities: [{ type: 'text_link', offset: 0, length: 1, url: '' }] },
      'no url',
    ],
    [
      'too many entities',
      { text, entities: Array.from({ length: 101 }, () => e('bold', 0, 1)) },
      'more than 100',
    ],
  ])('reports %s', (_, message, problem) => {
    expect(entityProblems(message).join('\n')).toContain(problem);
  });
});

describe('sanitizeEntities', () => {
  it('drops the entities that break a rule and keeps the others in order', () => {
    const message: RenderedText = {
      text,
      entities: [
        e('italic', 2, 4),
        e('code', 0, 5),
        e('bold', 1, 2),
        e('strikethrough', 8, 9),
        e('bold', 6, 2),
      ],
    };
    const clean = sanitizeEntities(message);
    expect(clean.text).toBe(text);
    expect(clean.entities).toEqual([e('code', 0, 5), e('bold', 6, 2)]);
    expect(entityProblems(clean)).toEqual([]);
  });

  it('keeps at most the given number of entities', () => {
    const many = Array.from({ length: 10 }, (_, i) => e('bold', i, 1));
    expect(sanitizeEntities({ text, entities: many }, 3).entities).toEqual(many.slice(0, 3));
  });
});

describe('mayContain', () => {
  it.each<[TextEntity['type'], TextEntity['type'], boolean]>([
    ['bold', 'code', false],
    ['italic', 'pre', false],
    ['bold', 'text_link', true],
    ['bold', 'italic', true],
    ['bold', 'bold', false],
    ['blockquote', 'code', true],
    ['code', 'bold', false],
    ['pre', 'code', false],
    ['blockquote', 'pre', true],
    ['blockquote', 'blockquote', false],
    ['text_link', 'bold', true],
    ['text_link', 'code', false],
    ['text_link', 'text_link', false],
  ])('%s may hold %s: %s', (outer, inner, allowed) => {
    expect(mayContain(outer, inner)).toBe(allowed);
  });
});
