import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWorktree } from '../../src/projects/ensure-worktree.ts';
import { openStore } from '../../src/store/store.ts';
import { cloneFixture, commit, git, isolateGit, worktrees } from '../projects/git-fixture.ts';
import { runTentacle } from '../support/run-cli.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir('tentacle-worktrees-');

beforeAll(() => {
  isolateGit(realpathSync(tmpdir()));
});

/**
 * A project `app` with one worktree per reason to keep or remove it:
 * - done: no commits of its own → removed;
 * - shipped: one commit, fast-forwarded into main → removed;
 * - wip: an untracked file → kept;
 * - unmerged: a commit main lacks → kept;
 * - bound: bound to forum topic tg:-1001:7 → kept;
 * - busy: a run is working in it → kept;
 * - outside: made by hand outside .worktrees → kept.
 */
async function setup(options: { state?: 'bindings' | 'none' | 'garbage' } = {}) {
  const fx = cloneFixture(tempDir());
  const configPath = join(fx.root, 'tentacle.toml');
  writeFileSync(
    configPath,
    `[transports.telegram]\nbot_token = "1:x"\nchat_id = -1001\n\n[projects.app]\npath = "${fx.repo}"\n`,
  );
  const project = { path: fx.repo, worktrees_root: join(fx.repo, '.worktrees'), worktree_base: null };
  const path = (branch: string) => join(fx.repo, '.worktrees', branch);
  for (const branch of ['done', 'shipped', 'wip', 'unmerged', 'bound', 'busy']) {
    expect(await ensureWorktree(project, branch)).toEqual({ path: path(branch) });
  }
  commit(path('shipped'), 'ship it');
  git(fx.repo, 'merge', '-q', '--ff-only', 'shipped');
  writeFileSync(join(path('wip'), 'notes.txt'), 'not committed\n');
  commit(path('unmerged'), 'unfinished');
  const outside = join(fx.root, 'outside');
  git(fx.repo, 'worktree', 'add', '-q', '-b', 'outside', outside);

  const dbPath = join(fx.root, 'tentacle.db');
  if (options.state === 'garbage') writeFileSync(dbPath, 'this is not a database');
  if ((options.state ?? 'bindings') === 'bindings') {
    const store = openStore(dbPath);
    store.prefs.set('tg:-1001:7', { context: { project: 'app', branch: 'bound' } });
    store.prefs.set('tg:-1001:8', { context: { project: 'app' } });
    store.prefs.set('tg:-1001', { default_engine: 'claude' });
    store.runs.insert({
      runId: 'run-1',
      topicKey: 'tg:-1001:9',
      chatId: -1001,
      threadId: 9,
      userMessageId: 1,
      progressMessageId: null,
      engine: 'codex',
      resumeToken: null,
      cwd: path('busy'),
      prompt: 'work',
      job: null,
      pid: null,
      pidStartTime: null,
      bootId: null,
      status: 'running',
      createdAt: 1,
      startedAt: 1,
      endedAt: null,
    });
    store.close();
  }
  return { ...fx, configPath, path, outside };
}

describe('tentacle worktrees', () => {
  it("lists each worktree's branch, path, state, distance from the base and the topic bound to it", async () => {
    const fx = await setup();

    const result = await runTentacle(['worktrees', '--config', fx.configPath], { cwd: fx.root });

    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`app  ${fx.repo}  (base main)`);
    const row = (cells: string[]) => new RegExp(`^  ${cells.map(escapeRegExp).join(' +')}$`);
    expect(lines[1]).toMatch(row(['main', fx.repo, 'main checkout']));
    const rows = lines.slice(2);
    expect(rows).toHaveLength(7);
    for (const pattern of [
      row(['done', fx.path('done'), 'clean', '0 ahead, 1 behind main']),
      row(['shipped', fx.path('shipped'), 'clean', '0 ahead, 0 behind main']),
      row(['wip', fx.path('wip'), 'dirty', '0 ahead, 1 behind main']),
      row(['unmerged', fx.path('unmerged'), 'clean', '1 ahead, 1 behind main']),
      row(['bound', fx.path('bound'), 'clean', '0 ahead, 1 behind main', 'topic tg:-1001:7']),
      row(['busy', fx.path('busy'), 'clean', '0 ahead, 1 behind main', 'running run in tg:-1001:9']),
      row(['outside', fx.outside, 'clean', '0 ahead, 0 behind main']),
    ]) {
      expect(
        rows.filter((line) => pattern.test(line)),
        String(pattern),
      ).toHaveLength(1);
    }
  });

  it('removes only clean, merged, unused worktrees with --prune and says why it kept the others', async () => {
    const fx = await setup();

    const result = await runTentacle(['worktrees', '--prune', '--config', fx.configPath], { cwd: fx.root });

    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout.split('\n').sort()).toEqual(
      [
        `removed app done  ${fx.path('done')} (branch done kept)`,
        `removed app shipped  ${fx.path('shipped')} (branch shipped kept)`,
        `kept app wip  ${fx.path('wip')}: uncommitted changes`,
        `kept app unmerged  ${fx.path('unmerged')}: 1 commit not merged into main`,
        `kept app bound  ${fx.path('bound')}: in use: topic tg:-1001:7`,
        `kept app busy  ${fx.path('busy')}: in use: running run in tg:-1001:9`,
        `kept app outside  ${fx.outside}: outside the worktrees folder`,
      ].sort(),
    );
    expect(
      worktrees(fx.repo)
        .map((w) => w.branch)
        .sort(),
    ).toEqual(['bound', 'busy', 'main', 'outside', 'unmerged', 'wip']);
    expect(existsSync(fx.path('done'))).toBe(false);
    expect(git(fx.repo, 'branch', '--list', 'done', 'shipped')).toMatch(/done[\s\S]*shipped/);
    expect(existsSync(join(fx.path('wip'), 'notes.txt'))).toBe(true);
  });

  it('treats a missing state database as no bindings', async () => {
    const fx = await setup({ state: 'none' });

    const result = await runTentacle(['worktrees', '--prune', '--config', fx.configPath], { cwd: fx.root });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`removed app bound  ${fx.path('bound')}`);
    expect(result.stdout).toContain(`removed app busy  ${fx.path('busy')}`);
    expect(existsSync(join(fx.root, 'tentacle.db'))).toBe(false);
  });

  it('prunes nothing when the bindings cannot be read', async () => {
    const fx = await setup({ state: 'garbage' });
    const before = worktrees(fx.repo);

    const result = await runTentacle(['worktrees', '--prune', '--config', fx.configPath], { cwd: fx.root });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: cannot read topic bindings from ${escapeRegExp(join(fx.root, 'tentacle.db'))} \\(.+\\); nothing pruned$`,
      ),
    );
    expect(worktrees(fx.repo)).toEqual(before);
  });

  it('reports a project whose path is gone and exits 1, still listing the others', async () => {
    const fx = await setup({ state: 'none' });
    const ghost = join(fx.root, 'ghost');
    writeFileSync(
      fx.configPath,
      `[transports.telegram]\nbot_token = "1:x"\nchat_id = -1001\n\n[projects.ghost]\npath = "${ghost}"\n\n[projects.app]\npath = "${fx.repo}"\n`,
    );

    const result = await runTentacle(['worktrees', '--config', fx.configPath], { cwd: fx.root });

    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe(`ghost  ${ghost}  error: project path not found: ${ghost}`);
    expect(result.stdout).toContain(`app  ${fx.repo}  (base main)`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
