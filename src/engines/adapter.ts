import type { EngineEvent, EngineId, JsonObject } from './events.ts';

/**
 * The contract between tentacle and one agent CLI.
 *
 * An adapter is pure: it builds the process invocation for a run and translates the CLI's output
 * lines into normalized events. It spawns nothing and knows nothing of Telegram or actors; the
 * engine process actor (`src/actors/engine-process.actor.ts`) does the spawning and feeds lines in.
 */
export interface EngineAdapter {
  readonly id: EngineId;
  /** Binary looked up on PATH. */
  readonly binary: string;
  /** Shown when the binary is missing, e.g. `npm install -g @openai/codex`. */
  readonly installHint: string;
  /** True when the engine honours a reasoning override (only codex today). */
  readonly supportsReasoning: boolean;
  readonly resume: ResumeCodec;
  /** The exact process to start for this request. */
  buildInvocation(request: RunRequest): Invocation;
  /** A fresh translator holding the per-run state (one per process). */
  createTranslator(request: RunRequest): EngineTranslator;
}

/** What the bridge asks an engine to do. */
export interface RunRequest {
  prompt: string;
  /** Session token to continue, or undefined for a new session. */
  resume?: string | undefined;
  /** `/model` override (wins over the engine's config table). */
  model?: string | undefined;
  /** `/reasoning` override; engines that do not support it emit a warning action instead. */
  reasoning?: string | undefined;
  /** Working directory of the run (project checkout, worktree, or the bridge's cwd). */
  cwd: string;
  /** The engine's own config table (`[codex]`, `[claude]`, …) from tentacle.toml, already validated. */
  config?: JsonObject | undefined;
}

export interface Invocation {
  /** Binary name (resolved on PATH by the spawner). */
  command: string;
  args: string[];
  cwd: string;
  /** Variables to set on top of the bridge's environment. */
  env: Record<string, string>;
  /** Variables to remove from the inherited environment (e.g. claude's ANTHROPIC_API_KEY). */
  unsetEnv: string[];
  /** Written to stdin, which is then closed. When undefined stdin is closed at once (never left open). */
  stdin?: string | undefined;
}

/** How the process ended, as the engine process actor saw it. */
export interface ProcessExit {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: string | null;
  /** The last stderr lines (at most ~20), for error messages. */
  stderrTail: string[];
}

/**
 * Stateful per-run translation of stdout lines into events.
 *
 * `translateLine` receives each stdout line (without its newline, possibly with `\r` or spaces;
 * a last line without a trailing newline is still delivered). It never throws: a malformed or
 * unexpected line becomes a warning action. `finish` is called once after the process exited and
 * applies the engine's end-of-stream and exit-code rules; it returns the synthetic `completed`
 * when the stream did not produce one.
 */
export interface EngineTranslator {
  translateLine(line: string): EngineEvent[];
  finish(exit: ProcessExit): EngineEvent[];
}

/**
 * The engine's resume-line codec. The canonical line is the engine's own interactive CLI command,
 * e.g. `codex resume <id>`, `claude --resume <id>`, `opencode --session <id>`, `pi --session <token>`.
 */
export interface ResumeCodec {
  /** The resume line for a token, wrapped in backticks: `` `codex resume 019b…` ``. */
  format(token: string): string;
  /** The last resume token of this engine found anywhere in `text`, or undefined unless confident. */
  extract(text: string): string | undefined;
  /** Whether one line (backticks allowed) is a resume line of this engine. */
  isResumeLine(line: string): boolean;
}
