import { describe, expect, it } from 'vitest';
import { pruneVerdict, type WorktreeReport } from '../../src/projects/worktree-inventory.ts';

const removable: WorktreeReport = {
  path: '/r/.worktrees/done',
  branch: 'done',
  main: false,
  managed: true,
  missing: false,
  locked: false,
  dirty: false,
  ahead: 0,
  behind: 2,
  merged: true,
  users: [],
};

describe('pruneVerdict', () => {
  it('removes a managed, clean, merged, unused worktree', () => {
    expect(pruneVerdict(removable, 'main')).toEqual({ remove: true });
  });

  it.each<[string, Partial<WorktreeReport>, string | undefined, string]>([
    ['the main checkout', { main: true }, 'main', 'main checkout'],
    ['a worktree outside the worktrees folder', { managed: false }, 'main', 'outside the worktrees folder'],
    [
      'a worktree whose folder is gone',
      { missing: true },
      'main',
      'folder is missing (`git worktree prune` forgets it)',
    ],
    ['a locked worktree', { locked: true }, 'main', 'locked'],
    ['a detached worktree', { branch: undefined }, 'main', 'detached HEAD'],
    [
      'a bound worktree',
      { users: ['topic tg:-1:2', 'chat tg:-1'] },
      'main',
      'in use: topic tg:-1:2, chat tg:-1',
    ],
    ['a dirty worktree', { dirty: true }, 'main', 'uncommitted changes'],
    [
      'a worktree git could not read',
      { dirty: undefined, error: 'fatal: bad object' },
      'main',
      'cannot read its state: fatal: bad object',
    ],
    [
      'a worktree with no base to compare',
      { merged: undefined },
      undefined,
      'no base branch to compare with',
    ],
    ['an unmerged worktree', { merged: false, ahead: 1 }, 'main', '1 commit not merged into main'],
    [
      'an unmerged worktree with more commits',
      { merged: false, ahead: 3 },
      'origin/main',
      '3 commits not merged into origin/main',
    ],
  ])('keeps %s', (_name, change, base, reason) => {
    expect(pruneVerdict({ ...removable, ...change }, base)).toEqual({ remove: false, reason });
  });
});
