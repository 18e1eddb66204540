import { describe, expect, it } from 'vitest';
import { applyEngineEvent, initialProgress } from '../../../src/engines/progress-state.ts';
import { type FinalView, renderError, renderFinal } from '../../../src/transport/render/final-layout.ts';
import { renderMarkdown } from '../../../src/transport/render/markdown.ts';
import { BODY_LIMIT } from '../../../src/transport/render/trim.ts';
import { codePoints, entityView, expectSendable } from './rendered-checks.ts';

const threeSteps = [0, 1, 2].reduce(
  (state, i) =>
    applyEngineEvent(state, {
      type: 'action',
      engine: 'codex',
      phase: 'completed',
      ok: true,
      action: { id: `a${i}`, kind: 'command', title: 'ls', detail: {} },
    }),
  initialProgress('codex'),
);

const base: FinalView = {
  engine: 'codex',
  elapsedSeconds: 8,
  progress: threeSteps,
  resumeLine: '`codex resume 019b`',
  ok: true,
  answer: '',
};

/** About 12,000 characters: prose, a 100-line python block longer than one message, more prose. */
function longAnswer(): string {
  const prose = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `Paragraph ${i}: the **change** touches \`src/mod_${i}.ts\` 😀 and [docs](https://docs.example/${i}).`,
    ).join('\n\n');
  const code = Array.from(
    { length: 100 },
    (_, i) => `def handler_${i}(event):\n    return event.get("k${i}")`,
  ).join('\n');
  return `# Summary\n\n${prose(42)}\n\n\`\`\`python\n${code}\n\`\`\`\n\n${prose(40)}`;
}

describe('renderFinal', () => {
  it('shows header, answer and footer, and no action lines', () => {
    const [message, ...rest] = renderFinal({ ...base, answer: 'Fixed the **bug**.' });
    expect(rest).toEqual([]);
    expect(message!.text).toBe('done · codex · 8s · step 3\n\nFixed the bug.\n\ncodex resume 019b');
    expect(entityView(message!)).toEqual([
      ['bold', 'bug'],
      ['code', 'codex resume 019b'],
    ]);
  });

  it.each<[string, Partial<FinalView>, string]>([
    [
      'a failure with an answer and an error',
      { ok: false, answer: 'Partial.', error: 'codex exec failed (rc=1).' },
      'error · codex · 8s · step 3\n\nPartial.\n\ncodex exec failed (rc=1).',
    ],
    [
      'a failure with only an error',
      { ok: false, error: 'claude finished without a result event' },
      'error · codex · 8s · step 3\n\nclaude finished without a result event',
    ],
    [
      'success with an empty answer',
      { ok: true, answer: '  ' },
      'error · codex · 8s · step 3\n\nthe engine finished without an answer.',
    ],
    [
      'a failure with an answer only',
      { ok: false, answer: 'Tried.' },
      'error · codex · 8s · step 3\n\nTried.',
    ],
  ])('uses the error status for %s', (_, change, body) => {
    const [message] = renderFinal({ ...base, resumeLine: null, ...change });
    expect(message!.text).toBe(body);
  });

  it('shows error text literally, not as markdown', () => {
    const [message] = renderFinal({
      ...base,
      ok: false,
      answer: '',
      error: 'File "__init__.py", line *3*\n  raise',
    });
    expect(message!.text).toContain('File "__init__.py", line *3*\n\u00A0\u00A0raise');
    expect(entityView(message!)).toEqual([['code', 'codex resume 019b']]);
  });

  it('parses only the head of a huge answer in trim mode and shows the same cut', () => {
    const answer = 'word '.repeat(200_000);
    const [message] = renderFinal({ ...base, answer });
    expect(message!.text).toBe(
      `done · codex · 8s · step 3\n\n${'word '.repeat(700).trim()}…\n\ncodex resume 019b`,
    );
  });

  it('marks the cut even when the parsed head of a huge answer renders to almost nothing', () => {
    const definitions = Array.from({ length: 5000 }, (_, i) => `[r${i}]: https://x.org/${i}`).join('\n');
    const [message] = renderFinal({ ...base, answer: `${definitions}\n\nThe real answer.` });
    expect(message!.text).toBe('done · codex · 8s · step 3\n\n…\n\ncodex resume 019b');
  });

  describe('a 12,000-character answer with a code block', () => {
    const answer = longAnswer();
    const body = renderMarkdown(answer);

    it('is long enough to need three or more messages', () => {
      expect(answer.length).toBeGreaterThan(11_500);
      expect(answer.length).toBeLessThan(13_000);
      expect(codePoints(body.text)).toBeGreaterThan(3 * BODY_LIMIT - 1000);
    });

    it('is trimmed to one message with the ellipsis, the code block closed and the footer whole', () => {
      const messages = renderFinal({ ...base, answer });
      expect(messages).toHaveLength(1);
      const [message] = messages;
      expectSendable(message!);
      const [, trimmedBody] = message!.text.split(/^done · codex · 8s · step 3\n\n/);
      const bodyText = trimmedBody!.slice(0, -'\n\ncodex resume 019b'.length);
      expect(codePoints(bodyText)).toBeLessThanOrEqual(BODY_LIMIT);
      expect(bodyText.endsWith('…')).toBe(true);
      expect(message!.text.endsWith('\n\ncodex resume 019b')).toBe(true);
      expect(entityView(message!).at(-1)).toEqual(['code', 'codex resume 019b']);
      for (const e of message!.entities) {
        if (e.type === 'pre') expect(e.offset + e.length).toBeLessThanOrEqual(message!.text.length - 20);
      }
    });

    it('is split into messages with continued headers, the code block reopened and the footer in each', () => {
      const messages = renderFinal({ ...base, answer }, { overflow: 'split' });
      const total = messages.length;
      expect(total).toBeGreaterThanOrEqual(3);
      messages.forEach((message, i) => {
        expectSendable(message);
        const header =
          i === 0 ? 'done · codex · 8s · step 3' : `done · codex · 8s · continued (${i + 1}/${total})`;
        expect(message.text.startsWith(`${header}\n\n`)).toBe(true);
        expect(message.text.endsWith('\n\ncodex resume 019b')).toBe(true);
        expect(entityView(message).at(-1)).toEqual(['code', 'codex resume 019b']);
        const bodyText = message.text.slice(header.length + 2, -'\n\ncodex resume 019b'.length);
        expect(codePoints(bodyText)).toBeLessThanOrEqual(BODY_LIMIT);
      });
      const codeParts = messages.flatMap((m) =>
        m.entities
          .filter((e) => e.type === 'pre')
          .map((e) => [e, m.text.slice(e.offset, e.offset + e.length)] as const),
      );
      expect(codeParts.length).toBeGreaterThanOrEqual(2);
      for (const [entity] of codeParts) expect(entity).toMatchObject({ language: 'python' });
      const originalCode = entityView(body).find(([type]) => type === 'pre')![1];
      expect(codeParts.map(([, text]) => text).join('\n')).toBe(originalCode);
      const squash = (text: string) => text.replace(/\s+/g, '');
      const bodies = messages.map((m) =>
        m.text.slice(m.text.indexOf('\n\n') + 2, -'\n\ncodex resume 019b'.length),
      );
      expect(squash(bodies.join(''))).toBe(squash(body.text));
    });

    it('is one message in split mode when it fits', () => {
      expect(renderFinal({ ...base, answer: 'short' }, { overflow: 'split' })).toHaveLength(1);
    });
  });
});

describe('renderError', () => {
  it('shows the error as the body of an error message', () => {
    const [message, ...rest] = renderError({
      engine: 'pi',
      elapsedSeconds: 0,
      error: 'error:\npi not found on PATH',
    });
    expect(rest).toEqual([]);
    expect(message).toEqual({ text: 'error · pi · 0s\n\nerror:\npi not found on PATH', entities: [] });
  });

  it('keeps the resume line when the engine had started', () => {
    const [message] = renderError({ ...base, error: 'spawn EACCES' });
    expect(message!.text).toBe('error · codex · 8s · step 3\n\nspawn EACCES\n\ncodex resume 019b');
  });

  it('splits a long error in split mode', () => {
    const messages = renderError({ ...base, error: 'stderr line\n'.repeat(1000) }, { overflow: 'split' });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages[1]!.text.startsWith('error · codex · 8s · continued (2/')).toBe(true);
    for (const message of messages) expectSendable(message);
  });
});
