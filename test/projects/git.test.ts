import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  aheadBehind,
  defaultBaseBranch,
  isDirty,
  isMerged,
  mainCheckout,
  parseWorktreeList,
  type WorktreeEntry,
} from '../../src/projects/git.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { cloneFixture, commit, git, isolateGit } from './git-fixture.ts';

const tempDir = useTempDir('tentacle-git-');

beforeAll(() => {
  isolateGit(realpathSync(tmpdir()));
});

describe('parseWorktreeList', () => {
  it.each<[string, string, WorktreeEntry[]]>([
    [
      'a main checkout and a linked worktree',
      'worktree /r\nHEAD aaa\nbranch refs/heads/main\n\nworktree /r/.worktrees/feat/x\nHEAD bbb\nbranch refs/heads/feat/x\n\n',
      [
        { path: '/r', head: 'aaa', branch: 'main', bare: false, detached: false },
        { path: '/r/.worktrees/feat/x', head: 'bbb', branch: 'feat/x', bare: false, detached: false },
      ],
    ],
    [
      'a bare repository with a detached worktree',
      'worktree /r.git\nbare\n\nworktree /w\nHEAD ccc\ndetached\n\n',
      [
        { path: '/r.git', bare: true, detached: false },
        { path: '/w', head: 'ccc', bare: false, detached: true },
      ],
    ],
    [
      'locked and prunable worktrees, with and without a reason',
      'worktree /a\nHEAD d\nbranch refs/heads/a\nlocked\n\nworktree /b\nHEAD e\nbranch refs/heads/b\nlocked on a usb disk\nprunable gitdir file points to non-existent location\n',
      [
        { path: '/a', head: 'd', branch: 'a', bare: false, detached: false, locked: '' },
        {
          path: '/b',
          head: 'e',
          branch: 'b',
          bare: false,
          detached: false,
          locked: 'on a usb disk',
          prunable: 'gitdir file points to non-existent location',
        },
      ],
    ],
    [
      'a path with spaces',
      'worktree /my repo\nHEAD f\nbranch refs/heads/main\n',
      [{ path: '/my repo', head: 'f', branch: 'main', bare: false, detached: false }],
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(parseWorktreeList(text)).toEqual(expected);
  });
});

describe('mainCheckout', () => {
  it('finds the main checkout from a subfolder, from a linked worktree, and gives the cwd for a bare repository', async () => {
    const fx = cloneFixture(tempDir());
    const sub = join(fx.repo, 'deep', 'er');
    mkdirSync(sub, { recursive: true });
    const linked = join(fx.root, 'linked');
    git(fx.repo, 'worktree', 'add', '-q', '-b', 'linked', linked);
    const bare = join(fx.root, 'bare.git');
    git(fx.root, 'clone', '-q', '--bare', fx.origin, bare);

    expect(await mainCheckout(sub)).toBe(fx.repo);
    expect(await mainCheckout(linked)).toBe(fx.repo);
    expect(await mainCheckout(bare)).toBe(bare);
    expect(await mainCheckout(fx.root)).toBeUndefined();
  });
});

describe('worktree state', () => {
  it('counts commits ahead and behind, tells merged from unmerged, and sees untracked files as dirty', async () => {
    const fx = cloneFixture(tempDir());
    const wt = join(fx.root, 'wt');
    git(fx.repo, 'worktree', 'add', '-q', '-b', 'topic', wt);
    commit(fx.repo, 'main moves');

    expect(await aheadBehind(fx.repo, 'main', 'topic')).toEqual({ ahead: 0, behind: 1 });
    expect(await isMerged(fx.repo, 'topic', 'main')).toBe(true);
    expect(await isDirty(wt)).toBe(false);

    commit(wt, 'topic work');
    writeFileSync(join(wt, 'scratch.txt'), 'x');

    expect(await aheadBehind(fx.repo, 'main', 'topic')).toEqual({ ahead: 1, behind: 1 });
    expect(await isMerged(fx.repo, 'topic', 'main')).toBe(false);
    expect(await isDirty(wt)).toBe(true);
  });

  it('finds the default base: origin/HEAD, else the current branch, else master, else main', async () => {
    const fx = cloneFixture(tempDir());
    git(fx.repo, 'checkout', '-q', '-b', 'other');
    expect(await defaultBaseBranch(fx.repo)).toBe('main');

    git(fx.repo, 'remote', 'set-head', 'origin', '--delete');
    expect(await defaultBaseBranch(fx.repo)).toBe('other');

    git(fx.repo, 'checkout', '-q', '--detach');
    expect(await defaultBaseBranch(fx.repo)).toBe('main');

    git(fx.repo, 'branch', 'master');
    expect(await defaultBaseBranch(fx.repo)).toBe('master');
  });
});
