import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasTomlComments, type InitIo, initCommand } from '../../src/cli/init.command.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { cloneFixture, git, isolateGit } from '../projects/git-fixture.ts';
import { runTentacle } from '../support/run-cli.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir('tentacle-init-');

beforeAll(() => {
  isolateGit(realpathSync(tmpdir()));
});

const BASE_CONFIG = `# tentacle test config
default_engine = "codex"

[transports.telegram]
bot_token = "123:abc" # the bot
chat_id = -1001

[projects.other]
path = "/elsewhere"
chat_id = -1002
`;

function setup(config = BASE_CONFIG) {
  const fx = cloneFixture(tempDir());
  const configPath = join(fx.root, 'tentacle.toml');
  writeFileSync(configPath, config);
  return { ...fx, configPath };
}

function readToml(path: string): Record<string, unknown> {
  return parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('tentacle init', () => {
  it('stores the main checkout when run inside a worktree, keeps the rest of the config, and says where', async () => {
    const fx = setup();
    const worktree = join(fx.repo, '.worktrees', 'feat');
    git(fx.repo, 'worktree', 'add', '-q', '-b', 'feat', worktree);

    const result = await runTentacle(['init', 'app', '--config', fx.configPath], { cwd: worktree });

    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toBe(`saved project 'app' to ${fx.configPath}`);
    const written = readToml(fx.configPath);
    expect(written['projects']).toEqual({
      other: { path: '/elsewhere', chat_id: -1002 },
      app: { path: fx.repo, worktrees_dir: '.worktrees', worktree_base: 'main' },
    });
    expect(written['transports']).toEqual({ telegram: { bot_token: '123:abc', chat_id: -1001 } });
    expect(written['default_project']).toBeUndefined();
    const settings = loadConfig(fx.configPath, { env: {} });
    expect(settings.projects['app']).toMatchObject({
      path: fx.repo,
      worktrees_root: join(fx.repo, '.worktrees'),
    });
    expect(readFileSync(fx.configPath, 'utf8')).toContain('bot_token = "123:abc" # the bot\n');
  });

  it('makes the project default_project with --default', async () => {
    const fx = setup();

    const result = await runTentacle(['init', 'app', '--default', '--config', fx.configPath], {
      cwd: fx.repo,
    });

    expect(result.exitCode).toBe(0);
    expect(readToml(fx.configPath)['default_project']).toBe('app');
    expect(loadConfig(fx.configPath, { env: {} }).default_project).toBe('app');
  });

  it('names the project after its folder, lowercased and without .git, and stores a bare repository as itself', async () => {
    const fx = setup();
    const bare = join(fx.root, 'Shared.git');
    git(fx.root, 'clone', '-q', '--bare', fx.origin, bare);

    const result = await runTentacle(['init', '--config', fx.configPath], { cwd: bare });

    expect(result.stdout).toBe(`saved project 'shared' to ${fx.configPath}`);
    expect(readToml(fx.configPath)['projects']).toMatchObject({
      shared: { path: bare, worktrees_dir: '.worktrees', worktree_base: 'main' },
    });
  });

  it.each([
    ['codex', "error: alias 'codex' is an engine id; pick another"],
    ['Claude', "error: alias 'claude' is an engine id; pick another"],
    ['cancel', "error: alias 'cancel' is a reserved command (/cancel); pick another"],
    ['ctx', "error: alias 'ctx' is a reserved command (/ctx); pick another"],
    ['my app', "error: alias 'my app' must be lowercase letters, digits, '-' or '_' (it is used as /my app)"],
  ])('refuses the alias %j and leaves the config untouched', async (alias, line) => {
    const fx = setup();

    const result = await runTentacle(['init', alias, '--config', fx.configPath], { cwd: fx.repo });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(line);
    expect(readFileSync(fx.configPath, 'utf8')).toBe(BASE_CONFIG);
  });

  it('refuses an existing alias (any case) without a terminal, and overwrites it with --force keeping its chat', async () => {
    const fx = setup();

    const refused = await runTentacle(['init', 'OTHER', '--config', fx.configPath], { cwd: fx.repo });

    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      `error: project 'other' already exists in ${fx.configPath}; pass --force to overwrite it, or pick another alias`,
    );
    expect(readFileSync(fx.configPath, 'utf8')).toBe(BASE_CONFIG);

    const forced = await runTentacle(['init', 'other', '--force', '--config', fx.configPath], {
      cwd: fx.repo,
    });

    expect(forced.exitCode).toBe(0);
    expect(readToml(fx.configPath)['projects']).toEqual({
      other: { path: fx.repo, worktrees_dir: '.worktrees', worktree_base: 'main', chat_id: -1002 },
    });
  });

  it('fails with one line outside a git repository', async () => {
    const fx = setup();
    const plain = join(fx.root, 'plain');
    mkdirSync(plain);

    const result = await runTentacle(['init', '--config', fx.configPath], { cwd: plain });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: not a git repository: ${plain}`);
  });

  it('fails with one line when the config is missing', async () => {
    const fx = setup();
    const missing = join(fx.root, 'nope.toml');

    const result = await runTentacle(['init', '--config', missing], { cwd: fx.repo });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: missing tentacle config at ${missing}`);
  });

  it('writes nothing when the resulting config would be invalid', async () => {
    const broken = BASE_CONFIG.replace(
      'default_engine = "codex"',
      'default_engine = "codex"\ndefault_project = "ghost"',
    );
    const fx = setup(broken);

    const result = await runTentacle(['init', 'app', '--config', fx.configPath], { cwd: fx.repo });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('default_project: no project named "ghost"');
    expect(readFileSync(fx.configPath, 'utf8')).toBe(broken);
  });

  it('says the comments were lost only when the file had comments and had to be rewritten', async () => {
    // An inline `projects` table cannot take a `[projects.app]` section: the file must be rewritten.
    const inline = `# inline projects\nprojects = { other = { path = "/elsewhere" } }\n[transports.telegram]\nbot_token = "1:x"\nchat_id = 5\n`;
    const withComments = setup(inline);
    const withoutComments = setup(inline.replace('# inline projects\n', ''));

    const noted = await runTentacle(['init', 'app', '--config', withComments.configPath], {
      cwd: withComments.repo,
    });
    const quiet = await runTentacle(['init', 'app', '--config', withoutComments.configPath], {
      cwd: withoutComments.repo,
    });

    expect(noted.stdout).toBe(
      `saved project 'app' to ${withComments.configPath}\n` +
        `note: ${withComments.configPath} was rewritten from its data; its comments were not kept`,
    );
    expect(quiet.stdout).toBe(`saved project 'app' to ${withoutComments.configPath}`);
    for (const { configPath, repo } of [withComments, withoutComments]) {
      expect(loadConfig(configPath, { env: {} }).projects['app']?.path).toBe(repo);
    }
  });

  it('asks before overwriting in a terminal and keeps the project when the answer is no', async () => {
    const fx = setup();
    const questions: string[] = [];
    const io = (answer: boolean): InitIo => ({
      cwd: fx.repo,
      stdout: () => undefined,
      confirm: async (message) => {
        questions.push(message);
        return answer;
      },
    });

    await expect(initCommand('other', { config: fx.configPath }, io(false))).rejects.toThrow(
      "kept the existing project 'other'",
    );
    expect(readFileSync(fx.configPath, 'utf8')).toBe(BASE_CONFIG);

    await initCommand('other', { config: fx.configPath }, io(true));
    expect(questions).toEqual([
      "project 'other' already exists, overwrite?",
      "project 'other' already exists, overwrite?",
    ]);
    expect(readToml(fx.configPath)['projects']).toMatchObject({ other: { path: fx.repo } });
  });
});

describe('hasTomlComments', () => {
  it.each([
    ['a = 1\n', false],
    ['# title\na = 1\n', true],
    ['a = 1 # why\n', true],
    ['a = "x # not a comment"\n', false],
    ["a = 'x#y'\n", false],
    ['a = """\n# inside a string\n"""\n', false],
    ['a = "#" # but this is\n', true],
  ])('%j → %s', (text, expected) => {
    expect(hasTomlComments(text)).toBe(expected);
  });
});
