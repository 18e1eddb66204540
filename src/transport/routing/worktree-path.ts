import { isAbsolute, relative, resolve, sep } from 'node:path';

export type WorktreePathResult = { ok: true; path: string } | { ok: false; error: string };

/**
 * Checks an `@branch` name before it becomes a directory: not empty, no leading `/`, no `..` segment.
 * Returns the error text (`error:\nbranch name cannot …`), or undefined when the name is fine. Git's own
 * ref rules are left to git, whose error is shown as it is.
 *
 * @example
 *   branchNameError('../etc') // "error:\nbranch name cannot contain '..'"
 */
export function branchNameError(branch: string): string | undefined {
  const name = branch.trim();
  if (name === '') return 'error:\nbranch name cannot be empty';
  if (name.startsWith('/')) return "error:\nbranch name cannot start with '/'";
  if (name.split(/[/\\]/).includes('..')) return "error:\nbranch name cannot contain '..'";
  return undefined;
}

/**
 * Where the worktree of `branch` lives: `<project.path>/<worktrees_dir>/<branch>` (a `/` in the branch
 * gives nested folders). The path must land strictly inside the worktrees root; this check is lexical
 * (symlinks are for the code that touches the disk, src/projects/).
 *
 * @example
 *   worktreePath({ worktrees_root: '/repo/.worktrees' }, 'feat/x') // { ok: true, path: '/repo/.worktrees/feat/x' }
 */
export function worktreePath(project: { worktrees_root: string }, branch: string): WorktreePathResult {
  const invalid = branchNameError(branch);
  if (invalid) return { ok: false, error: invalid };
  const root = resolve(project.worktrees_root);
  const path = resolve(root, branch.trim());
  const inside = relative(root, path);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { ok: false, error: 'error:\nbranch name cannot escape the worktrees directory' };
  }
  return { ok: true, path };
}
