import { describe, expect, it } from 'vitest';
import { entityProblems } from '../../../src/transport/render/entity-rules.ts';
import { renderMarkdown } from '../../../src/transport/render/markdown.ts';
import { splitBody } from '../../../src/transport/render/split.ts';
import { codePoints, entityView } from './rendered-checks.ts';

const squash = (text: string) => text.replace(/\s+/g, '');

describe('splitBody', () => {
  it('returns one chunk when the body fits', () => {
    const body = renderMarkdown('one\n\ntwo');
    expect(splitBody(body, 100)).toEqual([body]);
  });

  it('cuts at a blank line first', () => {
    const body = renderMarkdown(`${'a'.repeat(60)}\n\n${'b'.repeat(30)}\nc\n\n${'d'.repeat(30)}`);
    expect(splitBody(body, 100).map((c) => c.text)).toEqual([
      `${'a'.repeat(60)}\n\n${'b'.repeat(30)}\nc`,
      'd'.repeat(30),
    ]);
  });

  it('cuts at a line break when no blank line keeps the chunk half full', () => {
    const body = renderMarkdown(`${'a'.repeat(10)}\n\n${'b'.repeat(70)}\n${'c'.repeat(50)}`);
    expect(splitBody(body, 100).map((c) => c.text)).toEqual([
      `${'a'.repeat(10)}\n\n${'b'.repeat(70)}`,
      'c'.repeat(50),
    ]);
  });

  it('cuts at a space, then anywhere, and never inside an emoji sequence', () => {
    expect(splitBody(renderMarkdown(`${'w '.repeat(40)}${'x'.repeat(40)}`), 60).map((c) => c.text)).toEqual([
      'w '.repeat(30).trim(),
      `${'w '.repeat(10)}${'x'.repeat(40)}`,
    ]);
    const emoji = splitBody(renderMarkdown('👩‍👩‍👧'.repeat(30)), 12).map((c) => c.text);
    expect(emoji).toEqual(Array.from({ length: 15 }, () => '👩‍👩‍👧'.repeat(2)));
  });

  it('closes a code block at the end of a chunk and reopens it with its language in the next', () => {
    const code = Array.from({ length: 40 }, (_, i) => `line_${i} = ${i}`).join('\n');
    const body = renderMarkdown(`Intro.\n\n\`\`\`python\n${code}\n\`\`\`\n\nOutro.`);
    const chunks = splitBody(body, 200);
    expect(chunks.length).toBeGreaterThan(2);
    const pres = chunks.flatMap((chunk) => chunk.entities.filter((e) => e.type === 'pre'));
    expect(pres.length).toBeGreaterThanOrEqual(3);
    for (const pre of pres) expect(pre).toMatchObject({ language: 'python' });
    const reassembled = chunks
      .flatMap((chunk) =>
        entityView(chunk)
          .filter(([type]) => type === 'pre')
          .map(([, covered]) => covered),
      )
      .join('\n');
    expect(reassembled).toBe(code);
    for (const chunk of chunks) {
      expect(codePoints(chunk.text)).toBeLessThanOrEqual(200);
      expect(entityProblems(chunk)).toEqual([]);
    }
  });

  it('loses nothing but the line breaks at the cuts', () => {
    const body = renderMarkdown(
      Array.from({ length: 200 }, (_, i) => `Paragraph ${i} with **bold** 😀 and \`code\`.`).join('\n\n'),
    );
    const chunks = splitBody(body, 500);
    expect(squash(chunks.map((c) => c.text).join(''))).toBe(squash(body.text));
    expect(chunks.reduce((n, c) => n + c.entities.length, 0)).toBe(body.entities.length);
  });
});
