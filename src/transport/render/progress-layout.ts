import { renderActionLines } from './action-lines.ts';
import { renderFooter } from './footer.ts';
import { renderHeader } from './header.ts';
import { escapeMarkdown, renderMarkdown } from './markdown.ts';
import { fitMessage } from './message-fit.ts';
import { joinTexts, type RenderedText } from './rendered-text.ts';
import type { RunView } from './run-view.ts';

/**
 * The progress message of a running run: header, a blank line, the latest five action lines, a
 * blank line, the footer. `starting` is the first send, `working` every edit after it. The resume
 * line shows once the caller has one (after `started`).
 *
 * @example
 * renderProgress({ engine: 'claude', elapsedSeconds: 65, progress: state }).text;
 * // → 'working · claude · 1m 05s · step 7\n\n✓ `ls`\n▸ tool: read: README.md'
 */
export function renderProgress(view: RunView, status: 'starting' | 'working' = 'working'): RenderedText {
  return fitMessage({
    header: renderHeader({
      status,
      engine: view.engine,
      elapsedSeconds: view.elapsedSeconds,
      step: view.progress?.step,
    }),
    body: renderActionLines(view.progress?.lines ?? [], { cwd: view.cwd }),
    footer: renderFooter(view),
  });
}

/**
 * The progress message after a cancel: the progress layout with `cancelled` (inline code) as the
 * status, keeping the action lines and the resume line.
 *
 * @example
 * renderCancelled({ engine: 'codex', elapsedSeconds: 12, progress: state }).text;
 * // → 'cancelled · codex · 12s · step 3\n\n…'
 */
export function renderCancelled(view: RunView): RenderedText {
  return fitMessage({
    header: renderHeader({
      status: 'cancelled',
      engine: view.engine,
      elapsedSeconds: view.elapsedSeconds,
      step: view.progress?.step,
    }),
    body: renderActionLines(view.progress?.lines ?? [], { cwd: view.cwd }),
    footer: renderFooter(view),
  });
}

/**
 * The placeholder of a prompt waiting behind another run of the same session: the header and the
 * ctx line only (no resume line: the run has not started).
 *
 * @example
 * renderQueued({ engine: 'codex', elapsedSeconds: 0 }).text; // → 'queued · codex · 0s'
 */
export function renderQueued(view: RunView): RenderedText {
  return fitMessage({
    header: renderHeader({ status: 'queued', engine: view.engine, elapsedSeconds: view.elapsedSeconds }),
    footer: renderFooter({ context: view.context }),
  });
}

export interface InterruptedOptions {
  /** True when the bridge resumes the run after its restart; false when the run stays stopped. */
  continuing: boolean;
  /** Replaces the default sentence (plain text, not markdown). */
  note?: string | undefined;
}

/**
 * A progress message whose run was cut short by a restart of the bridge: says so in one plain
 * sentence under the header, keeps the action lines seen before the restart, and keeps the resume
 * line so the session can still be continued by replying.
 *
 * @example
 * renderInterrupted({ engine: 'codex', elapsedSeconds: 40, resumeLine: '`codex resume 01`' }, { continuing: false }).text;
 * // → 'interrupted · codex · 40s\n\nthe bridge restarted and this run stopped. reply to this message to continue it.\n\ncodex resume 01'
 */
export function renderInterrupted(view: RunView, options: InterruptedOptions): RenderedText {
  const note = options.note ?? interruptedNote(options.continuing, Boolean(view.resumeLine?.trim()));
  return fitMessage({
    header: renderHeader({
      status: 'interrupted',
      engine: view.engine,
      elapsedSeconds: view.elapsedSeconds,
      step: view.progress?.step,
    }),
    body: joinTexts(
      [
        renderMarkdown(escapeMarkdown(note)),
        renderActionLines(view.progress?.lines ?? [], { cwd: view.cwd }),
      ],
      '\n\n',
    ),
    footer: renderFooter(view),
  });
}

function interruptedNote(continuing: boolean, hasResumeLine: boolean): string {
  if (continuing) return 'the bridge restarted while this run was working; it continues where it left off.';
  if (hasResumeLine)
    return 'the bridge restarted and this run stopped. reply to this message to continue it.';
  return 'the bridge restarted before this run started. send the prompt again.';
}
