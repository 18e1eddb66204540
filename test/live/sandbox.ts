import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineId, JsonObject } from '../../src/engines/events.ts';
import { LIVE_BIN, LIVE_TMP } from './live-paths.ts';

/** An isolated world for one engine: its own HOME, config dirs and a fresh git repo to work in. */
export interface Sandbox {
  engine: EngineId;
  root: string;
  /** A git repository with one commit: the run's cwd. */
  repo: string;
  /** The complete environment the engine process gets (nothing else is inherited). */
  env: Record<string, string>;
  /** The engine's config table, as tentacle.toml's `[<engine>]` would give it to the adapter. */
  config: JsonObject;
  /** Strings to replace in captures so they do not depend on this sandbox. */
  placeholders: [string, string][];
  cleanup(): void;
}

/**
 * Creates the sandbox of one engine, with provider config pointing at the mock LLM at `llmUrl`.
 *
 * What the adapters do not produce (base URLs, API keys, isolation dirs, switches that keep the
 * CLIs offline and failing fast) is added here, through files and the environment; the argv stays
 * what tentacle builds.
 */
export function createSandbox(engine: EngineId, llmUrl: string): Sandbox {
  mkdirSync(LIVE_TMP, { recursive: true });
  const root = mkdtempSync(path.join(LIVE_TMP, `${engine}-`));
  const dir = (...parts: string[]) => {
    const p = path.join(root, ...parts);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const home = dir('home');
  const repo = dir('repo');
  const xdg = {
    XDG_CONFIG_HOME: dir('xdg', 'config'),
    XDG_DATA_HOME: dir('xdg', 'data'),
    XDG_CACHE_HOME: dir('xdg', 'cache'),
    XDG_STATE_HOME: dir('xdg', 'state'),
  };
  initRepo(repo);
  const base: Record<string, string> = {
    PATH: `${LIVE_BIN}:${process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: home,
    USER: process.env['USER'] ?? 'root',
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: dir('tmp'),
    ...xdg,
  };
  const setup = ENGINE_SETUP[engine]({ root, dir, llmUrl });
  return {
    engine,
    root,
    repo,
    env: { ...base, ...setup.env },
    config: setup.config,
    placeholders: [
      [repo, '/home/dev/project'],
      [root, '/home/dev/sandbox'],
      [llmUrl, 'http://127.0.0.1:PORT'],
    ],
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

interface SetupInput {
  root: string;
  dir: (...parts: string[]) => string;
  llmUrl: string;
}

type EngineSetup = (input: SetupInput) => { env: Record<string, string>; config: JsonObject };

/** The key the CLIs send to the mock; the mock accepts anything. */
export const MOCK_KEY = 'mock-key';

/** Put in claude's environment as ANTHROPIC_API_KEY, which tentacle's claude adapter must remove. */
export const FORBIDDEN_KEY = 'must-not-reach-claude';

const ENGINE_SETUP: Record<EngineId, EngineSetup> = {
  claude: ({ llmUrl }) => ({
    env: {
      // The base URL has no /v1: claude calls `POST /v1/messages?beta=true` itself.
      ANTHROPIC_BASE_URL: llmUrl,
      // tentacle removes ANTHROPIC_API_KEY from claude's environment (subscription billing by
      // default), so the mock is reached with a bearer token instead. The API key is set to prove
      // it never reaches the CLI.
      ANTHROPIC_AUTH_TOKEN: MOCK_KEY,
      ANTHROPIC_API_KEY: FORBIDDEN_KEY,
      // As root, claude refuses to bypass permissions unless it believes it is sandboxed.
      IS_SANDBOX: '1',
      // Without this claude retries a 401 ten times with backoff (over two minutes).
      CLAUDE_CODE_MAX_RETRIES: '0',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    },
    config: { model: 'claude-sonnet-4-5' },
  }),

  codex: ({ dir, llmUrl }) => {
    const codexHome = dir('codex-home');
    writeFileSync(
      path.join(codexHome, 'config.toml'),
      [
        // gpt-5.5 has model metadata in codex 0.171.0; other names add a warning item to stdout.
        'model = "gpt-5.5"',
        'model_provider = "mock"',
        'approval_policy = "never"',
        'sandbox_mode = "danger-full-access"',
        '',
        '[model_providers.mock]',
        'name = "Mock"',
        `base_url = "${llmUrl}/v1"`,
        // codex speaks only the Responses API (`wire_api = "chat"` is rejected).
        'wire_api = "responses"',
        'env_key = "MOCK_API_KEY"',
        'stream_max_retries = 0',
        'request_max_retries = 0',
        '',
      ].join('\n'),
    );
    return { env: { CODEX_HOME: codexHome, MOCK_API_KEY: MOCK_KEY }, config: {} };
  },

  opencode: ({ dir, llmUrl }) => {
    const configDir = dir('xdg', 'config', 'opencode');
    const opencodeJson = {
      $schema: 'https://opencode.ai/config.json',
      model: 'mock/mock-model',
      // Each new session makes one extra request with small_model, to title the session.
      small_model: 'mock/mock-model',
      autoupdate: false,
      share: 'disabled',
      permission: { bash: 'allow', edit: 'allow' },
      provider: {
        mock: {
          npm: '@ai-sdk/openai-compatible',
          name: 'Mock',
          options: { baseURL: `${llmUrl}/v1`, apiKey: MOCK_KEY },
          models: {
            'mock-model': { name: 'Mock model', tool_call: true, limit: { context: 200_000, output: 8_192 } },
          },
        },
      },
    };
    writeFileSync(path.join(configDir, 'opencode.json'), `${JSON.stringify(opencodeJson, null, 2)}\n`);
    return {
      env: {
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_SHARE: '1',
      },
      config: { model: 'mock/mock-model' },
    };
  },

  pi: ({ dir, llmUrl }) => {
    const agentDir = dir('pi-agent');
    const modelsJson = {
      providers: {
        mock: {
          baseUrl: `${llmUrl}/v1`,
          api: 'openai-completions',
          apiKey: MOCK_KEY,
          compat: { supportsDeveloperRole: false, supportsReasoningEffort: false },
          models: [
            {
              id: 'mock-model',
              name: 'Mock model',
              reasoning: false,
              input: ['text'],
              contextWindow: 200_000,
              maxTokens: 8_192,
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            },
          ],
        },
      },
    };
    writeFileSync(path.join(agentDir, 'models.json'), `${JSON.stringify(modelsJson, null, 2)}\n`);
    return {
      env: { PI_CODING_AGENT_DIR: agentDir, PI_OFFLINE: '1', PI_TELEMETRY: '0' },
      config: { provider: 'mock', model: 'mock-model' },
    };
  },
};

function initRepo(repo: string): void {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=tentacle', '-c', 'user.email=tentacle@example.invalid', ...args], {
      cwd: repo,
      stdio: 'ignore',
      timeout: 10_000,
    });
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'README.md'), '# live test project\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'initial commit');
}
