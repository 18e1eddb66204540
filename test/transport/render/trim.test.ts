import { describe, expect, it } from 'vitest';
import { entityProblems } from '../../../src/transport/render/entity-rules.ts';
import { renderMarkdown } from '../../../src/transport/render/markdown.ts';
import { BODY_LIMIT, trimBody } from '../../../src/transport/render/trim.ts';
import { codePoints, entityView } from './rendered-checks.ts';

describe('trimBody', () => {
  it('returns a body that fits unchanged', () => {
    const body = renderMarkdown('**short**');
    expect(trimBody(body)).toBe(body);
  });

  it(`cuts a long body to ${BODY_LIMIT} code points ending in an ellipsis`, () => {
    const trimmed = trimBody(renderMarkdown('word '.repeat(2000)));
    expect(codePoints(trimmed.text)).toBeLessThanOrEqual(BODY_LIMIT);
    expect(codePoints(trimmed.text)).toBeGreaterThan(BODY_LIMIT - 3);
    expect(trimmed.text.endsWith('word…')).toBe(true);
  });

  it('counts code points, not UTF-16 units, and keeps emoji sequences whole', () => {
    const trimmed = trimBody(renderMarkdown('👩‍👩‍👧'.repeat(1000)), 100);
    expect(trimmed.text).toBe(`${'👩‍👩‍👧'.repeat(19)}…`);
    expect(codePoints(trimmed.text)).toBe(96);
  });

  it('closes a code block cut in the middle, with its language, before the ellipsis', () => {
    const body = renderMarkdown(`intro\n\n\`\`\`py\n${'print(1)\n'.repeat(50)}\`\`\`\n\nafter`);
    const trimmed = trimBody(body, 100);
    expect(trimmed.text.endsWith('…')).toBe(true);
    const [pre] = trimmed.entities;
    expect(pre).toMatchObject({ type: 'pre', offset: 7, language: 'py' });
    expect(pre!.offset + pre!.length).toBeLessThanOrEqual(trimmed.text.length - 1);
    expect(entityProblems(trimmed)).toEqual([]);
  });

  it('ends entities at the cut and drops the ones after it', () => {
    const body = renderMarkdown(`**${'b'.repeat(50)}** *after*`);
    expect(entityView(trimBody(body, 11))).toEqual([['bold', 'bbbbbbbbbb']]);
  });

  it.each([
    [1, '…'],
    [0, ''],
  ])('gives %i code points at most, even for tiny limits', (limit, text) => {
    expect(trimBody(renderMarkdown('abc'), limit)).toEqual({ text, entities: [] });
  });
});
