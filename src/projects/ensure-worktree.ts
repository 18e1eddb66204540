import { appendFile, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Project } from '../config/load-config.ts';
import { worktreePath } from '../transport/routing/worktree-path.ts';
import {
  baseRef,
  currentBranch,
  defaultBaseBranch,
  type GitOptions,
  gitAvailable,
  gitErrorText,
  gitIn,
  isGitMissing,
  localBranchExists,
  remoteBranchExists,
  worktreeToplevel,
} from './git.ts';

/** Where a run works, or the text of the error reply (`error:\n…`). */
export type EnsureWorktreeResult = { path: string } | { error: string };

export type WorktreeProject = Pick<Project, 'path' | 'worktrees_root' | 'worktree_base'>;

const NO_GIT = 'error:\ngit not available on PATH';
const ESCAPES = 'error:\nbranch name cannot escape the worktrees directory';

/**
 * Runs one task per repository at a time. Two `git worktree add` on the same path would race, and two on
 * different paths of one repository can still collide on `.git/config.lock` when both record upstream
 * tracking; creation is quick, so a repository-wide queue costs nothing a user notices.
 */
const queues = new Map<string, Promise<unknown>>();

function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

/**
 * Makes sure the worktree of `branch` exists and says where the run should work:
 * - the branch checked out in the main checkout → the main checkout itself, no worktree;
 * - `<worktrees_root>/<branch>` already a git worktree → that path (anything else there is an error);
 * - a local branch → `git worktree add <path> <branch>`;
 * - only `origin/<branch>` → `git worktree add -b <branch> <path> origin/<branch>`;
 * - otherwise a new branch from the base: `worktree_base`, origin/HEAD, the current branch, master, main.
 * Git's stderr is passed through as the error text. Nothing is fetched. The worktrees folder is added to
 * the repository's `info/exclude` so the main checkout does not see it as untracked. Calls for one repository are
 * serialized, so concurrent requests for the same new branch create it once and both get its path.
 *
 * @example
 *   await ensureWorktree(settings.projects.app, 'feat/x') // { path: '/src/app/.worktrees/feat/x' }
 *   await ensureWorktree(settings.projects.app, '../x') // { error: "error:\nbranch name cannot contain '..'" }
 */
export async function ensureWorktree(
  project: WorktreeProject,
  branch: string,
  options: GitOptions = {},
): Promise<EnsureWorktreeResult> {
  const target = worktreePath(project, branch);
  if (!target.ok) return { error: target.error };
  const name = branch.trim();
  // git would read a leading '-' in a positional argument as an option.
  if (name.startsWith('-')) return { error: "error:\nbranch name cannot start with '-'" };
  const repo = resolve(project.path);
  if (!(await isDirectory(repo))) return { error: `error:\nproject path not found: ${repo}` };
  if (!(await gitAvailable(repo, options))) return { error: NO_GIT };
  try {
    if ((await currentBranch(repo, options)) === name) return { path: repo };
    return await serialized(repo, () => addWorktree(project, repo, name, target.path, options));
  } catch (error) {
    if (isGitMissing(error)) return { error: NO_GIT };
    return { error: `error:\n${gitErrorText(error)}` };
  }
}

async function addWorktree(
  project: WorktreeProject,
  repo: string,
  branch: string,
  path: string,
  options: GitOptions,
): Promise<EnsureWorktreeResult> {
  if (!(await staysInside(project.worktrees_root, path))) return { error: ESCAPES };
  if (await exists(path)) {
    const toplevel = await worktreeToplevel(path, options);
    if (toplevel && (await sameFile(toplevel, path))) return { path };
    return { error: `error:\n${path} exists but is not a git worktree` };
  }
  const git = gitIn(repo, options);
  if (await localBranchExists(repo, branch, options)) {
    await git.raw(['worktree', 'add', '--', path, branch]);
  } else if (await remoteBranchExists(repo, branch, options)) {
    await git.raw(['worktree', 'add', '-b', branch, '--', path, `origin/${branch}`]);
  } else {
    const base = project.worktree_base ?? (await defaultBaseBranch(repo, options));
    if (!base) return { error: 'error:\ncannot determine base branch for new worktree' };
    await git.raw(['worktree', 'add', '-b', branch, '--', path, await baseRef(repo, base, options)]);
  }
  // Best effort: the worktree exists and is usable even when the exclude file cannot be written.
  await excludeWorktreesFolder(repo, project.worktrees_root, options).catch(() => undefined);
  return { path };
}

/**
 * Lists the worktrees folder in the repository's `info/exclude` (local, never committed) when it sits
 * inside the main checkout: otherwise it shows as untracked there, and a `git add -A` in the main checkout
 * would record every worktree as an embedded repository.
 */
async function excludeWorktreesFolder(repo: string, root: string, options: GitOptions): Promise<void> {
  const inside = relative(repo, resolve(root));
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return;
  const pattern = `/${inside.split(sep).join('/')}/`;
  const file = resolve(
    repo,
    (await gitIn(repo, options).raw(['rev-parse', '--git-path', 'info/exclude'])).trim(),
  );
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current.split('\n').some((line) => line.trim() === pattern)) return;
  await mkdir(dirname(file), { recursive: true });
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${separator}${pattern}\n`);
}

/**
 * The lexical check in `worktreePath` cannot see symlinks: `.worktrees/x -> /elsewhere` would put the
 * worktree of `x/y` outside the root. Compare the real location of the deepest existing ancestor.
 */
async function staysInside(root: string, path: string): Promise<boolean> {
  const realRoot = await realExisting(resolve(root));
  const realPath = await realExisting(path);
  const inside = relative(realRoot, realPath);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** `path` with its deepest existing ancestor resolved through symlinks. */
async function realExisting(path: string): Promise<string> {
  let existing = path;
  let rest = '';
  for (;;) {
    try {
      const real = await realpath(existing);
      return rest ? resolve(real, rest) : real;
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest = rest ? `${basename(existing)}${sep}${rest}` : basename(existing);
      existing = parent;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}
