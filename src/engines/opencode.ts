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
  ActionPhase,
  CompletedEvent,
  EngineEvent,
  Json,
  JsonObject,
  ResumeToken,
} from './events.ts';
import { asObject, stringField } from './json-fields.ts';
import { createJsonlTranslator, failedCompletion, type TranslateContext } from './jsonl-translator.ts';
import { reasoningPrelude, withPrelude } from './run-prelude.ts';
import { relativizePath, toolInputPath, toolKindAndTitle } from './tool-actions.ts';

/**
 * The opencode adapter: `opencode run --format json`, one JSON event per stdout line.
 *
 * opencode prints no start and no end event: every line carries the `sessionID`, a step ends
 * with `step_finish` (reason `stop` for the last one), failures come as `error` lines, and the
 * process exit marks the end of the run.
 */

const ENGINE = 'opencode';

/** opencode names the file a tool touches `filePath`; older builds used `file_path`. */
const PATH_KEYS = ['file_path', 'filePath'] as const;
const OUTPUT_PREVIEW_CHARS = 500;

/**
 * The problems in an `[opencode]` config table, as messages naming the key; empty when usable.
 *
 * @example
 * validateOpencodeConfig({ model: 'anthropic/claude-sonnet-4-5' }); // → []
 * validateOpencodeConfig({ model: 42 }); // → ['opencode.model: expected a "provider/model" string']
 */
export function validateOpencodeConfig(config: JsonObject | undefined): string[] {
  const model = config?.['model'];
  if (model !== undefined && (typeof model !== 'string' || model.trim() === '')) {
    return ['opencode.model: expected a "provider/model" string'];
  }
  return [];
}

function configModel(config: JsonObject | undefined): string | undefined {
  const model = config?.['model'];
  return typeof model === 'string' && model !== '' ? model : undefined;
}

/**
 * `opencode run --format json [--session <id>] [--model M] --dir <cwd> -- <prompt words>`;
 * stdin is closed at once.
 *
 * `--dir` pins the session's directory: resumed from another cwd, opencode hangs without output.
 * The prompt is passed as its space-separated pieces because opencode joins its message arguments
 * with spaces but wraps any single argument containing a space in double quotes, which the model
 * would then see; pieces without spaces join back to the exact prompt.
 */
function buildInvocation(request: RunRequest): Invocation {
  const args = ['run', '--format', 'json'];
  if (request.resume) args.push('--session', request.resume);
  const model = request.model || configModel(request.config);
  if (model) args.push('--model', model);
  args.push('--dir', request.cwd, '--', ...request.prompt.split(' '));
  return { command: 'opencode', args, cwd: request.cwd, env: {}, unsetEnv: [] };
}

// The interactive `opencode --session <id>` (or `opencode run -s <id>`); ids are `ses_` and letters/digits.
const RESUME_LINE = /^\s*`?opencode(?:\s+run)?\s+(?:--session|-s)\s+(ses_[A-Za-z0-9]+)`?\s*$/i;

const opencodeResume: ResumeCodec = {
  format: (token) => `\`opencode --session ${token}\``,
  extract(text) {
    let found: string | undefined;
    for (const line of text.split(/\r?\n/)) {
      const token = RESUME_LINE.exec(line)?.[1];
      if (token) found = token;
    }
    return found;
  },
  isResumeLine: (line) => RESUME_LINE.test(line),
};

interface OpencodeState {
  /** The first session id the stream carried. */
  session: string | undefined;
  /** The answer so far: every text part, in order. */
  text: string;
  /** Message the last text part belonged to; parts of different messages are set apart by a blank line. */
  textMessage: string | undefined;
  sawStepFinish: boolean;
}

type Ctx = TranslateContext<OpencodeState>;

function createTranslator(request: RunRequest): EngineTranslator {
  const title = request.model || configModel(request.config) || ENGINE;
  const cwd = request.cwd;
  const translator = createJsonlTranslator<OpencodeState>(
    {
      engine: ENGINE,
      initialState: () => ({ session: undefined, text: '', textMessage: undefined, sawStepFinish: false }),
      translate: (json, ctx) => {
        const out: EngineEvent[] = [];
        const session = json['sessionID'];
        if (ctx.state.session === undefined && typeof session === 'string' && session !== '') {
          ctx.state.session = session;
          out.push({
            type: 'started',
            engine: ENGINE,
            resume: { engine: ENGINE, value: session },
            title,
            meta: null,
          });
        }
        out.push(...translateEvent(json, ctx, cwd));
        return out;
      },
      finish: (exit, ctx) => finishRun(exit, ctx),
    },
    request.resume,
  );
  return withPrelude(translator, reasoningPrelude(ENGINE, request));
}

function translateEvent(json: JsonObject, ctx: Ctx, cwd: string): EngineEvent[] {
  const state = ctx.state;
  const part = asObject(json['part']);
  switch (json['type']) {
    case 'tool_use':
      return part ? translateTool(part, cwd) : [];
    case 'text': {
      const text = stringField(part, 'text');
      if (text === '') return [];
      const message = stringField(part, 'messageID') || undefined;
      if (state.text !== '' && message && state.textMessage && message !== state.textMessage) {
        state.text += '\n\n';
      }
      state.text += text;
      state.textMessage = message ?? state.textMessage;
      return [];
    }
    case 'reasoning': {
      // Only printed with `--thinking`; shown as a progress note.
      const text = stringField(part, 'text');
      const id = stringField(part, 'id');
      if (text === '' || id === '') return [];
      return [action(id, 'note', text, {}, 'completed', true)];
    }
    case 'step_finish':
      state.sawStepFinish = true;
      return part?.['reason'] === 'stop' ? [completion(ctx, true, state.text)] : [];
    case 'error':
      return [completion(ctx, false, state.text, errorMessage(json))];
    case 'done':
      // Newer builds announce the end of the run; it ends it as a clean exit would.
      return endOfStream(ctx, []);
    default:
      // step_start and event types this adapter does not know carry nothing to show.
      return [];
  }
}

function translateTool(part: JsonObject, cwd: string): EngineEvent[] {
  const id = stringField(part, 'callID') || stringField(part, 'id');
  if (id === '') return [];
  const name = stringField(part, 'tool') || 'tool';
  const toolState = asObject(part['state']) ?? {};
  const input = asObject(toolState['input']) ?? {};
  const classified = toolKindAndTitle(name, input, { cwd, taskKind: 'tool', pathKeys: PATH_KEYS });
  const path = toolInputPath(input, PATH_KEYS);
  const title = toolTitle(classified.title, stringField(toolState, 'title'), path, cwd);
  const detail: JsonObject = { name, input, callID: part['callID'] ?? null };
  if (classified.kind === 'file_change' && path) detail['changes'] = [{ path, kind: 'update' }];

  const metadata = asObject(toolState['metadata']);
  const exitCode = metadata?.['exit'] ?? null;
  const status = toolState['status'];
  if (status === 'completed') {
    detail['output_preview'] = preview(toolState['output']);
    detail['exit_code'] = exitCode;
    const ok = !(typeof exitCode === 'number' && exitCode !== 0);
    return [action(id, classified.kind, title, detail, 'completed', ok)];
  }
  if (status === 'error') {
    const error = toolState['error'] ?? null;
    const message = typeof error === 'string' ? error : JSON.stringify(error);
    detail['error'] = error;
    detail['exit_code'] = exitCode;
    return [{ ...action(id, classified.kind, title, detail, 'completed', false), message }];
  }
  return [action(id, classified.kind, title, detail, 'started', null)];
}

/**
 * opencode's own title for a tool call (`Print hello to stdout`) beats the generic one; when it
 * is just the file path, it is shown like other paths, relative and in backticks.
 */
function toolTitle(generic: string, own: string, path: string | undefined, cwd: string): string {
  if (own === '') return generic;
  if (path && !own.includes('`') && (own === path || own === relativizePath(path, cwd))) {
    return `\`${relativizePath(path, cwd)}\``;
  }
  return own;
}

function preview(output: Json | undefined): string {
  if (output === undefined || output === null) return '';
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  return text.slice(0, OUTPUT_PREVIEW_CHARS);
}

/** `{"type":"error","error":{"name":"APIError","data":{"message":…}}}` → the most specific message. */
function errorMessage(json: JsonObject): string {
  const raw = json['message'] ?? json['error'];
  if (typeof raw === 'string' && raw !== '') return raw;
  const error = asObject(raw);
  if (!error) return 'opencode error';
  return (
    stringField(asObject(error['data']), 'message') ||
    stringField(error, 'message') ||
    stringField(error, 'name') ||
    'opencode error'
  );
}

/**
 * The run ended without `step_finish(stop)` or `error`: a clean end is a success once any step
 * finished, a failure otherwise.
 */
function endOfStream(ctx: Ctx, stderrTail: string[]): EngineEvent[] {
  const { session, text, sawStepFinish } = ctx.state;
  const options = { answer: text, resume: resumeOf(ctx), stderrTail };
  if (session === undefined) {
    return [failedCompletion(ENGINE, 'opencode finished but no session_id was captured', options)];
  }
  if (sawStepFinish) return [completion(ctx, true, text)];
  return [failedCompletion(ENGINE, 'opencode finished without a result event', options)];
}

function finishRun(exit: ProcessExit, ctx: Ctx): EngineEvent[] {
  if (exit.code === 0) return endOfStream(ctx, exit.stderrTail);
  const reason =
    exit.code === null
      ? `opencode failed (signal ${exit.signal ?? 'unknown'}).`
      : `opencode failed (rc=${exit.code}).`;
  return [
    ctx.note(reason),
    failedCompletion(ENGINE, reason, {
      answer: ctx.state.text,
      resume: resumeOf(ctx),
      stderrTail: exit.stderrTail,
    }),
  ];
}

function completion(ctx: Ctx, ok: boolean, answer: string, error?: string): CompletedEvent {
  return {
    type: 'completed',
    engine: ENGINE,
    ok,
    answer,
    resume: resumeOf(ctx),
    error: error ?? null,
    usage: null,
  };
}

/**
 * The session this run reports: the stream's own, which may arrive on the very line that ends the
 * run (before the wrapper has recorded its `started`), else the one the run resumed.
 */
function resumeOf(ctx: Ctx): ResumeToken | null {
  return ctx.state.session ? { engine: ENGINE, value: ctx.state.session } : ctx.resume;
}

/** opencode has no reasoning setting; a `/reasoning` override is reported, not applied. */
function action(
  id: string,
  kind: ActionKind,
  title: string,
  detail: JsonObject,
  phase: ActionPhase,
  ok: boolean | null,
): ActionEvent {
  return {
    type: 'action',
    engine: ENGINE,
    action: { id, kind, title, detail },
    phase,
    ok,
    message: null,
    level: null,
  };
}

/**
 * Drives the `opencode` CLI (`npm install -g opencode-ai@latest`).
 *
 * @example
 * opencodeAdapter.buildInvocation({ prompt: 'fix it', cwd: '/repo', resume: 'ses_abc' }).args;
 * // → ['run', '--format', 'json', '--session', 'ses_abc', '--dir', '/repo', '--', 'fix', 'it']
 */
export const opencodeAdapter: EngineAdapter = {
  id: ENGINE,
  binary: 'opencode',
  installHint: 'npm install -g opencode-ai@latest',
  supportsReasoning: false,
  resume: opencodeResume,
  buildInvocation,
  createTranslator,
};
