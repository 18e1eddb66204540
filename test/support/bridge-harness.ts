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
    const child = this.process;
    // A bridge that exits during startup fails the start at once, with its stderr.
    const exited = child.then((result) => {
      throw new Error(`tentacle exited with ${result.exitCode} before its startup message`);
    });
    exited.catch(() => undefined);
    await Promise.race([
      this.tg.waitForCall(
        'sendMessage',
        (call) => String(call.params['text'] ?? '').includes('tentacle is ready'),
        {
          timeoutMs: 20_000,
          since,
          label: 'startup message',
        },
      ),
      exited,
    ]).catch((error: unknown) => {
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

  /** Spawn records of the fake engines, oldest first. */
  spawns() {
    return this.records().filter((r) => r.kind === 'spawn');
  }

  /** A user message in the main chat (or `chatId`) from Alice (or `from`). */
  send(
    text: string,
    options: { chatId?: number; from?: typeof ALICE; replyTo?: number; threadId?: number } = {},
  ) {
    return this.tg.sendUserMessage({
      chatId: options.chatId ?? this.chatId,
      from: options.from ?? ALICE,
      text,
      ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
      ...(options.threadId === undefined ? {} : { threadId: options.threadId }),
    });
  }

  /** Bot messages now visible in a chat whose first line starts with `prefix`. */
  visible(prefix: string, chatId = this.chatId) {
    return this.tg.chatLog(chatId).filter((m) => m.fromBot && String(m.text ?? '').startsWith(prefix));
  }

  /** Waits until `count` bot messages starting with `prefix` are visible. */
  async waitVisible(prefix: string, count = 1, options: { chatId?: number; timeoutMs?: number } = {}) {
    await this.tg.waitFor(() => this.visible(prefix, options.chatId).length >= count, {
      timeoutMs: options.timeoutMs ?? 15_000,
      label: `${count} × "${prefix}"`,
    });
    return this.visible(prefix, options.chatId);
  }

  /** Finals (done or error) that reply to a user message. */
  finalsFor(messageId: number, chatId = this.chatId) {
    return this.tg
      .chatLog(chatId)
      .filter((m) => m.fromBot && /^(done|error) · /.test(String(m.text ?? '')))
      .filter((m) => m.replyTo === messageId);
  }

  async close(): Promise<void> {
    if (this.process) await this.kill();
    await this.tg.stop();
  }
}
