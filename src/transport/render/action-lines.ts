import type { ProgressLine } from '../../engines/progress-state.ts';
import { relativizePath } from '../../engines/tool-actions.ts';
import { codeSpan, renderMarkdown } from './markdown.ts';
import { joinTexts, type RenderedText } from './rendered-text.ts';
import { shortenLine } from './text-boundaries.ts';

/** How many action lines a progress message shows: the latest ones. */
export const PROGRESS_ACTION_LINES = 5;
/** Longest title shown, in code points, before it is cut with `…`. */
export const MAX_TITLE_CHARS = 300;
const MAX_PATH_CHARS = 120;

export const ACTION_MARKERS = { running: '▸', updated: '↻', ok: '✓', failed: '✗' } as const;

/**
 * One progress line as markdown: a marker for the action's state, its title by kind, and
 * ` (exit N)` when a finished command exited non-zero.
 *
 * Markers: `▸` started, `↻` updated, `✓` completed and ok, `✗` completed and failed (ok false,
 * or no ok but a non-zero exit code). Titles: commands as inline code, `tool: …`, `searched: …`,
 * `subagent: …`, `files: update \`a.py\`, add \`b.py\`, …(2 more)`, notes and warnings as they are.
 *
 * @example
 * actionLineMarkdown({ id: '1', kind: 'command', title: 'npm test', phase: 'completed', ok: false,
 *   exitCode: 1, changes: [], changeCount: 0 });
 * // → '✗ `npm test` (exit 1)'
 */
export function actionLineMarkdown(line: ProgressLine, cwd?: string | null): string {
  const exit = line.phase === 'completed' && line.exitCode !== null && line.exitCode !== 0;
  return `${actionMarker(line)} ${actionTitleMarkdown(line, cwd)}${exit ? ` (exit ${line.exitCode})` : ''}`;
}

/**
 * The marker of an action's state: `▸` started, `↻` updated, `✓` ok, `✗` failed.
 *
 * @example
 * actionMarker({ ...line, phase: 'completed', ok: null, exitCode: 2 }); // → '✗'
 */
export function actionMarker(line: ProgressLine): string {
  if (line.phase === 'started') return ACTION_MARKERS.running;
  if (line.phase === 'updated') return ACTION_MARKERS.updated;
  if (line.ok !== null) return line.ok ? ACTION_MARKERS.ok : ACTION_MARKERS.failed;
  return line.exitCode !== null && line.exitCode !== 0 ? ACTION_MARKERS.failed : ACTION_MARKERS.ok;
}

/**
 * The title of an action by its kind, as markdown on one line.
 *
 * @example
 * actionTitleMarkdown({ ...line, kind: 'web_search', title: 'vitest each' }); // → 'searched: vitest each'
 */
export function actionTitleMarkdown(line: ProgressLine, cwd?: string | null): string {
  const title = shortenLine(line.title, MAX_TITLE_CHARS);
  switch (line.kind) {
    case 'command':
      return codeSpan(title) || 'command';
    case 'tool':
      return `tool: ${title}`;
    case 'web_search':
      return `searched: ${title}`;
    case 'subagent':
      return `subagent: ${title}`;
    case 'file_change':
      return `files: ${fileChangesMarkdown(line, cwd) ?? title}`;
    default:
      return title;
  }
}

/**
 * The latest `max` lines, one per line, rendered.
 *
 * @example
 * renderActionLines(state.lines, { cwd: '/repo' }).text; // → '✓ `ls`\n▸ tool: read: README.md'
 */
export function renderActionLines(
  lines: readonly ProgressLine[],
  options: { cwd?: string | null | undefined; max?: number } = {},
): RenderedText {
  const shown = lines.slice(-(options.max ?? PROGRESS_ACTION_LINES));
  return joinTexts(
    shown.map((line) => renderMarkdown(actionLineMarkdown(line, options.cwd))),
    '\n',
  );
}

function fileChangesMarkdown(line: ProgressLine, cwd: string | null | undefined): string | null {
  if (line.changes.length === 0) return null;
  const shown = line.changes.map((change) => {
    const verb = change.kind === 'add' || change.kind === 'delete' ? change.kind : 'update';
    const path = shortenLine(relativizePath(change.path, cwd ?? undefined), MAX_PATH_CHARS);
    return `${verb} ${codeSpan(path)}`;
  });
  const more = line.changeCount - line.changes.length;
  if (more > 0) shown.push(`…(${more} more)`);
  return shown.join(', ');
}
