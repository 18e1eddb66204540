import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();

const MINIMAL = `
[transports.telegram]
bot_token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
chat_id = 42
`;

function writeConfig(text: string): string {
  const path = join(tempDir(), 'tentacle.toml');
  writeFileSync(path, text);
  return path;
}

function errorOf(path: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(path, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('fills every default of a minimal config', () => {
    const path = writeConfig(MINIMAL);
    const settings = loadConfig(path, { env: {} });
    expect(settings.default_engine).toBe('codex');
    expect(settings.on_restart).toBe('resume');
    expect(settings.transports.telegram).toMatchObject({
      chat_id: 42,
      api_root: 'https://api.telegram.org',
      message_overflow: 'trim',
      session_mode: 'stateless',
      show_resume_line: true,
      forward_coalesce_s: 1,
      backlog_max_age_s: 3600,
      topics: { enabled: false, scope: 'auto' },
      files: {
        enabled: false,
        uploads_dir: 'incoming',
        deny_globs: ['.git/**', '.env', '.envrc', '*.pem', '.ssh/**'],
      },
    });
    expect(settings.state_path_resolved).toBe(join(path, '..', 'tentacle.db'));
  });

  it('coerces a chat id written as a string, as takopi does', () => {
    const path = writeConfig(MINIMAL.replace('chat_id = 42', 'chat_id = "-100123"'));
    expect(loadConfig(path, { env: {} }).transports.telegram.chat_id).toBe(-100123);
  });

  it.each([
    ['chat_id = "abc"', 'transports.telegram.chat_id: expected an integer, got "abc"'],
    ['chat_id = 1.5', 'transports.telegram.chat_id: expected an integer, got 1.5'],
    [
      'chat_id = 42\nmessage_overflow = "wrap"',
      'transports.telegram.message_overflow: expected one of "trim", "split", got "wrap"',
    ],
    [
      'chat_id = 42\nshow_resume_line = "yes"',
      'transports.telegram.show_resume_line: expected true or false, got "yes"',
    ],
    ['chat_id = 42\ncolour = "blue"', 'transports.telegram.colour: unknown key'],
    [
      'chat_id = 42\nforward_coalesce_s = -1',
      'transports.telegram.forward_coalesce_s: expected a number ≥ 0, got -1',
    ],
    [
      'chat_id = 42\napi_root = "not a url"',
      'transports.telegram.api_root: expected an http(s) URL, got "not a url"',
    ],
  ])('names the key, the value and what was expected for %j', (line, expected) => {
    const path = writeConfig(MINIMAL.replace('chat_id = 42', line));
    expect(errorOf(path)).toContain(expected);
  });

  it('reports a missing required key', () => {
    const path = writeConfig('[transports.telegram]\nbot_token = "x"\n');
    expect(errorOf(path)).toContain('transports.telegram.chat_id: missing (expected an integer)');
  });

  it('reports every bad key at once, one per line', () => {
    const path = writeConfig(`default_engine = "gpt"\n[transports.telegram]\nbot_token = 5\nchat_id = "x"\n`);
    const message = errorOf(path);
    expect(message).toContain('transports.telegram.bot_token: expected a string, got 5');
    expect(message).toContain('transports.telegram.chat_id: expected an integer, got "x"');
  });

  it('rejects an unknown engine as default_engine', () => {
    const path = writeConfig(`default_engine = "gpt"\n${MINIMAL}`);
    expect(errorOf(path)).toContain('default_engine: expected one of codex, claude, opencode, pi, got "gpt"');
  });

  it('says where a TOML syntax error is', () => {
    const path = writeConfig('[transports.telegram\nchat_id = 1');
    expect(errorOf(path)).toMatch(/invalid TOML in .*tentacle\.toml at line 1, column \d+/);
  });

  it('says the config is missing in one line', () => {
    const path = join(tempDir(), 'nope.toml');
    expect(errorOf(path)).toBe(`missing tentacle config at ${path}`);
  });

  it('lets TENTACLE__SECTION__KEY variables override the file', () => {
    const path = writeConfig(MINIMAL);
    const settings = loadConfig(path, {
      env: {
        TENTACLE__DEFAULT_ENGINE: 'claude',
        TENTACLE__TRANSPORTS__TELEGRAM__CHAT_ID: '-100777',
        TENTACLE__TRANSPORTS__TELEGRAM__TOPICS__ENABLED: 'true',
        TENTACLE__TRANSPORTS__TELEGRAM__ALLOWED_USER_IDS: '[1, 2]',
      },
    });
    expect(settings.default_engine).toBe('claude');
    expect(settings.transports.telegram.chat_id).toBe(-100777);
    expect(settings.transports.telegram.topics.enabled).toBe(true);
    expect(settings.transports.telegram.allowed_user_ids).toEqual([1, 2]);
    expect(settings.env_overrides).toContain('default_engine');
  });

  it('validates overridden values like file values', () => {
    const path = writeConfig(MINIMAL);
    expect(errorOf(path, { TENTACLE__TRANSPORTS__TELEGRAM__CHAT_ID: 'abc' })).toContain(
      'transports.telegram.chat_id: expected an integer, got "abc"',
    );
  });

  describe('projects', () => {
    it('lowercases aliases and resolves paths against the config folder', () => {
      const path = writeConfig(`${MINIMAL}\n[projects.Web]\npath = "repos/web"\n`);
      const settings = loadConfig(path, { env: {} });
      expect(settings.projects['web']).toMatchObject({
        alias: 'web',
        path: join(path, '..', 'repos/web'),
        worktrees_root: join(path, '..', 'repos/web/.worktrees'),
      });
    });

    it.each([
      [
        '[projects.codex]\npath = "/x"',
        'projects.codex: alias "codex" is an engine id or a reserved command',
      ],
      [
        '[projects.cancel]\npath = "/x"',
        'projects.cancel: alias "cancel" is an engine id or a reserved command',
      ],
      [
        '[projects.web]\npath = "/x"\nchat_id = 42',
        'projects.web.chat_id: must differ from transports.telegram.chat_id',
      ],
      [
        '[projects.a]\npath = "/a"\nchat_id = 7\n[projects.b]\npath = "/b"\nchat_id = 7',
        'projects.b.chat_id: already used by projects.a',
      ],
      ['[projects.web]\npath = "/x"\nflavour = 1', 'projects.web.flavour: unknown key'],
      ['[projects.web]\npath = "/x"\ndefault_engine = "gpt"', 'projects.web.default_engine: expected one of'],
    ])('rejects %j', (table, expected) => {
      expect(errorOf(writeConfig(`${MINIMAL}\n${table}\n`))).toContain(expected);
    });

    it('requires default_project to name a project', () => {
      expect(errorOf(writeConfig(`default_project = "web"\n${MINIMAL}`))).toContain(
        'default_project: no project named "web"',
      );
    });
  });

  it('keeps engine tables for the adapters and rejects a misspelled top-level key', () => {
    const ok = loadConfig(writeConfig(`${MINIMAL}\n[codex]\nprofile = "work"\n`), { env: {} });
    expect(ok.codex?.profile).toBe('work');
    expect(errorOf(writeConfig(`default_engin = "codex"\n${MINIMAL}`))).toContain(
      'default_engin: unknown key',
    );
  });
});
