import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { execa } from 'execa';
import { fakeEnginePath, readFakeRecords } from './fake-engine/index.ts';
import { FakeTelegram } from './fake-telegram/fake-telegram.ts';
import { TENTACLE_BIN } from './run-cli.ts';

export const TOKEN = '123456:TEST-token-for-tentacle-e2e';
export const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };

export interface HarnessOptions {
  /** Extra TOML appended to the generated config (inside no table: start with a [table] header). */
  extraToml?: string;
  /** Keys under [transports.telegram]. */
  telegram?: Record<string, unknown>;
  /** Top-level keys. */
  topLevel?: Record<string, unknown>;
  /** The main chat id; a private chat with Alice by default. */
  chatId?: number;
  args?: string[];
}

/**
 * tentacle as a child process, started exactly as a user does (`tentacle run --config …`),
 * against the strict fake Bot API, with the fake engines first on PATH.
 */
export class BridgeHarness {
  readonly tg: FakeTelegram;
  readonly dir: string;
  readonly configPath: string;
  readonly recordFile: string;
  readonly chatId: number;
  process: ResultPromise | undefined;
  stderr = '';

  private constructor(tg: FakeTelegram, dir: string, chatId: number) {
    this.tg = tg;
    this.dir = dir;
    this.chatId = chatId;
    this.configPath = join(dir, 'tentacle.toml');
    this.recordFile = join(dir, 'fake-engine.jsonl');
  }

  static async create(dir: string, options: HarnessOptions = {}): Promise<BridgeHarness> {
    const tg = await FakeTelegram.start({ token: TOKEN });
    const chatId = options.chatId ?? tg.addPrivateChat(ALICE);
    const harness = new BridgeHarness(tg, dir, chatId);
    harness.writeConfig(options);
    return harness;
  }

  writeConfig(options: HarnessOptions = {}): void {
    const literal = (value: unknown) => JSON.stringify(value);
    const lines = [
      ...Object.entries({ default_engine: 'codex', ...options.topLevel }).map(
        ([k, v]) => `${k} = ${literal(v)}`,
      ),
      '[transports.telegram]',
      `bot_token = ${literal(TOKEN)}`,
      `chat_id = ${this.chatId}`,
      `api_root = ${literal(this.tg.apiRoot)}`,
      ...Object.entries(options.telegram ?? {}).map(([k, v]) => `${k} = ${literal(v)}`),
      options.extraToml ?? '',
    ];
    writeFileSync(this.configPath, `${lines.join('\n')}\n`);
  }

  /** Starts tentacle and waits for its startup message. */
  async start(args: string[] = []): Promise<void> {
    const since = this.tg.mark();
    this.stderr = '';
    this.process = execa(process.execPath, [TENTACLE_BIN, 'run', '--config', this.configPath, ...args], {
      cwd: this.dir,
      env: {
        PATH: fakeEnginePath(),
        HOME: this.dir,
        FAKE_ENGINE_RECORD: this.recordFile,
        FAKE_ENGINE_STATE_DIR: join(this.dir, 'fake-state'),
        TENTACLE_LOG_LEVEL: 'debug',
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 300_000,
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    await this.tg
      .waitForCall('sendMessage', (call) => String(call.params['text'] ?? '').includes('tentacle is ready'), {
        timeoutMs: 20_000,
        since,
        label: 'startup message',
      })
      .catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n--- tentacle stderr ---\n${this.stderr.slice(-4000)}`);
      });
  }

  /** SIGKILL, like a crash. */
  async kill(): Promise<void> {
    this.process?.kill('SIGKILL');
    await this.process;
    this.process = undefined;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
    if (!this.process) return undefined;
    this.process.kill(signal);
    const result = await this.process;
    this.process = undefined;
    return result.exitCode;
  }

  records() {
    return readFakeRecords(this.recordFile);
  }

  async close(): Promise<void> {
    if (this.process) await this.kill();
    await this.tg.stop();
  }
}
