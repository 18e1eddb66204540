import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS, type EngineEvent } from '../../../src/engines/events.ts';
import { applyEngineEvent, initialProgress } from '../../../src/engines/progress-state.ts';
import { entityProblems } from '../../../src/transport/render/entity-rules.ts';
import { renderError, renderFinal } from '../../../src/transport/render/final-layout.ts';
import { renderFooter } from '../../../src/transport/render/footer.ts';
import { renderMarkdown } from '../../../src/transport/render/markdown.ts';
import { renderCancelled, renderProgress } from '../../../src/transport/render/progress-layout.ts';
import type { RenderedText } from '../../../src/transport/render/rendered-text.ts';
import { splitBody } from '../../../src/transport/render/split.ts';
import { trimBody } from '../../../src/transport/render/trim.ts';
import { validateEntities } from '../../support/fake-telegram/formatted-text.ts';
import { codePoints, expectSendable } from './rendered-checks.ts';

/** Pieces that exercise markdown constructs and the awkward corners of UTF-16. */
const piece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('**', '*', '_', '__', '~~', '`', '``', '\n', '\n\n', ' ', '  \n', '\\'),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '```',
      '```py\n',
      '\n```\n',
      '~~~\n',
      '    ',
      '- ',
      '1. ',
      '* ',
      '> ',
      '# ',
      '---\n',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '[',
      ']',
      '(https://x.example/a)',
      '(./rel.md)',
      '(tg://user?id=1)',
      '<https://a.b>',
      '![i]',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '😀',
      '👩‍👩‍👧',
      '🇫🇷',
      '👍🏽',
      '1️⃣',
      'שלום',
      'مرحبا',
      'e\u0301',
      '\u200D',
      '\uD83D',
      '\uDE00',
      '&amp;',
      '<b>',
    ),
  },
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }) },
);

const markdown = fc.array(piece, { maxLength: 120 }).map((pieces) => pieces.join(''));

/** Markdown that is often far over the limits: a random text repeated up to 150 times. */
const longMarkdown = fc
  .tuple(markdown, fc.integer({ min: 1, max: 150 }))
  .map(([text, times]) => Array.from({ length: times }, () => text).join('\n\n'));

const footerInput = fc.record({
  context: fc.option(
    fc.record({
      project: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      branch: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 })),
    }),
  ),
  resumeLine: fc.option(fc.stringMatching(/^[0-9a-f-]{1,40}$/).map((token) => `\`codex resume ${token}\``)),
});

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** The footer is the end of the message, with its entities where they belong. */
function expectFooterIntact(message: RenderedText, footer: RenderedText): void {
  expect(message.text.endsWith(footer.text)).toBe(true);
  const shift = message.text.length - footer.text.length;
  const tail = message.entities
    .filter((e) => e.offset >= shift)
    .map((e) => ({ ...e, offset: e.offset - shift }));
  expect(tail).toEqual(footer.entities);
}

const runs = { numRuns: 300 };

describe('rendering properties', () => {
  it('renders any markdown to well-formed text with entities in bounds, on whole code points, properly nested', () => {
    fc.assert(
      fc.property(markdown, (source) => {
        const rendered = renderMarkdown(source);
        expect(isWellFormed(rendered.text)).toBe(true);
        expect(entityProblems(rendered, Number.POSITIVE_INFINITY)).toEqual([]);
        expect(() =>
          validateEntities(rendered.text, rendered.entities, Number.POSITIVE_INFINITY),
        ).not.toThrow();
      }),
      runs,
    );
  });

  it('trims any body to its limit in code points with valid entities', () => {
    fc.assert(
      fc.property(longMarkdown, fc.integer({ min: 0, max: 5000 }), (source, limit) => {
        const trimmed = trimBody(renderMarkdown(source), limit);
        expect(codePoints(trimmed.text)).toBeLessThanOrEqual(limit);
        expect(entityProblems(trimmed, Number.POSITIVE_INFINITY)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('splits any body into chunks within the limit that lose nothing but whitespace', () => {
    fc.assert(
      fc.property(longMarkdown, fc.integer({ min: 1, max: 4000 }), (source, limit) => {
        const body = renderMarkdown(source);
        const chunks = splitBody(body, limit);
        for (const chunk of chunks) {
          expect(codePoints(chunk.text)).toBeLessThanOrEqual(limit);
          expect(entityProblems(chunk, Number.POSITIVE_INFINITY)).toEqual([]);
        }
        const squash = (text: string) => text.replace(/\s+/g, '');
        expect(squash(chunks.map((c) => c.text).join(''))).toBe(squash(body.text));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps every final message sendable with its footer intact, in trim and split mode', () => {
    fc.assert(
      fc.property(
        longMarkdown,
        fc.option(markdown),
        fc.boolean(),
        footerInput,
        fc.constantFrom('trim' as const, 'split' as const),
        (answer, error, ok, footer, overflow) => {
          const view = { engine: 'codex' as const, elapsedSeconds: 8, ...footer };
          const messages = renderFinal({ ...view, ok, answer, error }, { overflow });
          const rendered = renderFooter(footer);
          if (overflow === 'trim') expect(messages).toHaveLength(1);
          messages.forEach((message, i) => {
            expectSendable(message);
            expectFooterIntact(message, rendered);
            if (i > 0)
              expect(message.text).toMatch(new RegExp(`^\\S+ · codex · 8s · continued \\(${i + 1}/`));
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps error messages sendable with their footer intact', () => {
    fc.assert(
      fc.property(longMarkdown, footerInput, (error, footer) => {
        const messages = renderError(
          { engine: 'pi', elapsedSeconds: 1, error, ...footer },
          { overflow: 'split' },
        );
        for (const message of messages) {
          expectSendable(message);
          expectFooterIntact(message, renderFooter(footer));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps progress messages sendable whatever the action titles', () => {
    const event = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      kind: fc.constantFrom(...ACTION_KINDS),
      title: fc.oneof(markdown, longMarkdown),
      phase: fc.constantFrom('started' as const, 'updated' as const, 'completed' as const),
      ok: fc.option(fc.boolean()),
      exitCode: fc.option(fc.integer({ min: -1, max: 255 })),
      paths: fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), footerInput, (actions, footer) => {
        const events: EngineEvent[] = actions.map((a) => ({
          type: 'action',
          engine: 'claude',
          phase: a.phase,
          ok: a.ok,
          action: {
            id: a.id,
            kind: a.kind,
            title: a.title,
            detail: {
              ...(a.exitCode === null ? {} : { exit_code: a.exitCode }),
              changes: a.paths.map((path) => ({ path, kind: 'add' })),
            },
          },
        }));
        const progress = events.reduce(applyEngineEvent, initialProgress('claude'));
        const view = { engine: 'claude' as const, elapsedSeconds: 5, progress, ...footer };
        for (const message of [renderProgress(view), renderCancelled(view)]) {
          expectSendable(message);
          expectFooterIntact(message, renderFooter(footer));
        }
      }),
      { numRuns: 150 },
    );
  });
});
