import type {
  EngineAdapter,
  EngineTranslator,
  Invocation,
  ProcessExit,
  ResumeCodec,
  RunRequest,
} from './adapter.ts';
import type {
  ActionEvent,
  ActionKind,
  ActionLevel,
  ActionPhase,
  CompletedEvent,
  EngineEvent,
  Json,
  JsonObject,
  StartedEvent,
} from './events.ts';
import { asObject, stringField } from './json-fields.ts';
import { createJsonlTranslator, failedCompletion, type TranslateContext } from './jsonl-translator.ts';
import { unwrapShellInvocation } from './shell-quote.ts';
import { relativizeCommand, relativizePath } from './tool-actions.ts';

/**
 * The codex adapter: `codex exec --json`, prompt on stdin, one JSON event per stdout line.
 *
 * codex reports `thread.started` (the session token), `turn.*` and `item.*` events; every item
 * has an id that is stable across its started/updated/completed phases, which becomes the action id.
 */

const ENGINE = 'codex';

/** `extra_args` when `[codex]` does not set it: turn off codex's notify hook, which would fire per run. */
export const CODEX_DEFAULT_EXTRA_ARGS: readonly string[] = ['-c', 'notify=[]'];

/** `exec` flags tentacle sets itself; passing them again would change the output it parses. */
const MANAGED_FLAGS = new Set([
  '--skip-git-repo-check',
  '--json',
  '--output-schema',
  '--output-last-message',
  '--color',
  '-o',
]);
const MANAGED_FLAG_PREFIXES = ['--output-schema=', '--output-last-message=', '--color='];

/**
 * The problems in a `[codex]` config table, as messages naming the key; empty when it is usable.
 * Config loading calls this so a bad table is reported at startup rather than at the first run.
 *
 * @example
 * validateCodexConfig({ extra_args: ['--json'] });
 * // → ['codex.extra_args: "--json" is set by tentacle itself; remove it']
 * validateCodexConfig({ extra_args: ['-c', 'notify=[]'], profile: 'work' }); // → []
 */
export function validateCodexConfig(config: JsonObject | undefined): string[] {
  const problems: string[] = [];
  const extraArgs = config?.['extra_args'];
  if (extraArgs !== undefined) {
    if (!Array.isArray(extraArgs) || !extraArgs.every((a) => typeof a === 'string')) {
      problems.push('codex.extra_args: expected a list of strings');
    } else {
      for (const arg of extraArgs as string[]) {
        if (isManagedFlag(arg))
          problems.push(`codex.extra_args: "${arg}" is set by tentacle itself; remove it`);
      }
    }
  }
  const profile = config?.['profile'];
  if (profile !== undefined && (typeof profile !== 'string' || profile.trim() === '')) {
    problems.push('codex.profile: expected a non-empty string');
  }
  return problems;
}

function isManagedFlag(arg: string): boolean {
  return MANAGED_FLAGS.has(arg) || MANAGED_FLAG_PREFIXES.some((prefix) => arg.startsWith(prefix));
}

interface CodexSettings {
  extraArgs: string[];
  profile: string | undefined;
}

function readSettings(config: JsonObject | undefined): CodexSettings {
  const problems = validateCodexConfig(config);
  if (problems.length > 0) throw new Error(`invalid [codex] config: ${problems.join('; ')}`);
  const extraArgs = config?.['extra_args'];
  const profile = config?.['profile'];
  return {
    extraArgs: Array.isArray(extraArgs) ? (extraArgs as string[]) : [...CODEX_DEFAULT_EXTRA_ARGS],
    profile: typeof profile === 'string' ? profile : undefined,
  };
}

/**
 * `codex [extra_args] [-c model_reasoning_effort=L] exec --json --skip-git-repo-check --color=never
 * [--profile P] [--model M] [resume <id>] -`, with the prompt on stdin.
 *
 * `--profile` and `--model` go after `exec`: given before it, codex parses them as options of its
 * interactive UI and drops them for `exec`; only `-c` overrides reach every subcommand.
 */
function buildInvocation(request: RunRequest): Invocation {
  const { extraArgs, profile } = readSettings(request.config);
  const args = [...extraArgs];
  if (request.reasoning) args.push('-c', `model_reasoning_effort=${request.reasoning}`);
  args.push('exec', '--json', '--skip-git-repo-check', '--color=never');
  if (profile) args.push('--profile', profile);
  if (request.model) args.push('--model', request.model);
  if (request.resume) args.push('resume', request.resume);
  args.push('-');
  return { command: 'codex', args, cwd: request.cwd, env: {}, unsetEnv: [], stdin: request.prompt };
}

// One resume line per text line: optional backticks, case-insensitive, the token up to a space or backtick.
const RESUME_LINE = /^\s*`?codex\s+resume\s+([^`\s]+)`?\s*$/i;

const codexResume: ResumeCodec = {
  format: (token) => `\`codex resume ${token}\``,
  extract(text) {
    let found: string | undefined;
    for (const line of text.split(/\r?\n/)) {
      const token = RESUME_LINE.exec(line)?.[1];
      // A token that looks like a flag (`codex resume --last`) is not a session id.
      if (token && !token.startsWith('-')) found = token;
    }
    return found;
  },
  isResumeLine: (line) => RESUME_LINE.test(line),
};

interface AgentMessage {
  text: string;
  phase: string | undefined;
}

interface CodexState {
  /** A `thread.started` was seen in this stream. */
  threadSeen: boolean;
  /** Number of `turn.started` seen; the next turn action is `turn_<turns>`. */
  turns: number;
  /** Completed agent messages of the current turn, for choosing the final answer. */
  messages: AgentMessage[];
}

type Ctx = TranslateContext<CodexState>;

// codex's own retry notice, e.g. `Reconnecting... 2/5 (unexpected status 401 Unauthorized: …)`.
const RECONNECT = /^reconnecting\.{3}\s*(\d+)\s*\/\s*(\d+)/i;

function createTranslator(request: RunRequest): EngineTranslator {
  const title = readSettings(request.config).profile ?? 'Codex';
  const cwd = request.cwd;
  return createJsonlTranslator<CodexState>(
    {
      engine: ENGINE,
      initialState: () => ({ threadSeen: false, turns: 0, messages: [] }),
      translate: (json, ctx) => translateEvent(json, ctx, { title, cwd }),
      finish: (exit, ctx) => finishRun(exit, ctx),
    },
    request.resume,
  );
}

function translateEvent(json: JsonObject, ctx: Ctx, run: { title: string; cwd: string }): EngineEvent[] {
  const state = ctx.state;
  switch (json['type']) {
    case 'thread.started': {
      const threadId = json['thread_id'];
      if (typeof threadId !== 'string' || threadId === '')
        throw new Error('thread.started without thread_id');
      state.threadSeen = true;
      const started: StartedEvent = {
        type: 'started',
        engine: ENGINE,
        resume: { engine: ENGINE, value: threadId },
        title: run.title,
        meta: null,
      };
      return [started];
    }
    case 'turn.started': {
      state.messages = [];
      const id = `turn_${state.turns++}`;
      return [action(id, 'turn', 'turn started', {}, 'started')];
    }
    case 'turn.completed':
      return [
        completion(ctx, { ok: true, answer: selectAnswer(state.messages), usage: readUsage(json['usage']) }),
      ];
    case 'turn.failed': {
      const error = asObject(json['error']);
      const message = stringField(error, 'message') || 'codex turn failed';
      return [completion(ctx, { ok: false, answer: selectAnswer(state.messages), error: message })];
    }
    case 'error':
      return [streamError(stringField(json, 'message'), ctx)];
    case 'item.started':
    case 'item.updated':
    case 'item.completed': {
      const item = asObject(json['item']);
      if (!item) throw new Error(`${json['type']} without item`);
      const phase = (json['type'] as string).slice('item.'.length) as ActionPhase;
      return translateItem(item, phase, ctx, run.cwd);
    }
    default:
      // Top-level event types this adapter does not know carry nothing to show.
      return [];
  }
}

/** A top-level `error`: codex's retry notice updates one note in place; anything else is a warning. */
function streamError(message: string, ctx: Ctx): ActionEvent {
  const reconnect = RECONNECT.exec(message);
  if (reconnect) {
    const attempt = Number(reconnect[1]);
    const max = Number(reconnect[2]);
    return action(
      'codex.reconnect',
      'note',
      message,
      { attempt, max },
      attempt <= 1 ? 'started' : 'updated',
      {
        level: 'info',
      },
    );
  }
  return ctx.note(message || 'codex stream error');
}

function translateItem(item: JsonObject, phase: ActionPhase, ctx: Ctx, cwd: string): EngineEvent[] {
  const itemId = stringField(item, 'id');
  const completed = phase === 'completed';
  if (item['type'] === 'error') {
    // A non-fatal problem codex reports as an item, e.g. unknown model metadata (that one has no id).
    if (!completed) return [];
    const message = stringField(item, 'message') || 'codex error';
    if (!itemId) return [ctx.note(message, { message })];
    return [action(itemId, 'warning', message, { message }, phase, { ok: false, message, level: 'warning' })];
  }
  // Items without an id cannot be tracked across phases; each event then gets a run-unique id.
  const id = itemId || `codex.item.${ctx.nextNoteNumber()}`;

  switch (item['type']) {
    case 'agent_message': {
      const text = stringField(item, 'text');
      const messagePhase = stringField(item, 'phase') || undefined;
      if (completed) ctx.state.messages.push({ text, phase: messagePhase });
      if (messagePhase !== 'commentary' || text === '') return [];
      return [action(id, 'note', text, { phase: 'commentary' }, phase, { ok: completed ? true : null })];
    }
    case 'reasoning': {
      const text = stringField(item, 'text');
      if (text === '') return [];
      return [action(id, 'note', text, {}, phase, { ok: completed ? true : null })];
    }
    case 'command_execution': {
      const command = stringField(item, 'command');
      const title = relativizeCommand(unwrapShellInvocation(command) ?? command, cwd) || 'command';
      if (!completed) return [action(id, 'command', title, {}, phase)];
      const exitCode = item['exit_code'];
      const status = item['status'] ?? null;
      const ok = status === 'completed' && (typeof exitCode !== 'number' || exitCode === 0);
      return [action(id, 'command', title, { exit_code: exitCode ?? null, status }, phase, { ok })];
    }
    case 'file_change': {
      // codex reports a file change once it is applied; earlier phases carry nothing useful.
      if (!completed) return [];
      const changes = (Array.isArray(item['changes']) ? item['changes'] : []).map((change) => {
        const c = asObject(change);
        return { path: stringField(c, 'path'), kind: stringField(c, 'kind') };
      });
      const paths = changes.map((c) => c.path).filter((p) => p !== '');
      const title =
        paths.length > 0
          ? paths.map((p) => relativizePath(p, cwd)).join(', ')
          : changes.length > 0
            ? `${changes.length} files`
            : 'files';
      const status = item['status'] ?? null;
      const detail = { changes, status, error: null };
      return [action(id, 'file_change', title, detail, phase, { ok: status === 'completed' })];
    }
    case 'mcp_tool_call': {
      const server = stringField(item, 'server');
      const tool = stringField(item, 'tool');
      const title = [server, tool].filter((part) => part !== '').join('.') || 'tool';
      const status = item['status'] ?? null;
      const detail: JsonObject = {
        server: item['server'] ?? null,
        tool: item['tool'] ?? null,
        status,
        arguments: item['arguments'] ?? null,
      };
      if (!completed) return [action(id, 'tool', title, detail, phase)];
      const error = asObject(item['error']);
      if (error) detail['error_message'] = stringField(error, 'message');
      const result = asObject(item['result']);
      if (result) {
        const content = result['content'];
        detail['result_summary'] = {
          content_blocks: Array.isArray(content) ? content.length : 0,
          has_structured: result['structured_content'] != null,
        };
      }
      const ok = status === 'completed' && item['error'] == null;
      return [action(id, 'tool', title, detail, phase, { ok })];
    }
    case 'web_search': {
      const query = stringField(item, 'query');
      return [action(id, 'web_search', query || 'search', { query }, phase, { ok: completed ? true : null })];
    }
    case 'todo_list': {
      const items = (Array.isArray(item['items']) ? item['items'] : []).map((entry) => asObject(entry));
      const total = items.length;
      const done = items.filter((entry) => entry?.['completed'] === true).length;
      const next = items.find((entry) => entry?.['completed'] !== true);
      const title =
        total === 0 ? 'todo' : `todo ${done}/${total}: ${next ? stringField(next, 'text') : 'done'}`;
      return [action(id, 'note', title, { done, total }, phase, { ok: completed ? true : null })];
    }
    default:
      // collab_tool_call and item types this adapter does not know: nothing to show.
      return [];
  }
}

/**
 * The final answer of a turn: the last `final_answer` message, else the last message without a
 * phase. Commentary is progress, never the answer.
 */
function selectAnswer(messages: AgentMessage[]): string {
  const finalAnswer = messages.findLast((m) => m.phase === 'final_answer');
  if (finalAnswer) return finalAnswer.text;
  return messages.findLast((m) => m.phase === undefined)?.text ?? '';
}

/**
 * End-of-stream rules: a non-zero exit fails the run but keeps the partial answer; a clean exit
 * without `turn.completed` is a success once codex announced its thread.
 */
function finishRun(exit: ProcessExit, ctx: Ctx): EngineEvent[] {
  const answer = selectAnswer(ctx.state.messages);
  if (exit.code !== 0) {
    const reason =
      exit.code === null
        ? `codex exec failed (signal ${exit.signal ?? 'unknown'}).`
        : `codex exec failed (rc=${exit.code}).`;
    return [
      ctx.note(reason),
      failedCompletion(ENGINE, reason, { answer, resume: ctx.resume, stderrTail: exit.stderrTail }),
    ];
  }
  if (!ctx.state.threadSeen) {
    return [
      failedCompletion(ENGINE, 'codex exec finished but no session_id/thread_id was captured', {
        answer,
        resume: ctx.resume,
        stderrTail: exit.stderrTail,
      }),
    ];
  }
  return [completion(ctx, { ok: true, answer })];
}

function completion(
  ctx: Ctx,
  fields: { ok: boolean; answer: string; error?: string; usage?: JsonObject | null },
): CompletedEvent {
  return {
    type: 'completed',
    engine: ENGINE,
    ok: fields.ok,
    answer: fields.answer,
    resume: ctx.resume,
    error: fields.error ?? null,
    usage: fields.usage ?? null,
  };
}

/** The token counts of `turn.completed`; codex adds counters over time, all numbers are kept. */
function readUsage(value: Json | undefined): JsonObject | null {
  const usage = asObject(value);
  if (!usage) return null;
  const counts: JsonObject = {};
  for (const [key, count] of Object.entries(usage)) if (typeof count === 'number') counts[key] = count;
  return Object.keys(counts).length > 0 ? counts : null;
}

function action(
  id: string,
  kind: ActionKind,
  title: string,
  detail: JsonObject,
  phase: ActionPhase,
  extra: { ok?: boolean | null; message?: string | null; level?: ActionLevel | null } = {},
): ActionEvent {
  return {
    type: 'action',
    engine: ENGINE,
    action: { id, kind, title, detail },
    phase,
    ok: extra.ok ?? null,
    message: extra.message ?? null,
    level: extra.level ?? null,
  };
}

/**
 * Drives the `codex` CLI (`npm install -g @openai/codex`).
 *
 * @example
 * codexAdapter.buildInvocation({ prompt: 'fix the tests', cwd: '/repo', resume: '0199a213-…' }).args;
 * // → ['-c', 'notify=[]', 'exec', '--json', '--skip-git-repo-check', '--color=never', 'resume', '0199a213-…', '-']
 */
export const codexAdapter: EngineAdapter = {
  id: ENGINE,
  binary: 'codex',
  installHint: 'npm install -g @openai/codex',
  supportsReasoning: true,
  resume: codexResume,
  buildInvocation,
  createTranslator,
};
