import { renderMarkdown } from './markdown.ts';
import { codeText, joinTexts, type RenderedText, trimText } from './rendered-text.ts';

/** Where a run works, shown as `ctx: <project> @<branch>`. */
export interface RunContext {
  project: string;
  branch?: string | null | undefined;
}

export interface FooterInput {
  context?: RunContext | null | undefined;
  /** The engine's resume line as its codec formats it, backticks included: `` `codex resume 019b…` ``. */
  resumeLine?: string | null | undefined;
}

/**
 * The ctx line and then the resume line, each on its own line; empty when there is neither.
 *
 * @example
 * renderFooter({ context: { project: 'proj', branch: 'feat/x' }, resumeLine: '`codex resume 019b`' }).text;
 * // → 'ctx: proj @feat/x\ncodex resume 019b'   (both as inline code)
 */
export function renderFooter(input: FooterInput): RenderedText {
  const lines: RenderedText[] = [];
  if (input.context?.project) lines.push(codeText(ctxLine(input.context)));
  if (input.resumeLine?.trim()) lines.push(trimText(renderMarkdown(input.resumeLine.trim())));
  return joinTexts(lines, '\n');
}

/**
 * `ctx: proj @branch`, or `ctx: proj` without a branch.
 *
 * @example
 * ctxLine({ project: 'proj', branch: 'feat/x' }); // → 'ctx: proj @feat/x'
 */
export function ctxLine(context: RunContext): string {
  return `ctx: ${context.project}${context.branch ? ` @${context.branch}` : ''}`.replace(/\s+/g, ' ');
}
