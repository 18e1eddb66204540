import type {
  EngineAdapter,
  EngineTranslator,
  Invocation,
  ProcessExit,
  ResumeCodec,
  RunRequest,
} from './adapter.ts';
import type {
  Action,
  ActionEvent,
  ActionPhase,
  CompletedEvent,
  EngineEvent,
  Json,
  JsonObject,
  StartedEvent,
} from './events.ts';
import { asObject } from './json-fields.ts';
import { createJsonlTranslator, failedCompletion, type TranslateContext } from './jsonl-translator.ts';
import { describeExit, reasoningPrelude, withPrelude } from './run-prelude.ts';
import { toolInputPath, toolKindAndTitle } from './tool-actions.ts';

/**
 * The claude adapter: `claude -p --output-format stream-json --verbose`, prompt as the last
 * argument, one JSON message per stdout line.
 *
 * claude reports `system/init` (the session id), `assistant` and `user` messages whose content
 * blocks carry tool calls, tool results, thinking and text, and one `result` that ends the run.
 */

const ENGINE = 'claude';

/** `allowed_tools` when `[claude]` does not set the key at all. */
export const CLAUDE_DEFAULT_ALLOWED_TOOLS: readonly string[] = ['Bash', 'Read', 'Edit', 'Write'];

/** Claude Code tool inputs name the file `file_path` (Edit, Write, Read) or `path` (LS, Grep). */
const PATH_KEYS = ['file_path', 'path'];

/** Longest `result_preview` kept in a tool result's detail; `result_len` still tells the full size. */
const RESULT_PREVIEW_LIMIT = 2000;

interface ClaudeSettings {
  model: string | undefined;
  /** Empty when the flag must be left out. */
  allowedTools: string[];
  skipPermissions: boolean;
  useApiBilling: boolean;
}

function readSettings(config: JsonObject | undefined): ClaudeSettings {
  const model = config?.['model'];
  const allowed = config?.['allowed_tools'];
  let allowedTools: string[];
  if (allowed === undefined) allowedTools = [...CLAUDE_DEFAULT_ALLOWED_TOOLS];
  else if (Array.isArray(allowed)) allowedTools = allowed.filter((t): t is string => typeof t === 'string');
  else allowedTools = [];
  return {
    model: typeof model === 'string' && model !== '' ? model : undefined,
    allowedTools,
    skipPermissions: config?.['dangerously_skip_permissions'] === true,
    useApiBilling: config?.['use_api_billing'] === true,
  };
}

/**
 * `claude -p --output-format stream-json --verbose [--resume id] [--model M] [--allowedTools a,b]
 * [--dangerously-skip-permissions] -- <prompt>`.
 *
 * The prompt follows `--` so a prompt starting with `-` is not read as a flag. Unless
 * `use_api_billing` is set, `ANTHROPIC_API_KEY` is removed so claude uses the subscription login
 * instead of billing the API key the bridge may have in its environment.
 */
function buildInvocation(request: RunRequest): Invocation {
  const settings = readSettings(request.config);
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  if (request.resume) args.push('--resume', request.resume);
  const model = request.model || settings.model;
  if (model) args.push('--model', model);
  if (settings.allowedTools.length > 0) args.push('--allowedTools', settings.allowedTools.join(','));
  if (settings.skipPermissions) args.push('--dangerously-skip-permissions');
  args.push('--', request.prompt);
  return {
    command: 'claude',
    args,
    cwd: request.cwd,
    env: {},
    unsetEnv: settings.useApiBilling ? [] : ['ANTHROPIC_API_KEY'],
  };
}

// One resume line per text line: optional backticks, `--resume` or `-r`, case-insensitive.
const RESUME_LINE = /^\s*`?claude\s+(?:--resume|-r)\s+([^`\s]+)`?\s*$/i;

const claudeResume: ResumeCodec = {
  format: (token) => `\`claude --resume ${token}\``,
  extract(text) {
    let found: string | undefined;
    for (const line of text.split(/\r?\n/)) {
      const token = RESUME_LINE.exec(line)?.[1];
      if (token && !token.startsWith('-')) found = token;
    }
    return found;
  },
  isResumeLine: (line) => RESUME_LINE.test(line),
};

interface ClaudeState {
  /** Tool calls seen in `assistant` messages and not yet answered by a `tool_result`. */
  pending: Map<string, Action>;
  /** The last non-empty text block of an assistant message: the answer when `result` has none. */
  lastText: string;
  /** The number of the current `system/api_retry` sequence, for the retry note's id. */
  retrySequence: number;
  retrying: boolean;
}

type Ctx = TranslateContext<ClaudeState>;

interface RunInfo {
  cwd: string;
  title: string;
  requestedResume: string | undefined;
}

function createTranslator(request: RunRequest): EngineTranslator {
  const settings = readSettings(request.config);
  const run: RunInfo = {
    cwd: request.cwd,
    title: request.model || settings.model || 'claude',
    requestedResume: request.resume || undefined,
  };
  const translator = createJsonlTranslator<ClaudeState>(
    {
      engine: ENGINE,
      initialState: () => ({ pending: new Map(), lastText: '', retrySequence: 0, retrying: false }),
      translate: (json, ctx) => translateMessage(json, ctx, run),
      finish: (exit, ctx) => finishRun(exit, ctx),
    },
    run.requestedResume,
  );
  return withPrelude(translator, reasoningPrelude(ENGINE, request));
}

function translateMessage(json: JsonObject, ctx: Ctx, run: RunInfo): EngineEvent[] {
  switch (json['type']) {
    case 'system':
      return translateSystem(json, ctx, run);
    case 'assistant':
      return translateAssistant(json, ctx, run);
    case 'user':
      return translateUser(json, ctx);
    case 'result':
      return [translateResult(json, ctx)];
    default:
      // stream_event, control_*, rate-limit notices and future message types carry nothing to show.
      return [];
  }
}

function translateSystem(json: JsonObject, ctx: Ctx, run: RunInfo): EngineEvent[] {
  const subtype = json['subtype'];
  if (subtype === 'init') {
    const sessionId = json['session_id'];
    if (typeof sessionId !== 'string' || sessionId === '') return [];
    const meta: JsonObject = {};
    for (const key of ['cwd', 'tools', 'permissionMode', 'output_style', 'apiKeySource', 'mcp_servers']) {
      const value = json[key];
      if (value !== undefined && value !== null) meta[key] = value;
    }
    const model = json['model'];
    const started: StartedEvent = {
      type: 'started',
      engine: ENGINE,
      resume: { engine: ENGINE, value: sessionId },
      title: typeof model === 'string' && model !== '' ? model : run.title,
      meta: Object.keys(meta).length > 0 ? meta : null,
    };
    const out: EngineEvent[] = [];
    // claude starts a fresh session when it cannot find the one asked for (e.g. another cwd).
    if (
      run.requestedResume &&
      sessionId !== run.requestedResume &&
      ctx.resume?.value === run.requestedResume
    ) {
      out.push(ctx.note(`claude started session ${sessionId} instead of resuming ${run.requestedResume}`));
    }
    out.push(started);
    return out;
  }
  if (subtype === 'api_retry') return [apiRetry(json, ctx)];
  return [];
}

/**
 * claude retries a failing API call itself (`system/api_retry`, up to `max_retries`); one note per
 * sequence of retries, updated in place, says why the run is waiting.
 */
function apiRetry(json: JsonObject, ctx: Ctx): ActionEvent {
  const attempt = typeof json['attempt'] === 'number' ? json['attempt'] : undefined;
  const max = typeof json['max_retries'] === 'number' ? json['max_retries'] : undefined;
  const status = json['error_status'];
  const error = typeof json['error'] === 'string' ? json['error'] : '';
  const phase: ActionPhase = ctx.state.retrying ? 'updated' : 'started';
  if (!ctx.state.retrying) {
    ctx.state.retrying = true;
    ctx.state.retrySequence += 1;
  }
  const reason = [typeof status === 'number' ? String(status) : '', error].filter(Boolean).join(' ');
  const count = attempt !== undefined ? ` ${attempt}${max !== undefined ? `/${max}` : ''}` : '';
  const title = `API error${reason ? ` (${reason})` : ''}; retry${count}`;
  const detail: JsonObject = {};
  for (const key of ['attempt', 'max_retries', 'retry_delay_ms', 'error_status', 'error']) {
    const value = json[key];
    if (value !== undefined) detail[key] = value;
  }
  return actionEvent(
    { id: `claude.api_retry.${ctx.state.retrySequence}`, kind: 'note', title, detail },
    phase,
    { level: 'info' },
  );
}

function translateAssistant(json: JsonObject, ctx: Ctx, run: RunInfo): EngineEvent[] {
  const blocks = asObject(json['message'])?.['content'];
  if (!Array.isArray(blocks)) return [];
  // A model answer means any API retry sequence before it is over.
  ctx.state.retrying = false;
  const parent = typeof json['parent_tool_use_id'] === 'string' ? json['parent_tool_use_id'] : undefined;
  const out: EngineEvent[] = [];
  for (const raw of blocks) {
    const block = asObject(raw);
    if (!block) continue;
    switch (block['type']) {
      case 'tool_use': {
        const action = toolUseAction(block, parent, run.cwd);
        if (!action) break;
        ctx.state.pending.set(action.id, action);
        out.push(actionEvent(action, 'started'));
        break;
      }
      case 'thinking': {
        const thinking = block['thinking'];
        if (typeof thinking !== 'string' || thinking === '') break;
        const detail: JsonObject = {};
        if (parent) detail['parent_tool_use_id'] = parent;
        if (typeof block['signature'] === 'string') detail['signature'] = block['signature'];
        const id = `claude.thinking.${ctx.nextNoteNumber()}`;
        out.push(actionEvent({ id, kind: 'note', title: thinking, detail }, 'completed', { ok: true }));
        break;
      }
      case 'text': {
        const text = block['text'];
        if (typeof text === 'string' && text !== '') ctx.state.lastText = text;
        break;
      }
      default:
        // redacted_thinking, server_tool_use, images and future block types are not shown.
        break;
    }
  }
  return out;
}

function toolUseAction(block: JsonObject, parent: string | undefined, cwd: string): Action | undefined {
  const id = block['id'];
  if (typeof id !== 'string' || id === '') return undefined;
  const name = typeof block['name'] === 'string' && block['name'] !== '' ? block['name'] : 'tool';
  const input = asObject(block['input']) ?? {};
  const { kind, title } = toolKindAndTitle(name, input, { cwd, pathKeys: PATH_KEYS });
  const detail: JsonObject = { name, input };
  if (parent) detail['parent_tool_use_id'] = parent;
  if (kind === 'file_change') {
    const path = toolInputPath(input, PATH_KEYS);
    if (path) detail['changes'] = [{ path, kind: 'update' }];
  }
  return { id, kind, title, detail };
}

function translateUser(json: JsonObject, ctx: Ctx): EngineEvent[] {
  const blocks = asObject(json['message'])?.['content'];
  // A string content is the prompt echoed back; only block lists carry tool results.
  if (!Array.isArray(blocks)) return [];
  const out: EngineEvent[] = [];
  for (const raw of blocks) {
    const block = asObject(raw);
    if (block?.['type'] !== 'tool_result') continue;
    const toolUseId = block['tool_use_id'];
    if (typeof toolUseId !== 'string' || toolUseId === '') continue;
    const pending = ctx.state.pending.get(toolUseId);
    ctx.state.pending.delete(toolUseId);
    const action = pending ?? { id: toolUseId, kind: 'tool', title: 'tool result', detail: {} };
    const isError = block['is_error'] === true;
    const text = toolResultText(block['content']);
    const detail: JsonObject = {
      ...action.detail,
      tool_use_id: toolUseId,
      result_preview: clip(text, RESULT_PREVIEW_LIMIT),
      result_len: Array.from(text).length,
      is_error: isError,
    };
    out.push(actionEvent({ ...action, detail }, 'completed', { ok: !isError }));
  }
  return out;
}

/** A tool result as text: a string as it is, a block list as its text blocks joined by newlines. */
function toolResultText(content: Json | undefined): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const item of content) {
      if (typeof item === 'string') parts.push(item);
      else {
        const text = asObject(item)?.['text'];
        if (typeof text === 'string') parts.push(text);
      }
    }
    return parts.filter((p) => p !== '').join('\n');
  }
  return JSON.stringify(content);
}

/**
 * The `result` message ends the run. `is_error` decides success, not `subtype`: claude 2.x reports
 * an API failure (e.g. HTTP 401) as `subtype: "success"` with `is_error: true`.
 */
function translateResult(json: JsonObject, ctx: Ctx): CompletedEvent {
  const ok = json['is_error'] !== true;
  const result = typeof json['result'] === 'string' ? json['result'] : '';
  const subtype = typeof json['subtype'] === 'string' && json['subtype'] !== '' ? json['subtype'] : '';
  let answer = result;
  let error: string | null = null;
  if (ok) {
    if (answer === '') answer = ctx.state.lastText;
  } else {
    error = result || (subtype ? `claude run failed (${subtype})` : 'claude run failed');
    // On failure claude puts its error message in `result`; showing it as the answer too would repeat it.
    if (answer === error) answer = '';
  }
  const sessionId = json['session_id'];
  const resume =
    ctx.resume ??
    (typeof sessionId === 'string' && sessionId !== '' ? { engine: ENGINE, value: sessionId } : null);
  return { type: 'completed', engine: ENGINE, ok, answer, resume, error, usage: resultUsage(json) };
}

function resultUsage(json: JsonObject): JsonObject | null {
  const usage: JsonObject = {};
  for (const key of ['total_cost_usd', 'duration_ms', 'duration_api_ms', 'num_turns', 'usage']) {
    const value = json[key];
    if (value !== undefined && value !== null) usage[key] = value;
  }
  return Object.keys(usage).length > 0 ? usage : null;
}

/**
 * No `result` line: a non-zero exit fails without the partial answer (claude never finished its
 * turn); a clean exit fails too, since claude always ends a completed turn with `result`.
 */
function finishRun(exit: ProcessExit, ctx: Ctx): EngineEvent[] {
  const stderrTail = exit.stderrTail;
  if (exit.code !== 0) {
    const message = `claude failed (${describeExit(exit)}).`;
    return [ctx.note(message), failedCompletion(ENGINE, message, { resume: ctx.resume, stderrTail })];
  }
  if (!ctx.resume) {
    return [failedCompletion(ENGINE, 'claude finished but no session_id was captured', { stderrTail })];
  }
  return [
    failedCompletion(ENGINE, 'claude finished without a result event', {
      answer: ctx.state.lastText,
      resume: ctx.resume,
      stderrTail,
    }),
  ];
}

function actionEvent(
  action: Action,
  phase: ActionPhase,
  extra: Pick<ActionEvent, 'ok' | 'message' | 'level'> = {},
): ActionEvent {
  return {
    type: 'action',
    engine: ENGINE,
    action,
    phase,
    ok: extra.ok ?? null,
    message: extra.message ?? null,
    level: extra.level ?? null,
  };
}

function clip(text: string, limit: number): string {
  const chars = Array.from(text);
  return chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : text;
}

/**
 * Claude Code (`npm install -g @anthropic-ai/claude-code`).
 *
 * @example
 * const invocation = claudeAdapter.buildInvocation({ prompt: 'fix the test', cwd: '/repo' });
 * // invocation.args → ['-p', '--output-format', 'stream-json', '--verbose',
 * //   '--allowedTools', 'Bash,Read,Edit,Write', '--', 'fix the test']
 */
export const claudeAdapter: EngineAdapter = {
  id: ENGINE,
  binary: 'claude',
  installHint: 'npm install -g @anthropic-ai/claude-code',
  supportsReasoning: false,
  resume: claudeResume,
  buildInvocation,
  createTranslator,
};
