import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
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
  ResumeToken,
  StartedEvent,
} from './events.ts';
import { asObject } from './json-fields.ts';
import { createJsonlTranslator, failedCompletion, type TranslateContext } from './jsonl-translator.ts';
import { describeExit, reasoningPrelude, withPrelude } from './run-prelude.ts';
import { toolInputPath, toolKindAndTitle } from './tool-actions.ts';

/**
 * The pi adapter: `pi --print --mode json`, prompt as the last argument, one JSON event per
 * stdout line.
 *
 * Session tokens. A new run is given a fresh session file path (`--session <path>`; pi creates the
 * file and its folder), so the run has a token before pi prints anything. pi's first line is a
 * `session` header with the session id; the token then becomes that full id, which is what pi's
 * own `--session` expects and what a person types. Not the 8-character prefix: pi's ids are
 * UUIDv7, whose first 8 hex digits are a timestamp shared by every session created in the same
 * ~65 s, so a prefix can resume the wrong session. An id is looked up among the sessions of the
 * current directory (from another directory pi asks on stderr whether to fork and exits 0 with
 * nothing on stdout), so a resumed run must use the session's original cwd; a path token, given
 * by a user or kept from a stream without header, works from any directory.
 */

const ENGINE = 'pi';

/** pi's tools name their file argument `path`. */
const PATH_KEYS = ['path'];

interface PiSettings {
  model: string | undefined;
  provider: string | undefined;
  extraArgs: string[];
}

function readSettings(config: JsonObject | undefined): PiSettings {
  const model = config?.['model'];
  const provider = config?.['provider'];
  const extraArgs = config?.['extra_args'];
  return {
    model: typeof model === 'string' && model !== '' ? model : undefined,
    provider: typeof provider === 'string' && provider !== '' ? provider : undefined,
    extraArgs: Array.isArray(extraArgs) ? extraArgs.filter((a): a is string => typeof a === 'string') : [],
  };
}

/**
 * A fresh session file path where pi keeps a directory's sessions:
 * `<agent dir>/sessions/--<cwd with / \ : as ->--/<timestamp>_<id>.jsonl`, the agent dir being
 * `$PI_CODING_AGENT_DIR` or `~/.pi/agent`.
 *
 * @example
 * newPiSessionPath({ cwd: '/home/dev/project', agentDir: '/home/dev/.pi/agent',
 *   now: new Date('2026-11-26T13:21:53.172Z'), id: 'f00d' });
 * // → '/home/dev/.pi/agent/sessions/--home-dev-project--/2026-11-26T13-21-53-172Z_f00d.jsonl'
 */
export function newPiSessionPath(options: {
  cwd: string;
  agentDir?: string | undefined;
  now?: Date | undefined;
  id?: string | undefined;
}): string {
  const agentDir = options.agentDir ?? defaultAgentDir();
  const folder = `--${options.cwd.replace(/^[/\\]+/, '').replace(/[/\\:]/g, '-')}--`;
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const id = options.id ?? randomUUID().replaceAll('-', '');
  return path.join(agentDir, 'sessions', folder, `${stamp}_${id}.jsonl`);
}

function defaultAgentDir(): string {
  const fromEnv = process.env['PI_CODING_AGENT_DIR'];
  if (fromEnv) return fromEnv.startsWith('~') ? path.join(homedir(), fromEnv.slice(1)) : fromEnv;
  return path.join(homedir(), '.pi', 'agent');
}

// The invocation and the translator of one run must agree on the new session path.
const newSessionPaths = new WeakMap<RunRequest, string>();

/** The session token a run starts with: the one it resumes, or a new session path. */
function initialToken(request: RunRequest): string {
  if (request.resume) return request.resume;
  let token = newSessionPaths.get(request);
  if (token === undefined) {
    token = newPiSessionPath({ cwd: request.cwd });
    newSessionPaths.set(request, token);
  }
  return token;
}

/**
 * `pi [extra_args] --print --mode json [--provider P] [--model M] --session <token> <prompt>`.
 *
 * pi has no `--` separator, so a prompt starting with `-` gets a leading space to stay a prompt.
 * `NO_COLOR` and `CI` keep pi's output plain unless the bridge's environment already decides them.
 */
function buildInvocation(request: RunRequest): Invocation {
  const settings = readSettings(request.config);
  const args = [...settings.extraArgs, '--print', '--mode', 'json'];
  if (settings.provider) args.push('--provider', settings.provider);
  const model = request.model || settings.model;
  if (model) args.push('--model', model);
  args.push('--session', initialToken(request));
  args.push(request.prompt.startsWith('-') ? ` ${request.prompt}` : request.prompt);
  const env: Record<string, string> = {};
  if (process.env['NO_COLOR'] === undefined) env['NO_COLOR'] = '1';
  if (process.env['CI'] === undefined) env['CI'] = '1';
  return { command: 'pi', args, cwd: request.cwd, env, unsetEnv: [] };
}

// The token runs to the end of the line (paths may hold spaces), minus a closing backtick.
const RESUME_LINE = /^\s*`?pi\s+--session\s+(.+?)`?\s*$/i;

/** A token wrapped in double quotes, inner quotes escaped, when it holds whitespace or a quote. */
function quoteToken(token: string): string {
  if (!/[\s"]/.test(token)) return token;
  return `"${token.replaceAll('"', '\\"')}"`;
}

function unquoteToken(raw: string): string {
  const token = raw.trim();
  if (token.length >= 2 && token[0] === token.at(-1) && (token[0] === '"' || token[0] === "'")) {
    const inner = token.slice(1, -1);
    return token[0] === '"' ? inner.replaceAll('\\"', '"') : inner;
  }
  return token;
}

const piResume: ResumeCodec = {
  format: (token) => `\`pi --session ${quoteToken(token)}\``,
  extract(text) {
    let found: string | undefined;
    for (const line of text.split(/\r?\n/)) {
      const raw = RESUME_LINE.exec(line)?.[1];
      if (raw === undefined) continue;
      const token = unquoteToken(raw);
      if (token !== '' && !token.startsWith('-')) found = token;
    }
    return found;
  },
  isResumeLine: (line) => RESUME_LINE.test(line),
};

interface PiState {
  /** The run's session token; replaced by the header's id on a new run. */
  token: string;
  /** A new run's token may still become the header's session id. */
  mayPromote: boolean;
  started: boolean;
  pending: Map<string, Action>;
  lastText: string;
  lastUsage: JsonObject | null;
  /** The error of the current agent attempt (`stopReason` error/aborted), if any. */
  lastError: string | null;
  /** A failed `agent_end`, held back while pi may still retry or compact and run again. */
  heldEnd: CompletedEvent | null;
  retrySequence: number;
  retrying: boolean;
  compactions: number;
}

type Ctx = TranslateContext<PiState>;

interface RunInfo {
  cwd: string;
  meta: JsonObject;
}

function createTranslator(request: RunRequest): EngineTranslator {
  const settings = readSettings(request.config);
  const meta: JsonObject = { cwd: request.cwd };
  const model = request.model || settings.model;
  if (model) meta['model'] = model;
  if (settings.provider) meta['provider'] = settings.provider;
  const run: RunInfo = { cwd: request.cwd, meta };
  const token = initialToken(request);
  const translator = createJsonlTranslator<PiState>(
    {
      engine: ENGINE,
      initialState: () => ({
        token,
        mayPromote: !request.resume,
        started: false,
        pending: new Map(),
        lastText: '',
        lastUsage: null,
        lastError: null,
        heldEnd: null,
        retrySequence: 0,
        retrying: false,
        compactions: 0,
      }),
      translate: (json, ctx) => translateEvent(json, ctx, run),
      finish: (exit, ctx) => finishRun(exit, ctx),
    },
    request.resume,
  );
  return withPrelude(translator, reasoningPrelude(ENGINE, request));
}

function translateEvent(json: JsonObject, ctx: Ctx, run: RunInfo): EngineEvent[] {
  const state = ctx.state;
  const type = json['type'];
  const out: EngineEvent[] = [];

  if (type === 'session') {
    const id = json['id'];
    if (state.mayPromote && !state.started && typeof id === 'string' && id !== '') state.token = id;
    state.mayPromote = false;
    if (!state.started) out.push(started(state, run));
    return out;
  }
  // Without a header (pi before 0.45.1) the run starts at its first line with the token it has.
  if (!state.started) out.push(started(state, run));

  // pi tries again after a failed attempt: that attempt is not the run's outcome.
  if (state.heldEnd && (type === 'auto_retry_start' || type === 'agent_start')) {
    state.heldEnd = null;
    state.lastError = null;
  }

  switch (type) {
    case 'tool_execution_start':
      out.push(...toolStart(json, ctx, run.cwd));
      break;
    case 'tool_execution_end':
      out.push(...toolEnd(json, ctx));
      break;
    case 'message_end': {
      const message = asObject(json['message']);
      if (message?.['role'] === 'assistant') recordAssistant(message, state);
      break;
    }
    case 'agent_end': {
      const assistant = lastAssistant(json['messages']);
      if (assistant) recordAssistant(assistant, state);
      if (state.lastError !== null) {
        state.heldEnd = completion(ctx, state.lastError);
        break;
      }
      // pi reports `auto_retry_end` after this; the run is over by then.
      if (state.retrying) out.push(...retryEnd({ success: true }, ctx));
      out.push(completion(ctx, null));
      break;
    }
    case 'auto_retry_start':
      out.push(retryStart(json, ctx));
      break;
    case 'auto_retry_end':
      out.push(...retryEnd(json, ctx));
      break;
    case 'auto_compaction_start':
    case 'compaction_start':
      out.push(compactionStart(json, ctx));
      break;
    case 'auto_compaction_end':
    case 'compaction_end':
      out.push(...compactionEnd(json, ctx));
      break;
    default:
      // agent_start, turn_*, message_start/update (whose `partial` pi mutates after sending, so it
      // is never read), tool_execution_update and future event types carry nothing to show.
      break;
  }
  // Retries are over and the last attempt failed, or pi says it is done: the held failure stands.
  const retriesOver = type === 'auto_retry_end' && json['success'] !== true;
  if (state.heldEnd && (retriesOver || type === 'agent_settled')) {
    const finalError = json['finalError'];
    if (typeof finalError === 'string' && finalError !== '') state.heldEnd.error = finalError;
    out.push(state.heldEnd);
  }
  return out;
}

function started(state: PiState, run: RunInfo): StartedEvent {
  state.started = true;
  return { type: 'started', engine: ENGINE, resume: token(state), title: 'pi', meta: run.meta };
}

function token(state: PiState): ResumeToken {
  return { engine: ENGINE, value: state.token };
}

function completion(ctx: Ctx, error: string | null): CompletedEvent {
  const state = ctx.state;
  return {
    type: 'completed',
    engine: ENGINE,
    ok: error === null,
    answer: state.lastText,
    resume: token(state),
    error,
    usage: state.lastUsage,
  };
}

/** Text, usage and failure of a finished assistant message (from `message_end` or `agent_end`). */
function recordAssistant(message: JsonObject, state: PiState): void {
  const text = textOf(message['content']);
  if (text) state.lastText = text;
  const usage = asObject(message['usage']);
  if (usage) state.lastUsage = usage;
  const stopReason = message['stopReason'];
  if (stopReason === 'error' || stopReason === 'aborted') {
    const error = message['errorMessage'];
    state.lastError = typeof error === 'string' && error !== '' ? error : `pi run ${stopReason}`;
  }
}

function textOf(content: Json | undefined): string {
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const raw of content) {
    const block = asObject(raw);
    if (block?.['type'] === 'text' && typeof block['text'] === 'string') text += block['text'];
  }
  return text.trim();
}

function lastAssistant(messages: Json | undefined): JsonObject | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = asObject(messages[i]);
    if (message?.['role'] === 'assistant') return message;
  }
  return undefined;
}

function toolStart(json: JsonObject, ctx: Ctx, cwd: string): EngineEvent[] {
  const id = json['toolCallId'];
  if (typeof id !== 'string' || id === '') return [];
  const name = typeof json['toolName'] === 'string' && json['toolName'] !== '' ? json['toolName'] : 'tool';
  const args = asObject(json['args']) ?? {};
  const { kind, title } = toolKindAndTitle(name, args, { cwd, pathKeys: PATH_KEYS });
  const detail: JsonObject = { tool_name: name, args };
  if (kind === 'file_change') {
    const file = toolInputPath(args, PATH_KEYS);
    if (file) detail['changes'] = [{ path: file, kind: 'update' }];
  }
  const action: Action = { id, kind, title, detail };
  ctx.state.pending.set(id, action);
  return [actionEvent(action, 'started')];
}

function toolEnd(json: JsonObject, ctx: Ctx): EngineEvent[] {
  const id = json['toolCallId'];
  if (typeof id !== 'string' || id === '') return [];
  const name = typeof json['toolName'] === 'string' && json['toolName'] !== '' ? json['toolName'] : 'tool';
  const action = ctx.state.pending.get(id) ?? { id, kind: 'tool', title: name, detail: {} };
  ctx.state.pending.delete(id);
  const isError = json['isError'] === true;
  const detail: JsonObject = { ...action.detail, result: json['result'] ?? null, is_error: isError };
  return [actionEvent({ ...action, detail }, 'completed', { ok: !isError })];
}

/** pi retries a failed model call by itself; one note per sequence of retries says why it waits. */
function retryStart(json: JsonObject, ctx: Ctx): ActionEvent {
  const state = ctx.state;
  const phase: ActionPhase = state.retrying ? 'updated' : 'started';
  if (!state.retrying) {
    state.retrying = true;
    state.retrySequence += 1;
  }
  const attempt = numberField(json, 'attempt');
  const max = numberField(json, 'maxAttempts');
  const error = typeof json['errorMessage'] === 'string' ? json['errorMessage'] : '';
  const count = attempt !== undefined ? ` ${attempt}${max !== undefined ? `/${max}` : ''}` : '';
  const title = `retry${count}${error ? ` after: ${error}` : ''}`;
  return actionEvent(
    { id: `pi.retry.${state.retrySequence}`, kind: 'note', title, detail: pick(json, RETRY_KEYS) },
    phase,
    { level: 'info' },
  );
}

const RETRY_KEYS = ['attempt', 'maxAttempts', 'delayMs', 'errorMessage', 'success', 'finalError'];

function retryEnd(json: JsonObject, ctx: Ctx): EngineEvent[] {
  const state = ctx.state;
  if (!state.retrying) return [];
  state.retrying = false;
  const success = json['success'] === true;
  const finalError = typeof json['finalError'] === 'string' ? json['finalError'] : '';
  const title = success ? 'retry succeeded' : `retry failed${finalError ? `: ${finalError}` : ''}`;
  return [
    actionEvent(
      { id: `pi.retry.${state.retrySequence}`, kind: 'note', title, detail: pick(json, RETRY_KEYS) },
      'completed',
      { ok: success, level: success ? 'info' : 'warning' },
    ),
  ];
}

function compactionStart(json: JsonObject, ctx: Ctx): ActionEvent {
  ctx.state.compactions += 1;
  const reason = typeof json['reason'] === 'string' ? json['reason'] : '';
  return actionEvent(
    {
      id: `pi.compaction.${ctx.state.compactions}`,
      kind: 'note',
      title: `compacting context${reason ? ` (${reason})` : ''}`,
      detail: reason ? { reason } : {},
    },
    'started',
    { level: 'info' },
  );
}

function compactionEnd(json: JsonObject, ctx: Ctx): EngineEvent[] {
  if (ctx.state.compactions === 0) return [];
  const aborted = json['aborted'] === true;
  const error = typeof json['errorMessage'] === 'string' ? json['errorMessage'] : '';
  const ok = !aborted && error === '';
  const title = aborted ? 'compaction aborted' : error ? `compaction failed: ${error}` : 'context compacted';
  const detail: JsonObject = {};
  const tokensBefore = asObject(json['result'])?.['tokensBefore'];
  if (typeof tokensBefore === 'number') detail['tokensBefore'] = tokensBefore;
  if (typeof json['willRetry'] === 'boolean') detail['willRetry'] = json['willRetry'];
  return [
    actionEvent({ id: `pi.compaction.${ctx.state.compactions}`, kind: 'note', title, detail }, 'completed', {
      ok,
      level: ok ? 'info' : 'warning',
    }),
  ];
}

/**
 * End of stream without a final `agent_end`: a held-back failure is the outcome; otherwise the run
 * failed, keeping the answer and usage seen so far (pi may have finished turns before dying).
 */
function finishRun(exit: ProcessExit, ctx: Ctx): EngineEvent[] {
  const state = ctx.state;
  const stderrTail = exit.stderrTail;
  const base = { answer: state.lastText, resume: token(state), usage: state.lastUsage, stderrTail };
  if (state.heldEnd) {
    return [failedCompletion(ENGINE, state.heldEnd.error ?? 'pi run failed', base)];
  }
  if (exit.code !== 0) {
    const message = `pi failed (${describeExit(exit)}).`;
    return [ctx.note(message), failedCompletion(ENGINE, message, base)];
  }
  return [failedCompletion(ENGINE, 'pi finished without an agent_end event', base)];
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

function pick(json: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const value = json[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function numberField(json: JsonObject, key: string): number | undefined {
  const value = json[key];
  return typeof value === 'number' ? value : undefined;
}

/**
 * pi, the coding agent (`npm install -g @mariozechner/pi-coding-agent`).
 *
 * @example
 * const invocation = piAdapter.buildInvocation({ prompt: 'say hi', cwd: '/repo', resume: '01a2…' });
 * // invocation.args → ['--print', '--mode', 'json', '--session', '01a2…', 'say hi']
 */
export const piAdapter: EngineAdapter = {
  id: ENGINE,
  binary: 'pi',
  installHint: 'npm install -g @mariozechner/pi-coding-agent',
  supportsReasoning: false,
  resume: piResume,
  buildInvocation,
  createTranslator,
};
