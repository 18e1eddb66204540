import { renderFooter } from './footer.ts';
import { renderHeader } from './header.ts';
import { escapeMarkdown, renderMarkdown } from './markdown.ts';
import { fitMessage } from './message-fit.ts';
import { codePointLength, joinTexts, plainText, type RenderedText } from './rendered-text.ts';
import type { RunView } from './run-view.ts';
import { splitBody } from './split.ts';
import { graphemeCut } from './text-boundaries.ts';
import { BODY_LIMIT, ELLIPSIS } from './trim.ts';

/** `message_overflow`: cut long bodies with `…` (default) or send them as several messages. */
export type MessageOverflow = 'trim' | 'split';

export interface FinalView extends RunView {
  /** What the engine reported. */
  ok: boolean;
  /** The final answer, markdown; may be empty. */
  answer: string;
  /** Error text of a failed run (plain text, shown literally after the answer). */
  error?: string | null | undefined;
}

export interface ErrorView extends RunView {
  /** The error, plain text, e.g. `error:\npi not found on PATH`. */
  error: string;
}

export interface OverflowOptions {
  overflow?: MessageOverflow | undefined;
}

const NO_ANSWER = 'the engine finished without an answer.';

/**
 * In trim mode only this much of a long answer's source is parsed: parsing costs about a second
 * per megabyte and blocks every topic, while the message shows 3500 code points at most.
 */
export const TRIM_SOURCE_LIMIT = 16 * BODY_LIMIT;

/**
 * The final message(s) of a run: header, a blank line, the answer, a blank line, the footer; no
 * action lines. The status is `error` when the engine reported failure or gave no answer; the error
 * text then follows the answer after a blank line, or is the body on its own.
 *
 * One message in trim mode (the body cut to 3500 code points with `…`). In split mode, as many as
 * the body needs: follow-ups read `done · codex · 8s · continued (2/3)` and every one repeats the
 * footer.
 *
 * @example
 * renderFinal({ engine: 'codex', elapsedSeconds: 8, ok: true, answer: 'Fixed.', resumeLine: '`codex resume 01`' })[0].text;
 * // → 'done · codex · 8s\n\nFixed.\n\ncodex resume 01'
 */
export function renderFinal(view: FinalView, options: OverflowOptions = {}): RenderedText[] {
  const answer = view.answer.trim();
  const error = view.error?.trim() ?? '';
  const failed = !view.ok || answer === '';
  const body = joinTexts(
    [
      renderAnswer(answer, options.overflow ?? 'trim'),
      renderMarkdown(escapeMarkdown(error || (failed && answer === '' ? NO_ANSWER : ''))),
    ],
    '\n\n',
  );
  return layoutFinal(view, failed ? 'error' : 'done', body, options);
}

/**
 * A run that failed before or instead of an answer (engine missing, spawn failure, exception):
 * the final layout with status `error` and the error text as the body.
 *
 * @example
 * renderError({ engine: 'pi', elapsedSeconds: 0, error: 'error:\npi not found on PATH' })[0].text;
 * // → 'error · pi · 0s\n\nerror:\npi not found on PATH'
 */
export function renderError(view: ErrorView, options: OverflowOptions = {}): RenderedText[] {
  return layoutFinal(view, 'error', renderMarkdown(escapeMarkdown(view.error.trim())), options);
}

function renderAnswer(answer: string, overflow: MessageOverflow): RenderedText {
  if (overflow === 'split' || answer.length <= TRIM_SOURCE_LIMIT) return renderMarkdown(answer);
  const lineEnd = answer.lastIndexOf('\n', TRIM_SOURCE_LIMIT);
  const cut = lineEnd > TRIM_SOURCE_LIMIT / 2 ? lineEnd : graphemeCut(answer, 0, TRIM_SOURCE_LIMIT);
  const head = renderMarkdown(answer.slice(0, cut));
  // Still mark the cut when the head renders short (mostly markup), so the answer never looks whole.
  return codePointLength(head.text) > BODY_LIMIT ? head : joinTexts([head, plainText(ELLIPSIS)], '\n\n');
}

function layoutFinal(
  view: RunView,
  status: 'done' | 'error',
  body: RenderedText,
  options: OverflowOptions,
): RenderedText[] {
  const footer = renderFooter(view);
  const header = (continued?: { index: number; total: number }) =>
    renderHeader({
      status,
      engine: view.engine,
      elapsedSeconds: view.elapsedSeconds,
      step: view.progress?.step,
      continued,
    });
  if (options.overflow !== 'split') return [fitMessage({ header: header(), body, footer })];
  const chunks = splitBody(body, BODY_LIMIT);
  return chunks.map((chunk, i) =>
    fitMessage({
      header: header(i === 0 ? undefined : { index: i + 1, total: chunks.length }),
      body: chunk,
      footer,
    }),
  );
}
