import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Project } from '../config/load-config.ts';
import { worktreePath } from '../transport/routing/worktree-path.ts';
import {
  aheadBehind,
  baseRef,
  defaultBaseBranch,
  type GitOptions,
  gitErrorText,
  isDirty,
  listWorktrees,
  remoteBranchExists,
} from './git.ts';
import { bindingKey, type WorktreeUsers } from './worktree-users.ts';

/** One worktree of a project, with what `tentacle worktrees` shows and `--prune` decides on. */
export interface WorktreeReport {
  path: string;
  /** Undefined when HEAD is detached. */
  branch: string | undefined;
  /** The project's main checkout (listed, never pruned). */
  main: boolean;
  /** Inside the project's worktrees folder, where tentacle creates worktrees. */
  managed: boolean;
  /** Its folder is gone; git still lists it until `git worktree prune`. */
  missing: boolean;
  locked: boolean;
  /** Undefined when unknown (folder missing, git failed). */
  dirty: boolean | undefined;
  /** Commits the branch has that the base lacks, and the other way round. */
  ahead: number | undefined;
  behind: number | undefined;
  /** Every commit of the branch is in the base (locally or on origin). */
  merged: boolean | undefined;
  /** Topics and chats bound to it, runs working in it. */
  users: string[];
  /** Why a git question about it failed. */
  error?: string;
}

export interface ProjectReport {
  alias: string;
  path: string;
  /** The ref worktrees are compared with (`main`, or `origin/main` without a local branch). */
  base: string | undefined;
  worktrees: WorktreeReport[];
  /** Set when the project could not be read at all. */
  error?: string;
}

/**
 * Lists a project's worktrees with their state: clean or dirty, ahead/behind the base (`worktree_base`,
 * else origin/HEAD, the current branch, master, main), merged or not, and who uses them.
 *
 * @example
 *   const report = await inspectProject(settings.projects.app, users);
 *   report.worktrees.map((w) => w.branch) // ['main', 'feat/x']
 */
export async function inspectProject(
  project: Project,
  users: WorktreeUsers,
  options: GitOptions = {},
): Promise<ProjectReport> {
  const report: ProjectReport = { alias: project.alias, path: project.path, base: undefined, worktrees: [] };
  if (!(await isDirectory(project.path)))
    return { ...report, error: `project path not found: ${project.path}` };
  try {
    const entries = await listWorktrees(project.path, options);
    const baseName = project.worktree_base ?? (await defaultBaseBranch(project.path, options));
    const base = baseName ? await baseRef(project.path, baseName, options) : undefined;
    const originBase =
      baseName && base !== `origin/${baseName}` && (await remoteBranchExists(project.path, baseName, options))
        ? `origin/${baseName}`
        : undefined;
    report.base = base;
    const root = await real(project.worktrees_root);
    const boundPaths = await boundWorktreePaths(project, users);
    for (const [index, entry] of entries.entries()) {
      if (entry.bare) continue;
      const path = await real(entry.path);
      const missing = entry.prunable !== undefined || !(await isDirectory(entry.path));
      const worktree: WorktreeReport = {
        path: entry.path,
        branch: entry.branch,
        main: index === 0,
        managed: isInside(root, path),
        missing,
        locked: entry.locked !== undefined,
        dirty: undefined,
        ahead: undefined,
        behind: undefined,
        merged: undefined,
        users: [
          ...(entry.branch ? (users.bindings.get(bindingKey(project.alias, entry.branch)) ?? []) : []),
          ...(boundPaths.get(path) ?? []),
          ...(users.runs.get(path) ?? users.runs.get(resolve(entry.path)) ?? []),
        ].filter((user, i, all) => all.indexOf(user) === i),
      };
      report.worktrees.push(worktree);
      if (missing) continue;
      try {
        worktree.dirty = await isDirty(entry.path, options);
        if (entry.branch && base) {
          const counts = await aheadBehind(project.path, base, `refs/heads/${entry.branch}`, options);
          worktree.ahead = counts.ahead;
          worktree.behind = counts.behind;
          worktree.merged =
            counts.ahead === 0 ||
            (originBase !== undefined &&
              (await aheadBehind(project.path, originBase, `refs/heads/${entry.branch}`, options)).ahead ===
                0);
        }
      } catch (error) {
        worktree.error = gitErrorText(error);
      }
    }
    return report;
  } catch (error) {
    return { ...report, error: gitErrorText(error) };
  }
}

/** Whether `--prune` removes a worktree, and if not, why it stays. */
export type PruneVerdict = { remove: true } | { remove: false; reason: string };

/**
 * `--prune` removes only what loses nothing and surprises nobody: a worktree tentacle manages, present,
 * unlocked, on a branch, with no uncommitted or untracked change, fully merged into the base, and
 * neither bound to a topic or chat nor used by a queued or running run. The branch itself is kept.
 *
 * @example
 *   pruneVerdict({ ...report, dirty: true }, 'main') // { remove: false, reason: 'uncommitted changes' }
 */
export function pruneVerdict(worktree: WorktreeReport, base: string | undefined): PruneVerdict {
  const keep = (reason: string): PruneVerdict => ({ remove: false, reason });
  if (worktree.main) return keep('main checkout');
  if (!worktree.managed) return keep('outside the worktrees folder');
  if (worktree.missing) return keep('folder is missing (`git worktree prune` forgets it)');
  if (worktree.locked) return keep('locked');
  if (!worktree.branch) return keep('detached HEAD');
  if (worktree.users.length > 0) return keep(`in use: ${worktree.users.join(', ')}`);
  if (worktree.error !== undefined || worktree.dirty === undefined) {
    return keep(`cannot read its state: ${worktree.error ?? 'unknown'}`);
  }
  if (worktree.dirty) return keep('uncommitted changes');
  if (!base || worktree.merged === undefined) return keep('no base branch to compare with');
  if (!worktree.merged) {
    const count = worktree.ahead ?? 0;
    return keep(`${count} commit${count === 1 ? '' : 's'} not merged into ${base}`);
  }
  return { remove: true };
}

/** Bound branches of this project by the worktree path the bridge would use for them. */
async function boundWorktreePaths(project: Project, users: WorktreeUsers): Promise<Map<string, string[]>> {
  const paths = new Map<string, string[]>();
  for (const [key, who] of users.bindings) {
    const [alias, branch] = key.split('\n');
    if (alias !== project.alias || !branch) continue;
    const target = worktreePath(project, branch);
    if (target.ok) paths.set(await real(target.path), who);
  }
  return paths;
}

async function real(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
