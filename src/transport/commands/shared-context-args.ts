import type { ProjectContext } from '../routing/project-context.ts';
import { branchNameError } from '../routing/worktree-path.ts';

/**
 * A context as the settings replies name it: `proj @branch`, `proj`, or `none`. It is also the title
 * of a bound forum topic.
 *
 * @example
 *   formatContext({ project: 'proj', branch: 'feat/x' }) // 'proj @feat/x'
 */
export function formatContext(context: ProjectContext | null | undefined): string {
  if (!context) return 'none';
  return context.branch ? `${context.project} @${context.branch}` : context.project;
}

/** `/ctx set` usage; in a project's own chat the project is implied. */
export function ctxSetUsage(impliedProject: string | undefined): string {
  return impliedProject === undefined
    ? 'usage: `/ctx set <project> [@branch]`'
    : 'usage: `/ctx set [@branch]`';
}

/** `/topic` usage; in a project's own chat the project is implied. */
export function topicUsage(impliedProject: string | undefined): string {
  return impliedProject === undefined ? 'usage: `/topic <project> @branch`' : 'usage: `/topic @branch`';
}

export interface ProjectBranchOptions {
  /** Configured project aliases (lowercase). */
  projects: readonly string[];
  /** The project used when only `@branch` is given. */
  impliedProject?: string | undefined;
  /** A project chat's topics belong to that project: naming another one is refused. */
  enforceImplied?: boolean | undefined;
  requireBranch?: boolean | undefined;
}

export type ProjectBranchResult = { ok: true; context: ProjectContext } | { ok: false; error: string };

/**
 * Reads `<project> [@branch]` (or `@branch` alone, when a project is implied) from the words after
 * `/ctx set` or `/topic`. The error is the bare reason (`unknown project 'x'`, `too many arguments`,
 * `branch must be prefixed with @`, `project is required`, `branch is required`, the branch-name checks);
 * the caller frames it with `error:` and the usage line.
 *
 * @example
 *   parseProjectBranch(['Proj', '@feat/x'], { projects: ['proj'] })
 *   // → { ok: true, context: { project: 'proj', branch: 'feat/x' } }
 */
export function parseProjectBranch(
  words: readonly string[],
  options: ProjectBranchOptions,
): ProjectBranchResult {
  const [first, second] = words;
  // `@br proj` is refused as a whole rather than silently dropping the project.
  if (words.length > 2 || (first?.startsWith('@') && second !== undefined)) {
    return { ok: false, error: 'too many arguments' };
  }
  let projectWord: string | undefined;
  let branch: string | undefined;
  if (first?.startsWith('@')) branch = first.slice(1) || undefined;
  else {
    projectWord = first;
    if (second !== undefined) {
      if (!second.startsWith('@')) return { ok: false, error: 'branch must be prefixed with @' };
      branch = second.slice(1) || undefined;
    }
  }

  let project: string;
  if (projectWord === undefined) {
    if (options.impliedProject === undefined) return { ok: false, error: 'project is required' };
    project = options.impliedProject;
  } else {
    const known = options.projects.find((alias) => alias.toLowerCase() === projectWord.toLowerCase());
    if (known === undefined) return { ok: false, error: `unknown project '${projectWord}'` };
    if (options.enforceImplied && options.impliedProject !== undefined && known !== options.impliedProject) {
      return { ok: false, error: `project mismatch for this chat; expected '${options.impliedProject}'.` };
    }
    project = known;
  }

  if (branch !== undefined) {
    const invalid = branchNameError(branch);
    if (invalid) return { ok: false, error: invalid.replace(/^error:\n/, '') };
  }
  if (options.requireBranch && branch === undefined) return { ok: false, error: 'branch is required' };
  return { ok: true, context: branch === undefined ? { project } : { project, branch } };
}
