import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTentacle } from '../support/run-cli.ts';

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

const BASE = `# tentacle settings
default_engine = "codex" # the engine for new chats

[transports.telegram]
# from @BotFather
bot_token = "123:abc"
chat_id = 42 # my own user id
`;

/** A temporary HOME with `~/.tentacle/tentacle.toml` (unless `config` is null). */
function home(config: string | null = BASE): { home: string; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tentacle-config-'));
  homes.push(dir);
  const configPath = join(dir, '.tentacle', 'tentacle.toml');
  mkdirSync(join(dir, '.tentacle'));
  if (config !== null) writeFileSync(configPath, config);
  return { home: dir, configPath };
}

function tentacle(dir: string, args: string[], env: Record<string, string> = {}) {
  return runTentacle(args, { env: { HOME: dir, ...env }, cwd: dir });
}

describe.concurrent('tentacle config', () => {
  it('prints the config path from --config, TENTACLE_CONFIG or the default under HOME', async () => {
    const { home: dir, configPath } = home();
    expect((await tentacle(dir, ['config', 'path'])).stdout).toBe(configPath);
    expect((await tentacle(dir, ['config', 'path', '--config', 'x/t.toml'])).stdout).toBe(
      join(dir, 'x', 't.toml'),
    );
    const fromEnv = await tentacle(dir, ['config', 'path'], { TENTACLE_CONFIG: '/etc/t.toml' });
    expect(fromEnv.stdout).toBe('/etc/t.toml');
  });

  it('lists every leaf as a sorted dot path with its TOML literal', async () => {
    const { home: dir } = home(`${BASE}allowed_user_ids = [1, 2]\n\n[projects.app]\npath = "~/app"\n`);
    const result = await tentacle(dir, ['config', 'list']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'default_engine = "codex"',
      'projects.app.path = "~/app"',
      'transports.telegram.allowed_user_ids = [1, 2]',
      'transports.telegram.bot_token = "123:abc"',
      'transports.telegram.chat_id = 42',
    ]);
  });

  it.each([
    ['list', 1, ['config', 'list']],
    ['get', 2, ['config', 'get', 'default_engine']],
    ['set', 2, ['config', 'set', 'default_engine', 'claude']],
    ['unset', 2, ['config', 'unset', 'default_engine']],
  ])('config %s without a config file exits %i and names the missing file', async (_name, code, args) => {
    const { home: dir, configPath } = home(null);
    const result = await tentacle(dir, args);
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toBe(`error: missing tentacle config at ${configPath}`);
    expect(result.stdout).toBe('');
  });

  it('gets a leaf as a TOML literal, exits 1 silently for a missing key and 2 for a table', async () => {
    const { home: dir } = home();
    const leaf = await tentacle(dir, ['config', 'get', 'transports.telegram.chat_id']);
    expect([leaf.exitCode, leaf.stdout]).toEqual([0, '42']);
    const text = await tentacle(dir, ['config', 'get', 'default_engine']);
    expect(text.stdout).toBe('"codex"');
    const missing = await tentacle(dir, ['config', 'get', 'transports.telegram.nope']);
    expect([missing.exitCode, missing.stdout, missing.stderr]).toEqual([1, '', '']);
    const table = await tentacle(dir, ['config', 'get', 'transports.telegram']);
    expect(table.exitCode).toBe(2);
    expect(table.stderr).toBe("error: 'transports.telegram' is a table; pick a leaf node.");
  });

  it.each([
    ['transports.telegram.chat_id', '-100123', '-100123'],
    ['transports.telegram.chat_id', '"-100777"', '-100777'],
    ['default_engine', 'claude', '"claude"'],
    ['transports.telegram.session_mode', '"chat"', '"chat"'],
    ['transports.telegram.allowed_user_ids', '[7, 8]', '[7, 8]'],
    ['transports.telegram.forward_coalesce_s', '0.5', '0.5'],
    ['transports.telegram.topics.enabled', 'true', 'true'],
    ['projects.app.path', '/srv/app', '"/srv/app"'],
    ['codex.extra_args', '["-c", "notify=[]"]', '["-c", "notify=[]"]'],
  ])('set %s %s round-trips through get as %s and keeps the comments', async (key, value, literal) => {
    const { home: dir, configPath } = home();
    const set = await tentacle(dir, ['config', 'set', key, value]);
    expect(set.stderr).toBe('');
    expect([set.exitCode, set.stdout]).toEqual([0, `updated ${key} = ${literal}`]);
    const get = await tentacle(dir, ['config', 'get', key]);
    expect(get.stdout).toBe(literal);
    const text = readFileSync(configPath, 'utf8');
    for (const comment of ['# tentacle settings', '# the engine for new chats', '# from @BotFather']) {
      expect(text).toContain(comment);
    }
    expect(readdirSync(join(dir, '.tentacle'))).toEqual(['tentacle.toml']);
  });

  it.each([
    ['transports.telegram.chat_id', 'abc', 'transports.telegram.chat_id: expected an integer, got "abc"'],
    ['transports.telegram.session_mode', 'sometimes', 'transports.telegram.session_mode: expected one of'],
    ['transports.telegram.nope', '1', 'transports.telegram.nope: unknown key'],
    ['default_engine', 'gpt', 'default_engine: expected one of codex, claude, opencode, pi'],
    ['projects.app.worktrees_dir', '.wt', 'projects.app.path: missing'],
  ])('refuses set %s %s with exit 2 and leaves the file unchanged', async (key, value, message) => {
    const { home: dir, configPath } = home();
    const result = await tentacle(dir, ['config', 'set', key, value]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(readFileSync(configPath, 'utf8')).toBe(BASE);
  });

  it.each([
    [['config', 'set', 'default_engine.x', '1'], 'invalid `default_engine` in'],
    [['config', 'set', 'a..b', '1'], "invalid key path 'a..b'; empty segment."],
    [['config', 'get', 'a b'], "invalid key segment 'a b' in 'a b'"],
  ])('rejects the key path of %j with exit 2', async (args, message) => {
    const { home: dir, configPath } = home();
    const result = await tentacle(dir, args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(readFileSync(configPath, 'utf8')).toBe(BASE);
  });

  it('unsets a key silently, prunes the tables it empties, and exits 1 for a missing key', async () => {
    const { home: dir, configPath } = home(`${BASE}\n[transports.telegram.topics]\nenabled = true\n`);
    const unset = await tentacle(dir, ['config', 'unset', 'transports.telegram.topics.enabled']);
    expect([unset.exitCode, unset.stdout, unset.stderr]).toEqual([0, '', '']);
    expect(readFileSync(configPath, 'utf8')).toBe(`${BASE}\n`);
    const again = await tentacle(dir, ['config', 'unset', 'transports.telegram.topics.enabled']);
    expect([again.exitCode, again.stdout, again.stderr]).toEqual([1, '', '']);
  });

  it('refuses to unset a required key and leaves the file unchanged', async () => {
    const { home: dir, configPath } = home();
    const result = await tentacle(dir, ['config', 'unset', 'transports.telegram.bot_token']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('transports.telegram.bot_token: missing');
    expect(readFileSync(configPath, 'utf8')).toBe(BASE);
  });

  it('rewrites the file and says so when a line edit cannot express the change', async () => {
    const { home: dir, configPath } = home(`${BASE}topics = { scope = "main" }\n`);
    const result = await tentacle(dir, ['config', 'set', 'transports.telegram.topics.enabled', 'true']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('comments and formatting were not kept');
    expect((await tentacle(dir, ['config', 'get', 'transports.telegram.topics.scope'])).stdout).toBe(
      '"main"',
    );
    expect((await tentacle(dir, ['config', 'get', 'transports.telegram.topics.enabled'])).stdout).toBe(
      'true',
    );
    expect(readFileSync(configPath, 'utf8')).not.toContain('#');
  });
});
