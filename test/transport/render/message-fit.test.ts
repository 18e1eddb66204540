import { describe, expect, it } from 'vitest';
import { renderFooter } from '../../../src/transport/render/footer.ts';
import { renderHeader } from '../../../src/transport/render/header.ts';
import { renderMarkdown } from '../../../src/transport/render/markdown.ts';
import { fitMessage, MESSAGE_LIMIT } from '../../../src/transport/render/message-fit.ts';
import { codeText, plainText } from '../../../src/transport/render/rendered-text.ts';
import { codePoints, entityView, expectSendable } from './rendered-checks.ts';

const header = renderHeader({ status: 'done', engine: 'codex', elapsedSeconds: 8 });
const footer = renderFooter({ context: { project: 'proj' }, resumeLine: '`codex resume 019b`' });

describe('fitMessage', () => {
  it('joins header, body and footer with blank lines', () => {
    const message = fitMessage({ header, body: renderMarkdown('**ok**'), footer });
    expect(message.text).toBe('done · codex · 8s\n\nok\n\nctx: proj\ncodex resume 019b');
    expect(entityView(message)).toEqual([
      ['bold', 'ok'],
      ['code', 'ctx: proj'],
      ['code', 'codex resume 019b'],
    ]);
  });

  it('leaves out empty parts and their separators', () => {
    expect(fitMessage({ header, body: plainText('') }).text).toBe('done · codex · 8s');
  });

  it('trims the body further when a long footer leaves less room, and keeps the footer whole', () => {
    const longFooter = codeText(`codex resume ${'t'.repeat(1000)}`);
    const message = fitMessage({ header, body: plainText('x'.repeat(5000)), footer: longFooter });
    expect(codePoints(message.text)).toBe(MESSAGE_LIMIT);
    expect(message.text.endsWith(longFooter.text)).toBe(true);
    expect(message.entities.at(-1)).toEqual({
      type: 'code',
      offset: message.text.length - longFooter.text.length,
      length: longFooter.text.length,
    });
    expectSendable(message);
  });

  it('cuts the message itself only when header and footer alone are over the limit', () => {
    const hugeFooter = codeText('y'.repeat(6000));
    const message = fitMessage({ header, body: plainText('body'), footer: hugeFooter });
    expect(codePoints(message.text)).toBe(MESSAGE_LIMIT);
    expect(message.text.startsWith('done · codex · 8s\n\ny')).toBe(true);
    expect(message.text.endsWith('y…')).toBe(true);
    expectSendable(message);
  });

  it('drops body entities beyond 100 in all and keeps those of the header and footer', () => {
    const body = renderMarkdown(Array.from({ length: 150 }, (_, i) => `**b${i}**`).join(' '));
    const message = fitMessage({
      header: renderHeader({ status: 'cancelled', engine: 'codex', elapsedSeconds: 1 }),
      body,
      footer,
    });
    expect(message.entities).toHaveLength(100);
    expect(entityView(message).slice(-2)).toEqual([
      ['code', 'ctx: proj'],
      ['code', 'codex resume 019b'],
    ]);
    expect(entityView(message)[0]).toEqual(['code', 'cancelled']);
    expectSendable(message);
  });

  it('drops entities that break the rules instead of sending them', () => {
    const broken = { text: 'body', entities: [{ type: 'bold' as const, offset: 2, length: 10 }] };
    const message = fitMessage({ header, body: broken });
    expect(message.entities).toEqual([]);
    expectSendable(message);
  });
});
