import { describe, expect, it } from 'vitest';
import { branchNameError, worktreePath } from '../../../src/transport/routing/worktree-path.ts';

const project = { worktrees_root: '/repo/.worktrees' };

describe('worktreePath', () => {
  it.each<[string, string]>([
    ['feat/x', '/repo/.worktrees/feat/x'],
    ['main', '/repo/.worktrees/main'],
    ['  spaced  ', '/repo/.worktrees/spaced'],
    ['a/./b', '/repo/.worktrees/a/b'],
    ['v1..2', '/repo/.worktrees/v1..2'],
  ])('puts %j at %s', (branch, path) => {
    expect(worktreePath(project, branch)).toEqual({ ok: true, path });
  });

  it.each<[string, string]>([
    ['', 'error:\nbranch name cannot be empty'],
    ['   ', 'error:\nbranch name cannot be empty'],
    ['/etc', "error:\nbranch name cannot start with '/'"],
    ['..', "error:\nbranch name cannot contain '..'"],
    ['feat/../../etc', "error:\nbranch name cannot contain '..'"],
    ['a\\..\\b', "error:\nbranch name cannot contain '..'"],
    ['.', 'error:\nbranch name cannot escape the worktrees directory'],
    ['./', 'error:\nbranch name cannot escape the worktrees directory'],
  ])('refuses %j', (branch, error) => {
    expect(worktreePath(project, branch)).toEqual({ ok: false, error });
  });

  it('accepts the names branchNameError accepts', () => {
    expect(branchNameError('feat/x')).toBeUndefined();
  });
});
