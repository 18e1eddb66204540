/**
 * What the mock answers, decided from one request alone (the mock keeps no conversation state).
 *
 * Each wire API module reads its request body into a `Conversation`; `decideReply` turns that into
 * a `Reply`; the same module then renders the reply in its own wire format.
 */

/** A tool the client offered, with its JSON schema for arguments (as sent, any shape). */
export interface ToolSpec {
  name: string;
  schema: unknown;
}

/** The parts of a request that steer the mock's answer. */
export interface Conversation {
  /** User turns typed by a person (not tool results, not injected context blocks). */
  userTurns: number;
  /** Text of the latest user turn, '' when there is none. */
  latestUserText: string;
  /** Set when the last input item is a tool result: its output as text. */
  lastToolOutput?: string | undefined;
  tools: ToolSpec[];
}

export type Reply =
  | { kind: 'text'; text: string; slow: boolean }
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  | { kind: 'error'; status: number };

/** Words of the long answer streamed for `MOCK_SLOW`: one frame each. */
export const SLOW_ANSWER_WORDS =
  'this is a deliberately slow answer from the mock streamed one word at a time so that a cancel can land midway'.split(
    ' ',
  );

/** The shell command every tool round runs. */
export const TOOL_COMMAND = 'echo hi';

/**
 * Picks the answer for a request.
 *
 * @example
 * decideReply({ userTurns: 1, latestUserText: 'say hello', tools: [] })
 * // → { kind: 'text', text: 'hello from mock (user turns seen: 1)', slow: false }
 */
export function decideReply(conversation: Conversation): Reply {
  if (conversation.lastToolOutput !== undefined) {
    return { kind: 'text', text: `tool said: ${conversation.lastToolOutput.trim()}`, slow: false };
  }
  const text = conversation.latestUserText;
  const httpStatus = /MOCK_HTTP_(\d{3})/.exec(text);
  if (httpStatus) return { kind: 'error', status: Number(httpStatus[1]) };
  if (text.includes('MOCK_SLOW')) return { kind: 'text', text: SLOW_ANSWER_WORDS.join(' '), slow: true };
  if (text.includes('USE_TOOL')) {
    const call = shellToolCall(conversation.tools);
    if (call) return { kind: 'tool', ...call };
  }
  return { kind: 'text', text: `hello from mock (user turns seen: ${conversation.userTurns})`, slow: false };
}

// Shell tools of the CLIs the mock serves: claude `Bash`, codex `exec_command` / `shell` /
// `shell_command`, opencode and pi `bash`.
const SHELL_TOOL_NAMES = [
  'bash',
  'exec_command',
  'shell_command',
  'shell',
  'local_shell',
  'run_shell_command',
];

/**
 * A call of the request's own shell tool running `echo hi`, with arguments shaped by that tool's
 * schema; undefined when the request offers no shell tool.
 */
export function shellToolCall(
  tools: ToolSpec[],
): { name: string; input: Record<string, unknown> } | undefined {
  const tool = SHELL_TOOL_NAMES.map((name) => tools.find((t) => t.name.toLowerCase() === name)).find(
    (t) => t !== undefined,
  );
  if (!tool) return undefined;
  const schema = asRecord(tool.schema);
  const properties = asRecord(schema.properties);
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
  const key = 'command' in properties ? 'command' : 'cmd' in properties ? 'cmd' : 'command';
  const input: Record<string, unknown> = {
    [key]: asRecord(properties[key]).type === 'array' ? ['bash', '-lc', TOOL_COMMAND] : TOOL_COMMAND,
  };
  for (const name of required) {
    if (name in input) continue;
    const type = asRecord(properties[name]).type;
    if (type === undefined || type === 'string') input[name] = name === 'description' ? 'Print hi' : 'mock';
  }
  return { name: tool.name, input };
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Text blocks clients inject into user turns as context; they are not something a person typed. */
const INJECTED_BLOCK = /^\s*<([a-z_-]+)[^>]*>[\s\S]*<\/\1>\s*$/i;

/**
 * The typed text of a user message's content (a string, or blocks with `text`), leaving out
 * injected context blocks such as `<system-reminder>…</system-reminder>` or `<environment_context>`.
 */
export function typedText(content: unknown): string {
  const texts =
    typeof content === 'string'
      ? [content]
      : Array.isArray(content)
        ? content.map((block) => asRecord(block).text).filter((t): t is string => typeof t === 'string')
        : [];
  return texts.filter((t) => t.trim() !== '' && !INJECTED_BLOCK.test(t)).join('\n');
}

/** Flattens a tool result (a string, or blocks with `text`) to text. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => asRecord(block).text)
    .filter((t): t is string => typeof t === 'string')
    .join('\n');
}

/** Counts typed user turns and returns the latest one's text. */
export function userTurns(contents: unknown[]): { userTurns: number; latestUserText: string } {
  const typed = contents.map(typedText).filter((t) => t !== '');
  return { userTurns: typed.length, latestUserText: typed.at(-1) ?? '' };
}
