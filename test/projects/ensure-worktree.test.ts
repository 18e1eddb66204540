import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWorktree, type WorktreeProject } from '../../src/projects/ensure-worktree.ts';
import { useTempDir } from '../support/temp-dir.ts';
import {
  cloneFixture,
  commit,
  git,
  isolateGit,
  localBranch,
  pushRemoteBranch,
  type RepoFixture,
  sha,
  worktrees,
} from './git-fixture.ts';

const tempDir = useTempDir('tentacle-worktree-');

beforeAll(() => {
  isolateGit(realpathSync(tmpdir()));
});

function projectOf(repo: string, worktree_base: string | null = null): WorktreeProject {
  return { path: repo, worktrees_root: join(repo, '.worktrees'), worktree_base };
}

interface NewWorktreeCase {
  name: string;
  branch: string;
  /** Shapes the repository; returns the commit the worktree must start at and the configured base. */
  arrange: (fx: RepoFixture) => { start: string; worktree_base?: string };
  upstream?: string;
}

const creationCases: NewWorktreeCase[] = [
  {
    name: 'checks out an existing local branch as it is',
    branch: 'local-feat',
    arrange: (fx) => ({ start: localBranch(fx.repo, 'local-feat') }),
  },
  {
    name: 'creates a tracking branch when only origin/<branch> exists',
    branch: 'remote-only',
    arrange: (fx) => ({ start: sha(fx.repo, 'origin/remote-only') }),
    upstream: 'origin/remote-only',
  },
  {
    name: 'starts a new branch from the configured worktree_base',
    branch: 'feat/from-configured',
    arrange: (fx) => ({ start: localBranch(fx.repo, 'develop'), worktree_base: 'develop' }),
  },
  {
    name: "starts a new branch from origin/HEAD's branch when no base is configured",
    branch: 'feat/from-origin-head',
    arrange: (fx) => {
      const main = commit(fx.repo, 'local main moves ahead of origin');
      git(fx.repo, 'checkout', '-q', '-b', 'other');
      commit(fx.repo, 'work on other');
      return { start: main };
    },
  },
  {
    name: "starts from origin/<base> when origin/HEAD's branch has no local branch",
    branch: 'feat/from-origin-ref',
    arrange: (fx) => {
      git(fx.repo, 'checkout', '-q', '-b', 'other');
      git(fx.repo, 'branch', '-q', '-D', 'main');
      return { start: sha(fx.repo, 'origin/main') };
    },
  },
  {
    name: 'starts from the current branch when origin/HEAD is unset',
    branch: 'feat/from-current',
    arrange: (fx) => {
      git(fx.repo, 'remote', 'set-head', 'origin', '--delete');
      git(fx.repo, 'checkout', '-q', '-b', 'other');
      return { start: commit(fx.repo, 'work on other') };
    },
  },
  {
    name: 'starts from master when HEAD is detached and origin/HEAD is unset',
    branch: 'feat/from-master',
    arrange: (fx) => {
      git(fx.repo, 'remote', 'set-head', 'origin', '--delete');
      const master = localBranch(fx.repo, 'master');
      git(fx.repo, 'checkout', '-q', '--detach');
      return { start: master };
    },
  },
  {
    name: 'starts from main when HEAD is detached, origin/HEAD unset and there is no master',
    branch: 'feat/from-main',
    arrange: (fx) => {
      git(fx.repo, 'remote', 'set-head', 'origin', '--delete');
      const main = commit(fx.repo, 'local main work');
      git(fx.repo, 'checkout', '-q', '--detach', 'HEAD~1');
      return { start: main };
    },
  },
];

describe('ensureWorktree', () => {
  it.each(creationCases)('$name', async ({ branch, arrange, upstream }) => {
    const fx = cloneFixture(tempDir());
    const { start, worktree_base } = arrange(fx);

    const result = await ensureWorktree(projectOf(fx.repo, worktree_base ?? null), branch);

    const path = join(fx.repo, '.worktrees', branch);
    expect(result).toEqual({ path });
    expect(worktrees(fx.repo).find((w) => w.path === path)).toEqual({ path, head: start, branch });
    if (upstream) expect(git(path, 'rev-parse', '--abbrev-ref', '@{upstream}')).toBe(upstream);
  });

  it('does not move an existing local branch to the base', async () => {
    const fx = cloneFixture(tempDir());
    const before = localBranch(fx.repo, 'keep-me', 'HEAD');
    commit(fx.repo, 'main moves on');

    await ensureWorktree(projectOf(fx.repo), 'keep-me');

    expect(sha(fx.repo, 'keep-me')).toBe(before);
  });

  it('uses the main checkout, without a worktree, for the branch checked out there', async () => {
    const fx = cloneFixture(tempDir());

    const result = await ensureWorktree(projectOf(fx.repo), 'main');

    expect(result).toEqual({ path: fx.repo });
    expect(worktrees(fx.repo)).toHaveLength(1);
    expect(existsSync(join(fx.repo, '.worktrees'))).toBe(false);
  });

  it('returns an existing worktree again without touching it', async () => {
    const fx = cloneFixture(tempDir());
    const first = await ensureWorktree(projectOf(fx.repo), 'feat/again');
    commit(join(fx.repo, '.worktrees', 'feat/again'), 'work in the worktree');

    const second = await ensureWorktree(projectOf(fx.repo), 'feat/again');

    expect(second).toEqual(first);
    expect(worktrees(fx.repo)).toHaveLength(2);
  });

  it("keeps the worktrees folder out of the main checkout's status, listed once in info/exclude", async () => {
    const fx = cloneFixture(tempDir());

    await ensureWorktree(projectOf(fx.repo), 'feat/one');
    await ensureWorktree(projectOf(fx.repo), 'feat/two');

    expect(git(fx.repo, 'status', '--porcelain')).toBe('');
    const exclude = readFileSync(join(fx.repo, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude.split('\n').filter((line) => line === '/.worktrees/')).toHaveLength(1);
  });

  interface ErrorCase {
    name: string;
    branch: string;
    arrange?: (fx: RepoFixture) => { project?: WorktreeProject; env?: Record<string, string> } | undefined;
    error: (fx: RepoFixture) => string | RegExp;
  }

  const errorCases: ErrorCase[] = [
    {
      name: "refuses a '..' segment",
      branch: 'a/../../x',
      error: () => "error:\nbranch name cannot contain '..'",
    },
    {
      name: "refuses a leading '/'",
      branch: '/etc',
      error: () => "error:\nbranch name cannot start with '/'",
    },
    { name: "refuses a leading '-'", branch: '-f', error: () => "error:\nbranch name cannot start with '-'" },
    {
      name: 'refuses a path that exists but is not a git worktree',
      branch: 'plain-dir',
      arrange: (fx) => {
        mkdirSync(join(fx.repo, '.worktrees', 'plain-dir'), { recursive: true });
        return undefined;
      },
      error: (fx) => `error:\n${join(fx.repo, '.worktrees', 'plain-dir')} exists but is not a git worktree`,
    },
    {
      name: 'refuses a branch that a symlink inside the worktrees folder leads outside it',
      branch: 'escape/x',
      arrange: (fx) => {
        mkdirSync(join(fx.repo, '.worktrees'), { recursive: true });
        mkdirSync(join(fx.root, 'elsewhere'));
        symlinkSync(join(fx.root, 'elsewhere'), join(fx.repo, '.worktrees', 'escape'));
        return undefined;
      },
      error: () => 'error:\nbranch name cannot escape the worktrees directory',
    },
    {
      name: 'says so when the project path is missing',
      branch: 'feat/x',
      arrange: (fx) => ({ project: projectOf(join(fx.root, 'gone')) }),
      error: (fx) => `error:\nproject path not found: ${join(fx.root, 'gone')}`,
    },
    {
      name: 'says so when git is not on PATH',
      branch: 'feat/x',
      arrange: (fx) => {
        mkdirSync(join(fx.root, 'empty-bin'));
        return { env: { PATH: join(fx.root, 'empty-bin') } };
      },
      error: () => 'error:\ngit not available on PATH',
    },
    {
      name: 'says so when no base branch can be found',
      branch: 'feat/x',
      arrange: (fx) => {
        const lonely = join(fx.root, 'lonely');
        git(fx.root, 'init', '-q', '-b', 'trunk', lonely);
        commit(lonely, 'only commit');
        git(lonely, 'checkout', '-q', '--detach');
        return { project: projectOf(lonely) };
      },
      error: () => 'error:\ncannot determine base branch for new worktree',
    },
    {
      name: "passes git's own error through",
      branch: 'bad..name',
      error: () => /^error:\n(.*\n)*fatal: 'bad\.\.name' is not a valid branch name$/,
    },
    {
      name: "passes git's refusal through when the branch is checked out in another worktree",
      branch: 'busy',
      arrange: (fx) => {
        localBranch(fx.repo, 'busy');
        git(fx.repo, 'worktree', 'add', '-q', join(fx.root, 'busy-elsewhere'), 'busy');
        return undefined;
      },
      error: () => /^error:\n(.*\n)*fatal: 'busy' is already (checked out|used by worktree) at/,
    },
  ];

  it.each(errorCases)('$name', async ({ branch, arrange, error }) => {
    const fx = cloneFixture(tempDir());
    const before = worktrees(fx.repo);
    const setup = arrange?.(fx);

    const result = await ensureWorktree(setup?.project ?? projectOf(fx.repo), branch, { env: setup?.env });

    const expected = error(fx);
    expect(result).toEqual({
      error: typeof expected === 'string' ? expected : expect.stringMatching(expected),
    });
    const after = worktrees(fx.repo).filter((w) => !w.path.includes('busy-elsewhere'));
    expect(after).toEqual(before);
  });

  it('creates one worktree when two calls ask for the same new branch at once, and both get its path', async () => {
    const fx = cloneFixture(tempDir());

    const results = await Promise.all([
      ensureWorktree(projectOf(fx.repo), 'feat/race'),
      ensureWorktree(projectOf(fx.repo), 'feat/race'),
    ]);

    const path = join(fx.repo, '.worktrees', 'feat/race');
    expect(results).toEqual([{ path }, { path }]);
    expect(worktrees(fx.repo).filter((w) => w.branch === 'feat/race')).toEqual([
      { path, head: sha(fx.repo, 'main'), branch: 'feat/race' },
    ]);
  });

  it('creates several tracking worktrees of one repository at once without a config lock failure', async () => {
    const fx = cloneFixture(tempDir());
    const branches = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const branch of branches) pushRemoteBranch(fx, branch);
    git(fx.repo, 'fetch', '-q', 'origin');

    const results = await Promise.all(branches.map((b) => ensureWorktree(projectOf(fx.repo), b)));

    expect(results).toEqual(branches.map((b) => ({ path: join(fx.repo, '.worktrees', b) })));
    for (const branch of branches) {
      expect(git(fx.repo, 'rev-parse', '--abbrev-ref', `${branch}@{upstream}`)).toBe(`origin/${branch}`);
    }
  });
});
