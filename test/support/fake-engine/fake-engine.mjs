// A stand-in for the four agent CLIs (codex, claude, opencode, pi) that speaks each one's native
// JSONL, so the bridge can be tested end to end without the real programs or an LLM.
//
// Usage: `node fake-engine.mjs <engine> <the engine's own argv...>`; the wrappers in ./bin do this,
// so putting ./bin first on PATH makes `codex`, `claude`, `opencode` and `pi` resolve here.
//
// The prompt is read where the real CLI reads it (codex: stdin, or a positional argument;
// claude and opencode: argv after `--`; pi: the last argument), and the engine's resume flag is
// honoured: a resumed run reports the session id it was given, a new run gets a fresh one.
//
// Tokens inside the prompt drive the behaviour (several may be combined):
//   [[fake:delay=MS]]          wait MS between output lines
//   [[fake:silent=MS]]         print nothing for MS before the first line (a slow start)
//   [[fake:block=PATH]]        before answering, wait (at most FAKE_ENGINE_BLOCK_MAX_MS, default 120 s) for PATH to exist
//   [[fake:hang]]              after the tool round, print nothing more and never exit (until killed)
//   [[fake:ignore-sigterm]]    record SIGTERM but keep running (only SIGKILL ends it)
//   [[fake:exit=N]]            exit with code N once the output is written (the final event is still printed)
//   [[fake:crash]]             stop in the middle of the tool call, print an error on stderr, exit 1 (or N from exit=N)
//   [[fake:answer-chars=N]]    the answer is exactly N characters long and contains a fenced code block
//   [[fake:error=MESSAGE]]     an engine-level error in the engine's own shape (as the real CLI reports an HTTP error)
//   [[fake:garbage]]           malformed lines (not JSON, truncated JSON, arrays, unknown types, blanks) mixed in
//   [[fake:replay=FILE]]       print FILE as it is (a missing final newline stays missing) instead of a generated run
//   [[fake:scenario=NAME]]     replay $FAKE_ENGINE_SCRIPT_DIR/NAME.jsonl
//   [[fake:flood=N]]           N extra actions, written as fast as the reader takes them
// Without tokens a run is: session start, one `echo hi` command, the answer `echo: <prompt>`, the final event.
//
// Environment:
//   FAKE_ENGINE_RECORD=<file>      append one JSON line per lifecycle event: spawn, signal, conflict, exit
//   FAKE_ENGINE_STATE_DIR=<dir>    where live-session claims and pi's session index live (default: a dir in tmp)
//   FAKE_ENGINE_SCRIPT_DIR=<dir>   scenarios for [[fake:scenario=NAME]]
//   FAKE_ENGINE_MAX_SECONDS=<s>    hard lifetime bound so a forgotten fake cannot outlive a test run (default 600)
//
// A `conflict` record is written when this process resumes a session that another live fake
// process is still serving: the one thing the bridge must never let happen.

import { randomBytes, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ENGINES = ['codex', 'claude', 'opencode', 'pi'];
const engine = process.argv[2];
const argv = process.argv.slice(3);
const recordFile = process.env.FAKE_ENGINE_RECORD || null;
const stateDir =
  process.env.FAKE_ENGINE_STATE_DIR || join(tmpdir(), `tentacle-fake-engine-${process.getuid?.() ?? 0}`);

let ignoreSigterm = false;
let exitSignal = null;
let ownedClaim = null;

function record(entry) {
  if (!recordFile) return;
  try {
    appendFileSync(recordFile, `${JSON.stringify({ ...entry, time: Date.now() })}\n`);
  } catch (error) {
    process.stderr.write(`fake ${engine}: cannot write record file: ${error.message}\n`);
  }
}

// Handlers go in first, before any await, so a SIGTERM that arrives early is still recorded.
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    record({ kind: 'signal', engine, pid: process.pid, signal });
    if (signal === 'SIGTERM' && ignoreSigterm) return;
    exitSignal = signal;
    process.exit(code);
  });
}
process.on('exit', (code) => {
  releaseClaim();
  record({ kind: 'exit', engine, pid: process.pid, code, ...(exitSignal ? { signal: exitSignal } : {}) });
});
// A reader that went away (the bridge was killed) ends the fake the way SIGPIPE ends a native CLI.
process.stdout.on('error', () => process.exit(141));

const maxSeconds = Number(process.env.FAKE_ENGINE_MAX_SECONDS || 600);
setTimeout(() => {
  process.stderr.write(`fake ${engine}: still running after ${maxSeconds}s; giving up\n`);
  process.exit(124);
}, maxSeconds * 1000).unref();

// ---------------------------------------------------------------------------------------------
// Command line

const VALUE_FLAGS = {
  codex: [
    '-c',
    '--config',
    '-m',
    '--model',
    '-p',
    '--profile',
    '-C',
    '--cd',
    '-s',
    '--sandbox',
    '--color',
    '-o',
    '--output-last-message',
    '--output-schema',
    '-i',
    '--image',
    '--add-dir',
    '--enable',
    '--disable',
    '--local-provider',
  ],
  claude: [
    '--output-format',
    '--input-format',
    '-r',
    '--resume',
    '--model',
    '--allowedTools',
    '--allowed-tools',
    '--disallowedTools',
    '--disallowed-tools',
    '--permission-mode',
    '--session-id',
    '--system-prompt',
    '--append-system-prompt',
    '--max-turns',
    '--mcp-config',
    '--settings',
    '--add-dir',
    '--fallback-model',
    '--agents',
    '--setting-sources',
  ],
  opencode: [
    '-s',
    '--session',
    '-m',
    '--model',
    '--format',
    '--dir',
    '--agent',
    '--title',
    '--attach',
    '--port',
    '-f',
    '--file',
    '--log-level',
    '--variant',
  ],
  pi: [
    '--session',
    '--provider',
    '--model',
    '--mode',
    '--session-dir',
    '--thinking',
    '--api-key',
    '--system-prompt',
    '--append-system-prompt',
    '--tools',
    '--fork',
    '--models',
    '-e',
    '--extension',
  ],
};

/** Splits argv into flags (with their values) and positionals, the way the engine's parser would. */
function splitArgs(args, valueFlags) {
  const flags = new Map();
  const positionals = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      if (arg.startsWith('--') && eq > 0) {
        flags.set(arg.slice(0, eq), arg.slice(eq + 1));
      } else if (valueFlags.includes(arg)) {
        flags.set(arg, args[i + 1] ?? '');
        i++;
      } else {
        flags.set(arg, true);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals };
}

function flag(flags, ...names) {
  for (const name of names) if (flags.has(name)) return flags.get(name);
  return undefined;
}

/** What the invocation asks for: `{ prompt (null: read stdin), resume, error }`. */
function parseInvocation() {
  const { flags, positionals } = splitArgs(argv, VALUE_FLAGS[engine]);
  switch (engine) {
    case 'codex': {
      if (positionals[0] !== 'exec' && positionals[0] !== 'e')
        return { error: 'only `codex exec` is supported' };
      if (!flags.has('--json') && !flags.has('--experimental-json'))
        return { error: '`codex exec` needs --json' };
      const rest = positionals.slice(1);
      const resume = rest[0] === 'resume' ? (rest[1] ?? null) : null;
      const prompt = rest[0] === 'resume' ? rest[2] : rest[0];
      return { prompt: prompt === undefined || prompt === '-' ? null : prompt, resume };
    }
    case 'claude': {
      if (!flags.has('-p') && !flags.has('--print')) return { error: 'only `claude -p` is supported' };
      if (flag(flags, '--output-format') !== 'stream-json')
        return { error: 'needs --output-format stream-json' };
      if (!flags.has('--verbose'))
        return { error: 'When using --print, --output-format=stream-json requires --verbose' };
      const resume = flag(flags, '--resume', '-r') ?? null;
      const forced = flag(flags, '--session-id') ?? null;
      const fork = flags.has('--fork-session');
      return {
        prompt: positionals.length > 0 ? positionals.join(' ') : null,
        resume: fork ? null : resume,
        newId: forced,
      };
    }
    case 'opencode': {
      if (positionals[0] !== 'run') return { error: 'only `opencode run` is supported' };
      if (flag(flags, '--format') !== 'json') return { error: '`opencode run` needs --format json' };
      return { prompt: positionals.slice(1).join(' '), resume: flag(flags, '--session', '-s') ?? null };
    }
    case 'pi': {
      if (!flags.has('-p') && !flags.has('--print')) return { error: 'only `pi --print` is supported' };
      if (flag(flags, '--mode') !== 'json') return { error: 'needs --mode json' };
      const prompt = positionals.length > 0 ? positionals[positionals.length - 1] : null;
      return { prompt, piSession: flag(flags, '--session') ?? null, resume: null };
    }
    default:
      return { error: `unknown engine ${engine}; expected one of ${ENGINES.join(', ')}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions

function alnum(n) {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => chars[b % chars.length]).join('');
}

function looksLikePath(value) {
  return value.endsWith('.jsonl') || value.includes('/') || value.includes('\\') || value.startsWith('~');
}

/** pi resumes by session file path or by a prefix of the session id; new sessions are indexed here. */
function resolvePiSession(token, cwd) {
  const indexDir = join(stateDir, 'pi-sessions');
  if (token && looksLikePath(token)) {
    const file = token.startsWith('~') ? join(process.env.HOME || '', token.slice(1)) : token;
    if (existsSync(file)) {
      try {
        const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0] ?? '');
        if (typeof header.id === 'string') return { id: header.id, resumed: true };
      } catch {}
    }
    const id = randomUUID();
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify({ type: 'session', version: 3, id, cwd })}\n`);
    } catch {}
    indexPiSession(indexDir, id);
    return { id, resumed: false };
  }
  if (token) {
    let known = [];
    try {
      known = readdirSync(indexDir).filter((name) => name.startsWith(token));
    } catch {}
    if (known.length > 0) return { id: known[0], resumed: true };
    // An id this fake never issued: answer with one that starts with it, as pi would for its own.
    const hex = `${token.replace(/[^0-9a-f]/gi, '')}${randomUUID().replace(/-/g, '')}`.slice(0, 32);
    return {
      id: `${token}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
      resumed: true,
    };
  }
  const id = randomUUID();
  indexPiSession(indexDir, id);
  return { id, resumed: false };
}

function indexPiSession(indexDir, id) {
  try {
    mkdirSync(indexDir, { recursive: true });
    writeFileSync(join(indexDir, id), '');
  } catch {}
}

function resolveSession(invocation) {
  switch (engine) {
    case 'codex':
      return invocation.resume
        ? { id: invocation.resume, resumed: true }
        : { id: randomUUID(), resumed: false };
    case 'claude':
      if (invocation.resume) return { id: invocation.resume, resumed: true };
      return { id: invocation.newId || randomUUID(), resumed: false };
    case 'opencode':
      return invocation.resume
        ? { id: invocation.resume, resumed: true }
        : { id: `ses_${alnum(26)}`, resumed: false };
    default:
      return resolvePiSession(invocation.piSession, process.cwd());
  }
}

function readStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 1)
      .trim()
      .split(/\s+/);
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

/** Claims `engine:sessionId` for this process; returns the live holder when someone else has it. */
function claimSession(sessionId) {
  const dir = join(stateDir, 'live');
  const file = join(dir, `${engine}-${sessionId.replace(/[^\w.-]/g, '_')}.json`);
  mkdirSync(dir, { recursive: true });
  const mine = JSON.stringify({ pid: process.pid, startTime: readStartTime(process.pid) });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, mine);
      closeSync(fd);
      ownedClaim = file;
      return null;
    } catch (error) {
      if (error.code !== 'EEXIST') return null;
    }
    let holder = null;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8'));
    } catch {}
    if (holder?.startTime && readStartTime(holder.pid) === holder.startTime) return holder;
    try {
      unlinkSync(file);
    } catch {}
  }
  return null;
}

function releaseClaim() {
  if (!ownedClaim) return;
  try {
    if (JSON.parse(readFileSync(ownedClaim, 'utf8')).pid === process.pid) unlinkSync(ownedClaim);
  } catch {}
  ownedClaim = null;
}

// ---------------------------------------------------------------------------------------------
// Prompt tokens

function parsePlan(prompt) {
  const plan = {
    text: prompt
      .replace(/\[\[fake:[^\]]*\]\]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  };
  for (const match of prompt.matchAll(/\[\[fake:([a-z-]+)(?:=([^\]]*))?\]\]/g)) {
    const [, name, value = ''] = match;
    switch (name) {
      case 'delay':
      case 'silent':
      case 'exit':
      case 'answer-chars':
      case 'flood':
        plan[name] = Number(value) || 0;
        break;
      case 'hang':
      case 'crash':
      case 'garbage':
      case 'ignore-sigterm':
        plan[name] = true;
        break;
      default:
        plan[name] = value;
    }
  }
  return plan;
}

function longAnswer(n) {
  const head = 'Here is the long answer you asked for.\n\n';
  let code = '```js\n';
  for (let i = 1; code.length + 40 < n / 3; i++) code += `const value${i} = compute(${i}); // step ${i}\n`;
  code += '```\n\n';
  if (head.length + code.length >= n) return 'x'.repeat(n);
  const filler = 'The quick brown fox jumps over the lazy dog while the build keeps running. ';
  const rest = n - head.length - code.length;
  return head + code + filler.repeat(Math.ceil(rest / filler.length)).slice(0, rest);
}

// ---------------------------------------------------------------------------------------------
// Native output, one builder per engine. Each returns the lines of one phase of a run; shapes
// follow what the real CLIs print (see the captures in the shared fixtures).

const now = () => Date.now();
const id = (prefix) => `${prefix}${alnum(14)}`;

function codexBuilder(session) {
  let item = 0;
  const command = (status) => ({
    id: 'item_0',
    type: 'command_execution',
    command: "/bin/bash -lc 'echo hi'",
    aggregated_output: status === 'completed' ? 'hi\n' : '',
    exit_code: status === 'completed' ? 0 : null,
    status,
  });
  const usage = {
    input_tokens: 24,
    cached_input_tokens: 0,
    cache_write_input_tokens: 0,
    output_tokens: 14,
    reasoning_output_tokens: 0,
  };
  return {
    start: () => [{ type: 'thread.started', thread_id: session.id }, { type: 'turn.started' }],
    toolStart: () => {
      item = 1;
      return [{ type: 'item.started', item: command('in_progress') }];
    },
    toolEnd: () => [{ type: 'item.completed', item: command('completed') }],
    flood: (i) => [
      {
        type: 'item.completed',
        item: {
          id: `item_flood_${i}`,
          type: 'command_execution',
          command: `echo ${i}`,
          aggregated_output: `${i}\n`,
          exit_code: 0,
          status: 'completed',
        },
      },
    ],
    answer: (text) => [
      { type: 'item.completed', item: { id: `item_${item++}`, type: 'agent_message', text } },
      { type: 'turn.completed', usage },
    ],
    error: (message) => ({
      lines: [
        { type: 'thread.started', thread_id: session.id },
        { type: 'turn.started' },
        { type: 'error', message },
        { type: 'turn.failed', error: { message } },
      ],
      code: 1,
    }),
  };
}

function claudeBuilder(session, cwd) {
  const model = 'claude-sonnet-4-5';
  const toolId = id('toolu_');
  const base = () => ({ parent_tool_use_id: null, session_id: session.id, uuid: randomUUID() });
  const usage = {
    input_tokens: 12,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 7,
  };
  const assistant = (content, extra = {}) => ({
    type: 'assistant',
    message: {
      id: id('msg_'),
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: null,
      stop_sequence: null,
      usage,
      ...extra,
    },
    ...base(),
  });
  const result = (fields) => ({
    type: 'result',
    subtype: 'success',
    duration_ms: 120,
    duration_api_ms: 40,
    num_turns: 2,
    session_id: session.id,
    total_cost_usd: 0.000282,
    usage,
    permission_denials: [],
    uuid: randomUUID(),
    ...fields,
  });
  const init = {
    type: 'system',
    subtype: 'init',
    cwd,
    session_id: session.id,
    tools: ['Task', 'Bash', 'Edit', 'Read', 'Write', 'WebFetch', 'WebSearch'],
    mcp_servers: [],
    model,
    permissionMode: 'default',
    slash_commands: [],
    apiKeySource: 'none',
    claude_code_version: '2.1.197',
    output_style: 'default',
    agents: [],
    skills: [],
    plugins: [],
    uuid: randomUUID(),
  };
  return {
    start: () => [init],
    toolStart: () => [
      assistant([
        {
          type: 'tool_use',
          id: toolId,
          name: 'Bash',
          input: { command: 'echo hi', description: 'Print hi' },
        },
      ]),
    ],
    toolEnd: () => [
      {
        type: 'user',
        message: {
          role: 'user',
          content: [{ tool_use_id: toolId, type: 'tool_result', content: 'hi', is_error: false }],
        },
        ...base(),
        timestamp: new Date().toISOString(),
        tool_use_result: { stdout: 'hi', stderr: '', interrupted: false, isImage: false },
      },
    ],
    flood: (i) => [
      assistant([{ type: 'thinking', thinking: `flood_${i}: still thinking`, signature: `sig${i}` }]),
    ],
    answer: (text) => [
      assistant([{ type: 'text', text }]),
      result({ is_error: false, result: text, stop_reason: 'end_turn' }),
    ],
    error: (message) => ({
      lines: [
        init,
        { ...assistant([{ type: 'text', text: message }]), error: 'unknown' },
        result({ is_error: true, result: message, num_turns: 1, total_cost_usd: 0 }),
      ],
      code: 1,
    }),
  };
}

function opencodeBuilder(session) {
  let messageID = id('msg_');
  const common = () => ({ timestamp: now(), sessionID: session.id });
  const part = (type, fields) => ({ id: id('prt_'), messageID, sessionID: session.id, type, ...fields });
  const snapshot = '5dadd1311caf60dbb1c640bf8060a87309319eee';
  const tokens = { total: 19, input: 12, output: 7, reasoning: 0, cache: { write: 0, read: 0 } };
  const tool = (callID, command, output) => ({
    type: 'tool_use',
    ...common(),
    part: {
      type: 'tool',
      tool: 'bash',
      callID,
      state: {
        status: 'completed',
        input: { command },
        output,
        metadata: { output, exit: 0, truncated: false },
        title: command,
        time: { start: now() - 5, end: now() },
      },
      id: id('prt_'),
      sessionID: session.id,
      messageID,
    },
  });
  const stepStart = () => ({ type: 'step_start', ...common(), part: part('step-start', { snapshot }) });
  const stepFinish = (reason) => ({
    type: 'step_finish',
    ...common(),
    part: part('step-finish', { reason, snapshot, tokens, cost: 0 }),
  });
  return {
    start: () => [stepStart()],
    toolStart: () => [],
    toolEnd: () => {
      const lines = [tool(id('call_'), 'echo hi', 'hi\n'), stepFinish('tool-calls')];
      messageID = id('msg_');
      return [...lines, stepStart()];
    },
    flood: (i) => [tool(`call_flood_${i}`, `echo ${i}`, `${i}\n`)],
    answer: (text) => [
      { type: 'text', ...common(), part: part('text', { text, time: { start: now() - 5, end: now() } }) },
      stepFinish('stop'),
    ],
    error: (message) => ({
      lines: [
        {
          type: 'error',
          ...common(),
          error: { name: 'APIError', data: { message, statusCode: 500, isRetryable: false } },
        },
      ],
      code: 1,
    }),
  };
}

function piBuilder(session, cwd, prompt) {
  const usage = (input, output) => ({
    input,
    output,
    cacheRead: 0,
    cacheWrite: 0,
    totalTokens: input + output,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  });
  const assistant = (content, stopReason, extra = {}) => ({
    role: 'assistant',
    content,
    api: 'openai-completions',
    provider: 'mock',
    model: 'mock-model',
    usage: usage(12, 7),
    stopReason,
    timestamp: now(),
    ...extra,
  });
  const user = { role: 'user', content: [{ type: 'text', text: prompt }], timestamp: now() };
  const callId = id('call_');
  const args = { command: 'echo hi' };
  const toolCall = { type: 'toolCall', id: callId, name: 'bash', arguments: args };
  const toolMessage = assistant([toolCall], 'toolUse');
  const toolResult = {
    role: 'toolResult',
    toolCallId: callId,
    toolName: 'bash',
    content: [{ type: 'text', text: 'hi\n' }],
    isError: false,
    timestamp: now(),
  };
  const messages = [user];
  const update = (assistantMessageEvent, message) => ({
    type: 'message_update',
    assistantMessageEvent,
    message,
  });
  const start = () => [
    { type: 'session', version: 3, id: session.id, timestamp: new Date().toISOString(), cwd },
    { type: 'agent_start' },
    { type: 'turn_start' },
    { type: 'message_start', message: user },
    { type: 'message_end', message: user },
  ];
  return {
    start,
    toolStart: () => {
      messages.push(toolMessage);
      return [
        { type: 'message_start', message: assistant([], 'stop') },
        update({ type: 'toolcall_start', contentIndex: 0 }, toolMessage),
        update({ type: 'toolcall_delta', contentIndex: 0, delta: '' }, toolMessage),
        update({ type: 'toolcall_delta', contentIndex: 0, delta: JSON.stringify(args) }, toolMessage),
        update({ type: 'toolcall_end', contentIndex: 0, toolCall }, toolMessage),
        { type: 'message_end', message: toolMessage },
        { type: 'tool_execution_start', toolCallId: callId, toolName: 'bash', args },
      ];
    },
    toolEnd: () => {
      messages.push(toolResult);
      return [
        {
          type: 'tool_execution_update',
          toolCallId: callId,
          toolName: 'bash',
          args,
          partialResult: { content: [] },
        },
        {
          type: 'tool_execution_update',
          toolCallId: callId,
          toolName: 'bash',
          args,
          partialResult: { content: toolResult.content, details: {} },
        },
        {
          type: 'tool_execution_end',
          toolCallId: callId,
          toolName: 'bash',
          result: { content: toolResult.content },
          isError: false,
        },
        { type: 'message_start', message: toolResult },
        { type: 'message_end', message: toolResult },
        { type: 'turn_end', message: toolMessage, toolResults: [toolResult] },
        { type: 'turn_start' },
      ];
    },
    flood: (i) => [
      {
        type: 'tool_execution_start',
        toolCallId: `call_flood_${i}`,
        toolName: 'bash',
        args: { command: `echo ${i}` },
      },
      {
        type: 'tool_execution_end',
        toolCallId: `call_flood_${i}`,
        toolName: 'bash',
        result: { content: [{ type: 'text', text: `${i}\n` }] },
        isError: false,
      },
    ],
    answer: (text) => {
      const final = assistant([{ type: 'text', text }], 'stop');
      messages.push(final);
      const chunks = text.match(/[\s\S]{1,16}/g) ?? [''];
      return [
        { type: 'message_start', message: assistant([], 'stop') },
        update({ type: 'text_start', contentIndex: 0 }, final),
        ...chunks.map((delta) => update({ type: 'text_delta', contentIndex: 0, delta }, final)),
        update({ type: 'text_end', contentIndex: 0, content: text }, final),
        { type: 'message_end', message: final },
        { type: 'turn_end', message: final, toolResults: [] },
        { type: 'agent_end', messages },
      ];
    },
    error: (message) => {
      const failed = assistant([], 'error', { usage: usage(0, 0), errorMessage: message });
      return {
        lines: [
          ...start(),
          { type: 'message_start', message: failed },
          { type: 'message_end', message: failed },
          { type: 'turn_end', message: failed, toolResults: [] },
          { type: 'agent_end', messages: [user, failed] },
        ],
        // pi reports API errors only in the stream and exits 0.
        code: 0,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

const GARBAGE = [
  'this is not json',
  '{"type": "item.completed", "item": {',
  '[1, 2, 3]',
  '{"type":"fake.unknown_event","payload":{"x":1}}',
  '   ',
  '\t{"unexpected": true}\r',
  'null',
];

function createOutput(plan) {
  let written = 0;
  let garbage = 0;
  const write = async (text) => {
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  };
  return {
    /** Writes one line; `newline: false` leaves the final newline out. */
    async line(value, { newline = true } = {}) {
      if (written === 0 && plan.silent > 0) await sleep(plan.silent);
      if (written > 0 && plan.delay > 0) await sleep(plan.delay);
      if (written > 0 && plan.garbage) await write(`${GARBAGE[garbage++ % GARBAGE.length]}\n`);
      written++;
      await write(`${typeof value === 'string' ? value : JSON.stringify(value)}${newline ? '\n' : ''}`);
    },
    async lines(values) {
      for (const value of values) await this.line(value);
    },
  };
}

async function readStdin({ waitMs }) {
  if (process.stdin.isTTY) return null;
  const chunks = [];
  const done = new Promise((resolve) => {
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(true));
    process.stdin.on('error', () => resolve(true));
  });
  const finished =
    waitMs === undefined ? await done : await Promise.race([done, sleep(waitMs).then(() => false)]);
  if (!finished) {
    process.stdin.pause();
    process.stdin.unref?.();
    return null;
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function waitForFile(file) {
  const bound = Number(process.env.FAKE_ENGINE_BLOCK_MAX_MS || 120_000);
  const deadline = Date.now() + bound;
  while (!existsSync(file)) {
    if (Date.now() > deadline) {
      process.stderr.write(`fake ${engine}: ${file} did not appear within ${bound} ms; answering anyway\n`);
      return;
    }
    await sleep(50);
  }
}

const RECORDED_ENV = [
  'HOME',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'NO_COLOR',
  'CI',
  'CODEX_HOME',
  'PI_CODING_AGENT_DIR',
  'XDG_CONFIG_HOME',
  'IS_SANDBOX',
];

function recordedEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!RECORDED_ENV.includes(key) && !key.startsWith('TENTACLE_') && !key.startsWith('FAKE_')) continue;
    env[key] = /KEY|TOKEN|SECRET|PASSWORD/i.test(key) && value ? '<redacted>' : value;
  }
  return env;
}

async function replay(file, output) {
  const text = readFileSync(file, 'utf8');
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  for (let i = 0; i < lines.length; i++) {
    await output.line(lines[i], { newline: i < lines.length - 1 || endsWithNewline });
  }
}

/**
 * Exits once everything written so far has reached the pipe: stdout to a pipe or socket is
 * asynchronous, and `process.exit` would drop what is still queued.
 */
function exitAfterFlush(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

async function hangForever() {
  setInterval(() => {}, 60_000);
  await new Promise(() => {});
}

async function main() {
  const invocation = parseInvocation();
  if (invocation.error) {
    process.stderr.write(`fake ${engine}: ${invocation.error}\n`);
    return exitAfterFlush(2);
  }
  const stdin = invocation.prompt === null ? await readStdin({}) : await readStdin({ waitMs: 200 });
  const prompt = invocation.prompt ?? stdin ?? '';
  const cwd = process.cwd();
  const session = resolveSession(invocation);
  const plan = parsePlan(prompt);
  ignoreSigterm = plan['ignore-sigterm'] === true;

  record({
    kind: 'spawn',
    engine,
    pid: process.pid,
    argv,
    stdin,
    cwd,
    env: recordedEnv(),
    sessionId: session.id,
    resumed: session.resumed,
  });
  const holder = claimSession(session.id);
  if (holder)
    record({ kind: 'conflict', engine, pid: process.pid, sessionId: session.id, otherPid: holder.pid });

  const output = createOutput(plan);
  const finish = (code) => exitAfterFlush(plan.exit ?? code);

  const replayFile = plan.replay
    ? resolve(cwd, plan.replay)
    : plan.scenario
      ? resolve(process.env.FAKE_ENGINE_SCRIPT_DIR || cwd, `${plan.scenario.replace(/[^\w.-]/g, '')}.jsonl`)
      : null;
  if (replayFile) {
    if (!existsSync(replayFile)) {
      process.stderr.write(`fake ${engine}: no such replay file ${replayFile}\n`);
      return finish(1);
    }
    await replay(replayFile, output);
    if (plan.hang) await hangForever();
    return finish(0);
  }

  const builder = {
    codex: () => codexBuilder(session),
    claude: () => claudeBuilder(session, cwd),
    opencode: () => opencodeBuilder(session),
    pi: () => piBuilder(session, cwd, prompt),
  }[engine]();

  if (plan.error !== undefined) {
    const { lines, code } = builder.error(plan.error || 'fake engine error');
    await output.lines(lines);
    process.stderr.write(`fake ${engine}: ${plan.error}\n`);
    return finish(code);
  }

  await output.lines(builder.start());
  for (let i = 0; i < (plan.flood ?? 0); i++) await output.lines(builder.flood(i));
  await output.lines(builder.toolStart());
  if (plan.crash) {
    process.stderr.write(`fake ${engine}: simulated crash in the middle of a tool call\n`);
    process.stderr.write('    at FakeEngine.run (fake-engine.mjs)\n');
    return exitAfterFlush(plan.exit || 1);
  }
  await output.lines(builder.toolEnd());
  if (plan.block) await waitForFile(resolve(cwd, plan.block));
  if (plan.hang) await hangForever();
  const answer = plan['answer-chars'] ? longAnswer(plan['answer-chars']) : `echo: ${plan.text}`;
  await output.lines(builder.answer(answer));
  if (plan.exit) process.stderr.write(`fake ${engine}: exiting with ${plan.exit} as asked\n`);
  return finish(0);
}

main().catch((error) => {
  process.stderr.write(`fake ${engine}: ${error?.stack ?? error}\n`);
  exitAfterFlush(70);
});
