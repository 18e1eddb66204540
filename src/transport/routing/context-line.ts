/** A project (and maybe a branch) named by a `ctx:` footer line. */
export interface ContextRef {
  /** The project alias as written in the line (matching against the config is case-insensitive). */
  project: string;
  branch?: string | undefined;
}

/**
 * The footer line naming where a run works: `ctx: proj @branch`, or `ctx: proj` without a branch. There is
 * no branch-only form: without a project a branch is ignored, so nothing would be worth showing. The
 * renderer wraps the line in inline code; Telegram hands replies back without entities, so parsing
 * accepts the line with or without backticks.
 *
 * @example
 *   formatContextLine({ project: 'proj', branch: 'feat/x' }) // 'ctx: proj @feat/x'
 */
export function formatContextLine(context: ContextRef): string {
  return context.branch ? `ctx: ${context.project} @${context.branch}` : `ctx: ${context.project}`;
}

/**
 * Reads the `ctx:` line of a (replied-to) message; the last one wins, since the footer comes last.
 * Accepted: `ctx: proj`, `ctx: proj @br`, the older `ctx: proj @ br`, any case for `ctx:`, optional
 * backticks. A line with no project (`ctx:` or `ctx: @br`) names no context and is skipped. Whether the
 * project still exists is for the caller to decide (project-context.ts).
 *
 * @example
 *   parseContextLine('done\n\nctx: proj @feat/x\ncodex resume 019b') // { project: 'proj', branch: 'feat/x' }
 */
export function parseContextLine(text: string | undefined): ContextRef | undefined {
  if (!text) return undefined;
  let found: ContextRef | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim().replace(/^`/, '').replace(/`$/, '').trim();
    if (!/^ctx:/i.test(line)) continue;
    const tokens = line.slice(4).trim().split(/\s+/).filter(Boolean);
    const [project, second, third] = tokens;
    if (project === undefined || project.startsWith('@')) continue;
    let branch: string | undefined;
    if (second === '@' && third !== undefined) branch = third;
    else if (second?.startsWith('@') && second.length > 1) branch = second.slice(1);
    found = branch === undefined ? { project } : { project, branch };
  }
  return found;
}
