import { defaultBaseBranch, type GitOptions, gitAvailable, mainCheckout } from './git.ts';

/** What `tentacle init` learns about the repository it runs in. */
export type RepoDescription =
  | { ok: true; path: string; worktreeBase: string | undefined }
  | { ok: false; error: string };

/**
 * The repository that contains `cwd`, as a project: its main checkout (also from inside a linked
 * worktree; `cwd` for a bare repository) and the base branch new worktrees would start from
 * (origin/HEAD, the current branch, master, main), when one resolves.
 *
 * @example
 *   await describeRepo('/src/app/.worktrees/feat') // { ok: true, path: '/src/app', worktreeBase: 'main' }
 */
export async function describeRepo(cwd: string, options: GitOptions = {}): Promise<RepoDescription> {
  if (!(await gitAvailable(cwd, options))) return { ok: false, error: 'git not available on PATH' };
  const path = await mainCheckout(cwd, options);
  if (!path) return { ok: false, error: `not a git repository: ${cwd}` };
  const worktreeBase = await defaultBaseBranch(path, options).catch(() => undefined);
  return { ok: true, path, worktreeBase };
}
