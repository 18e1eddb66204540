import { GitError, type SimpleGit, simpleGit } from 'simple-git';

/**
 * Small asynchronous questions to git, one function each. Every call spawns `git` through simple-git, so
 * the event loop never waits on a repository.
 *
 * simple-git resolves (with empty output) when git exits non-zero without writing to stderr, so these
 * functions ask questions whose answer is in stdout (`rev-parse --verify --quiet` prints the commit or
 * nothing) rather than reading exit codes.
 */

export interface GitOptions {
  /**
   * Replaces the environment of the git processes (tests: a PATH without git). By default git inherits
   * this process's environment; simple-git refuses some variables (GIT_SSH_COMMAND, PAGER, …) when they
   * are passed here, so pass only what is needed.
   */
  env?: Record<string, string>;
}

/** A git that hangs (a hook waiting on a terminal) is killed after this long without output; a large
 * checkout prints nothing when stderr is not a terminal, so the bound is generous. */
const BLOCK_TIMEOUT_MS = 600_000;

/** A simple-git instance for `dir`, which must exist (simple-git throws otherwise). */
export function gitIn(dir: string, options: GitOptions = {}): SimpleGit {
  const git = simpleGit({ baseDir: dir, timeout: { block: BLOCK_TIMEOUT_MS } });
  return options.env ? git.env(options.env) : git;
}

/** Whether a `git` binary can be run at all. */
export async function gitAvailable(dir: string, options: GitOptions = {}): Promise<boolean> {
  const version = await gitIn(dir, options).version();
  return version.installed;
}

/** True for the error simple-git reports when the `git` binary could not be spawned. */
export function isGitMissing(error: unknown): boolean {
  return error instanceof Error && /\bspawn\b.*\bENOENT\b/.test(error.message);
}

/** git's own words for a failed command: its stderr, without the trailing newline. */
export function gitErrorText(error: unknown): string {
  if (error instanceof GitError) return error.message.trim();
  return error instanceof Error ? error.message : String(error);
}

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string;
  /** The commit checked out, absent in a bare entry. */
  head?: string;
  /** The short branch name (`feat/x`), absent when detached or bare. */
  branch?: string;
  bare: boolean;
  detached: boolean;
  /** The lock reason ('' when locked without one). */
  locked?: string;
  /** Why git would prune it (its directory is gone). */
  prunable?: string;
}

/**
 * Parses `git worktree list --porcelain`: blank-line separated records of `key value` lines. The first
 * record is the main worktree (or the bare repository).
 *
 * @example
 *   parseWorktreeList('worktree /r\nHEAD abc\nbranch refs/heads/main\n\n')
 *   // → [{ path: '/r', head: 'abc', branch: 'main', bare: false, detached: false }]
 */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let entry: WorktreeEntry | undefined;
  for (const line of text.split('\n')) {
    if (line === '') {
      entry = undefined;
      continue;
    }
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      entry = { path: value, bare: false, detached: false };
      entries.push(entry);
      continue;
    }
    if (!entry) continue;
    if (key === 'HEAD') entry.head = value;
    else if (key === 'branch') entry.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'bare') entry.bare = true;
    else if (key === 'detached') entry.detached = true;
    else if (key === 'locked') entry.locked = value;
    else if (key === 'prunable') entry.prunable = value;
  }
  return entries;
}

/** The repository's worktrees, the main one first. */
export async function listWorktrees(repo: string, options: GitOptions = {}): Promise<WorktreeEntry[]> {
  return parseWorktreeList(await gitIn(repo, options).raw(['worktree', 'list', '--porcelain']));
}

/**
 * The main checkout of the repository that contains `cwd`, even when `cwd` is inside a linked worktree:
 * git derives the first `worktree list` entry from the common git dir. A bare repository has no checkout,
 * so `cwd` itself is the answer. Undefined when `cwd` is not in a git repository.
 *
 * @example
 *   await mainCheckout('/src/app/.worktrees/feat') // '/src/app'
 */
export async function mainCheckout(cwd: string, options: GitOptions = {}): Promise<string | undefined> {
  const git = gitIn(cwd, options);
  const inside = await git
    .raw(['rev-parse', '--is-inside-work-tree', '--is-bare-repository'])
    .catch((error: unknown) => {
      if (isGitMissing(error)) throw error;
      return '';
    });
  if (inside.trim() === '') return undefined;
  const [main] = await listWorktrees(cwd, options);
  if (!main || main.bare) return cwd;
  return main.path;
}

/** The toplevel of the worktree that contains `dir`, or undefined outside any work tree. */
export async function worktreeToplevel(dir: string, options: GitOptions = {}): Promise<string | undefined> {
  const out = await gitIn(dir, options)
    .raw(['rev-parse', '--show-toplevel'])
    .catch((error: unknown) => {
      if (isGitMissing(error)) throw error;
      return '';
    });
  return out.trim() || undefined;
}

/** The branch checked out in `repo`, or undefined when HEAD is detached. */
export async function currentBranch(repo: string, options: GitOptions = {}): Promise<string | undefined> {
  const out = await gitIn(repo, options).raw(['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return out.trim() || undefined;
}

/** The branch `origin/HEAD` points to (`main` for `refs/remotes/origin/main`), if the clone recorded it. */
export async function originHead(repo: string, options: GitOptions = {}): Promise<string | undefined> {
  const out = await gitIn(repo, options).raw(['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD']);
  const name = out.trim().replace(/^refs\/remotes\/origin\//, '');
  return name || undefined;
}

async function refExists(repo: string, ref: string, options: GitOptions): Promise<boolean> {
  const out = await gitIn(repo, options).raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return out.trim() !== '';
}

/** Whether `refs/heads/<branch>` exists. */
export function localBranchExists(repo: string, branch: string, options: GitOptions = {}): Promise<boolean> {
  return refExists(repo, `refs/heads/${branch}`, options);
}

/** Whether `refs/remotes/origin/<branch>` exists (as of the last fetch; tentacle never fetches). */
export function remoteBranchExists(repo: string, branch: string, options: GitOptions = {}): Promise<boolean> {
  return refExists(repo, `refs/remotes/origin/${branch}`, options);
}

/**
 * The base for new branches when none is configured: origin/HEAD, then the main checkout's current branch,
 * then `master`, then `main` (locally or on origin). Undefined when none applies.
 */
export async function defaultBaseBranch(repo: string, options: GitOptions = {}): Promise<string | undefined> {
  const fromOrigin = await originHead(repo, options);
  if (fromOrigin) return fromOrigin;
  const current = await currentBranch(repo, options);
  if (current) return current;
  for (const name of ['master', 'main']) {
    if ((await localBranchExists(repo, name, options)) || (await remoteBranchExists(repo, name, options))) {
      return name;
    }
  }
  return undefined;
}

/** The ref to start from or compare with for a base branch: the local branch, else `origin/<base>`. */
export async function baseRef(repo: string, base: string, options: GitOptions = {}): Promise<string> {
  if (await localBranchExists(repo, base, options)) return base;
  if (await remoteBranchExists(repo, base, options)) return `origin/${base}`;
  return base;
}

/** Whether a worktree has changes git would lose on removal: modified, staged or untracked files. */
export async function isDirty(worktree: string, options: GitOptions = {}): Promise<boolean> {
  const out = await gitIn(worktree, options).raw(['status', '--porcelain', '--untracked-files=normal']);
  return out.trim() !== '';
}

/** How many commits `ref` has that `base` lacks (ahead), and the other way round (behind). */
export async function aheadBehind(
  repo: string,
  base: string,
  ref: string,
  options: GitOptions = {},
): Promise<{ ahead: number; behind: number }> {
  const out = await gitIn(repo, options).raw([
    'rev-list',
    '--left-right',
    '--count',
    `${base}...${ref}`,
    '--',
  ]);
  const [behind, ahead] = out.trim().split(/\s+/).map(Number);
  return { ahead: ahead ?? 0, behind: behind ?? 0 };
}

/** Whether every commit of `branch` is reachable from `base` (a fast-forward or true merge, not a squash). */
export async function isMerged(
  repo: string,
  branch: string,
  base: string,
  options: GitOptions = {},
): Promise<boolean> {
  const { ahead } = await aheadBehind(repo, base, `refs/heads/${branch}`, options);
  return ahead === 0;
}

/** `git worktree remove` without `--force`: git itself refuses a worktree with changes or a lock. */
export async function removeWorktree(repo: string, path: string, options: GitOptions = {}): Promise<void> {
  await gitIn(repo, options).raw(['worktree', 'remove', '--', path]);
}
