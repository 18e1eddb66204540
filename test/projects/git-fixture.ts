import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Git with no global or system config: identity and settings come from here and from each repo's own
 * config, so the tests behave the same on any machine.
 */
export const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Tentacle Test',
  GIT_AUTHOR_EMAIL: 'test@tentacle.invalid',
  GIT_COMMITTER_NAME: 'Tentacle Test',
  GIT_COMMITTER_EMAIL: 'test@tentacle.invalid',
  GIT_TERMINAL_PROMPT: '0',
};

/** Puts GIT_ENV into this test process, so the code under test (which inherits it) sees the same git. */
export function isolateGit(ceiling: string): void {
  Object.assign(process.env, GIT_ENV, { GIT_CEILING_DIRECTORIES: ceiling });
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Writes `file` (default: a file named after the message) and commits it; returns the new commit. */
export function commit(cwd: string, message: string, file = `${message.replace(/\W+/g, '-')}.txt`): string {
  const path = join(cwd, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${message}\n`);
  git(cwd, 'add', '--', file);
  git(cwd, 'commit', '-q', '-m', message);
  return git(cwd, 'rev-parse', 'HEAD');
}

export function sha(cwd: string, ref: string): string {
  return git(cwd, 'rev-parse', '--verify', `${ref}^{commit}`);
}

function configureIdentity(repo: string): void {
  git(repo, 'config', 'user.name', 'Tentacle Test');
  git(repo, 'config', 'user.email', 'test@tentacle.invalid');
}

export interface RepoFixture {
  /** The temporary folder holding everything. */
  root: string;
  /** A bare repository standing in for the remote. */
  origin: string;
  /** A working clone used to push to origin. */
  seed: string;
  /** The project: a clone of origin with `origin/HEAD` → `main`. */
  repo: string;
}

/**
 * origin (bare, `main` + `remote-only`) and a clone of it, `app`, whose `origin/HEAD` points to main.
 * Paths are real paths, as git prints them.
 */
export function cloneFixture(tempRoot: string): RepoFixture {
  const root = realpathSync(tempRoot);
  const origin = join(root, 'origin.git');
  const seed = join(root, 'seed');
  const repo = join(root, 'app');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  git(root, 'init', '-q', '-b', 'main', seed);
  configureIdentity(seed);
  commit(seed, 'initial commit', 'README.md');
  git(seed, 'remote', 'add', 'origin', origin);
  git(seed, 'push', '-q', 'origin', 'main');
  pushRemoteBranch({ seed }, 'remote-only');
  git(root, 'clone', '-q', origin, repo);
  configureIdentity(repo);
  return { root, origin, seed, repo };
}

/** Pushes a new branch with one commit of its own to origin (then `git fetch` in the clone to see it). */
export function pushRemoteBranch(fixture: Pick<RepoFixture, 'seed'>, branch: string): string {
  git(fixture.seed, 'checkout', '-q', '-b', branch, 'main');
  const head = commit(fixture.seed, `work on ${branch}`);
  git(fixture.seed, 'push', '-q', 'origin', branch);
  git(fixture.seed, 'checkout', '-q', 'main');
  return head;
}

/** Creates a local branch at a commit of its own (made with commit-tree, so the checkout is untouched). */
export function localBranch(repo: string, branch: string, from = 'HEAD'): string {
  const head = git(repo, 'commit-tree', `${from}^{tree}`, '-p', from, '-m', `local work on ${branch}`);
  git(repo, 'branch', branch, head);
  return head;
}

/** `git worktree list --porcelain` as `{ path, head, branch }` records. */
export function worktrees(repo: string): { path: string; head: string; branch: string | undefined }[] {
  return git(repo, 'worktree', 'list', '--porcelain')
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields = new Map(
        block.split('\n').map((line) => {
          const space = line.indexOf(' ');
          return space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
        }),
      );
      return {
        path: fields.get('worktree') ?? '',
        head: fields.get('HEAD') ?? '',
        branch: fields.get('branch')?.replace(/^refs\/heads\//, ''),
      };
    });
}
