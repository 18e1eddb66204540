import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessExit, RunRequest } from '../../src/engines/adapter.ts';
import { CLAUDE_DEFAULT_ALLOWED_TOOLS, claudeAdapter } from '../../src/engines/claude.ts';
import type { ActionEvent, CompletedEvent, EngineEvent, JsonObject } from '../../src/engines/events.ts';
import { assertEventInvariants } from '../support/event-invariants.ts';
import { linesOf } from '../support/jsonl-lines.ts';

const fixtureDir = new URL('../fixtures/engines/claude/', import.meta.url);
const cwd = '/home/dev/project';
const CLEAN: ProcessExit = { code: 0, signal: null, stderrTail: [] };
const SESSION = '1b5e6e5e-d4de-4f95-b201-992172df97f5';

function fixture(name: string): string {
  return readFileSync(new URL(name, fixtureDir), 'utf8');
}

function run(lines: string[], exit: ProcessExit = CLEAN, request: Partial<RunRequest> = {}): EngineEvent[] {
  const translator = claudeAdapter.createTranslator({ prompt: 'p', cwd, ...request });
  const events = lines.flatMap((line) => translator.translateLine(line));
  events.push(...translator.finish(exit));
  assertEventInvariants(events);
  return events;
}

const json = (value: unknown): string => JSON.stringify(value);
const init = (session = SESSION): string =>
  json({ type: 'system', subtype: 'init', session_id: session, model: 'claude-sonnet-4-5', cwd });
const assistant = (...content: JsonObject[]): string =>
  json({ type: 'assistant', message: { role: 'assistant', model: 'claude-sonnet-4-5', content } });
const toolResult = (id: string, content: unknown, isError = false): string =>
  json({
    type: 'user',
    message: {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }],
    },
  });
const result = (fields: JsonObject = {}): string =>
  json({
    type: 'result',
    subtype: 'success',
    is_error: false,
    duration_ms: 10,
    duration_api_ms: 5,
    num_turns: 1,
    result: 'done',
    session_id: SESSION,
    ...fields,
  });

function completedOf(events: EngineEvent[]): CompletedEvent {
  const last = events.at(-1);
  if (last?.type !== 'completed') throw new Error(`last event is ${last?.type}, not completed`);
  return last;
}

function actionsOf(events: EngineEvent[]): ActionEvent[] {
  return events.filter((e): e is ActionEvent => e.type === 'action');
}

interface ExpectedCase {
  fixture: string;
  input_filter: string;
  exit_code: number;
  events: EngineEvent[];
}

describe('claude translation of takopi fixtures', () => {
  const expected = JSON.parse(fixture('takopi-expected.json')) as { cases: ExpectedCase[] };

  it.each(expected.cases.map((c) => [`${c.fixture} (${c.input_filter})`, c] as const))(
    'produces exactly takopi’s normalized events for %s',
    (_name, c) => {
      let lines = linesOf(fixture(c.fixture));
      const only = /only lines containing session_id (\S+)/.exec(c.input_filter)?.[1];
      if (only) lines = lines.filter((line) => line.includes(only));
      const events = run(lines, { code: c.exit_code, signal: null, stderrTail: [] });
      expect(events).toStrictEqual(c.events);
    },
  );
});

describe('claude translation of real CLI captures', () => {
  it.each([
    {
      file: 'claude-text.jsonl',
      resume: undefined,
      ok: true,
      answer: 'hello from mock (user turns seen: 1)',
    },
    {
      file: 'claude-resume.jsonl',
      resume: SESSION,
      ok: true,
      answer: 'hello from mock (user turns seen: 2)',
    },
    { file: 'claude-tool.jsonl', resume: undefined, ok: true, answer: 'tool said: hi' },
  ])('reads $file as a successful run answering $answer', ({ file, resume, ok, answer }) => {
    const lines = linesOf(fixture(file));
    const sessionId = JSON.parse(lines[0]!).session_id as string;
    const events = run(lines, CLEAN, { resume });
    expect(events[0]).toMatchObject({
      type: 'started',
      resume: { engine: 'claude', value: sessionId },
      title: 'claude-sonnet-4-5',
    });
    const completed = completedOf(events);
    expect(completed).toMatchObject({
      ok,
      answer,
      error: null,
      resume: { engine: 'claude', value: sessionId },
    });
    expect(completed.usage).toMatchObject({
      num_turns: expect.any(Number),
      total_cost_usd: expect.any(Number),
    });
  });

  it('shows the tool round of the tool capture as one command, started then completed ok', () => {
    const actions = actionsOf(run(linesOf(fixture('claude-tool.jsonl'))));
    expect(actions.map((a) => [a.action.id, a.action.kind, a.action.title, a.phase, a.ok])).toEqual([
      ['toolu_mwxkzv3l4', 'command', 'echo hi', 'started', null],
      ['toolu_mwxkzv3l4', 'command', 'echo hi', 'completed', true],
    ]);
    expect(actions[1]!.action.detail).toMatchObject({ result_preview: 'hi', result_len: 2, is_error: false });
  });

  it('fails the 401 capture although claude reports subtype success, showing the error once', () => {
    const events = run(linesOf(fixture('claude-error401.jsonl')), {
      code: 1,
      signal: null,
      stderrTail: [],
    });
    expect(actionsOf(events)).toEqual([]);
    expect(completedOf(events)).toMatchObject({
      ok: false,
      answer: '',
      error: 'Failed to authenticate. API Error: 401 mock: forced HTTP 401',
      resume: { engine: 'claude', value: '86db3d41-f874-4c26-8337-eab7b8a991c7' },
    });
  });
});

describe('claude stream edge cases', () => {
  const text = fixture('claude-tool.jsonl');
  const baseline = run(linesOf(text));

  it('treats a last line without trailing newline like any other line', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(run(linesOf(text.slice(0, -1)))).toStrictEqual(baseline);
  });

  it('ignores blank lines and CRLF line ends', () => {
    const lines = linesOf(text).flatMap((line) => ['', '   ', `${line}\r`]);
    expect(run(lines)).toStrictEqual(baseline);
  });

  it('turns malformed lines in the middle into warnings and keeps the rest of the run', () => {
    const lines = linesOf(text);
    lines.splice(2, 0, 'not json', '{"type":"assistant"', '[1,2]', '"text"');
    const events = run(lines);
    const warnings = actionsOf(events).filter((a) => a.action.kind === 'warning');
    expect(warnings.map((w) => [w.action.id, w.action.title, w.ok, w.level])).toEqual([
      ['claude.note.1', 'invalid JSON from claude; ignoring line', false, 'warning'],
      ['claude.note.2', 'invalid JSON from claude; ignoring line', false, 'warning'],
      ['claude.note.3', 'invalid JSON from claude; ignoring line', false, 'warning'],
      ['claude.note.4', 'invalid JSON from claude; ignoring line', false, 'warning'],
    ]);
    expect(events.filter((e) => !warnings.includes(e as ActionEvent))).toStrictEqual(baseline);
  });

  it('ignores message types and content blocks it does not know', () => {
    const events = run([
      init(),
      json({ type: 'rate_limit_event', info: {} }),
      json({ type: 'stream_event', event: {} }),
      json({ type: 'system', subtype: 'compact_boundary' }),
      assistant({ type: 'redacted_thinking', data: 'x' }, { type: 'image', source: {} }),
      result(),
    ]);
    expect(events.map((e) => e.type)).toEqual(['started', 'completed']);
  });

  it('keeps the completion of the result line when the process then exits non-zero', () => {
    const events = run([init(), result()], { code: 1, signal: null, stderrTail: ['late noise'] });
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'done', error: null });
  });

  it.each([
    { exit: { code: 1, signal: null }, message: 'claude failed (rc=1).' },
    { exit: { code: null, signal: 'SIGTERM' }, message: 'claude failed (signal SIGTERM).' },
    { exit: { code: 137, signal: null }, message: 'claude failed (rc=137).' },
  ])(
    'fails without the partial answer and with stderr when it exits $exit without a result',
    ({ exit, message }) => {
      const events = run([init(), assistant({ type: 'text', text: 'half an answer' })], {
        ...exit,
        stderrTail: ['Error: boom', '', 'at main'],
      });
      const note = events.at(-2) as ActionEvent;
      expect(note).toMatchObject({ type: 'action', action: { kind: 'warning', title: message }, ok: false });
      expect(completedOf(events)).toStrictEqual({
        type: 'completed',
        engine: 'claude',
        ok: false,
        answer: '',
        resume: { engine: 'claude', value: SESSION },
        error: `${message}\nError: boom\nat main`,
        usage: null,
      });
    },
  );

  it('fails a clean exit without a result, keeping the last assistant text', () => {
    const events = run([init(), assistant({ type: 'text', text: 'almost' })]);
    expect(completedOf(events)).toMatchObject({
      ok: false,
      answer: 'almost',
      error: 'claude finished without a result event',
      resume: { engine: 'claude', value: SESSION },
    });
  });

  it('fails a clean exit that printed nothing, without a started event', () => {
    const events = run([], { code: 0, signal: null, stderrTail: ['Invalid API key'] });
    expect(events).toStrictEqual([
      {
        type: 'completed',
        engine: 'claude',
        ok: false,
        answer: '',
        resume: null,
        error: 'claude finished but no session_id was captured\nInvalid API key',
        usage: null,
      },
    ]);
  });

  it('fails a result with is_error and subtype success, whatever the subtype says', () => {
    const events = run([init(), result({ is_error: true, result: 'API Error: 500 overloaded' })]);
    expect(completedOf(events)).toMatchObject({ ok: false, answer: '', error: 'API Error: 500 overloaded' });
  });

  it('names the subtype when a failed result has no text', () => {
    const events = run([init(), result({ is_error: true, subtype: 'error_max_turns', result: '' })]);
    expect(completedOf(events)).toMatchObject({ ok: false, error: 'claude run failed (error_max_turns)' });
  });

  it('answers with the last assistant text when the result text is empty', () => {
    const events = run([
      init(),
      assistant({ type: 'text', text: 'first' }, { type: 'text', text: 'second' }),
      result({ result: '' }),
    ]);
    expect(completedOf(events).answer).toBe('second');
  });

  it('shows thinking blocks as completed notes numbered with the warnings', () => {
    const events = run([
      init(),
      'garbage',
      assistant(
        { type: 'thinking', thinking: 'Let me look.', signature: 'sig' },
        { type: 'thinking', thinking: '' },
      ),
      result(),
    ]);
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.action.title, a.phase, a.ok])).toEqual(
      [
        ['claude.note.1', 'warning', 'invalid JSON from claude; ignoring line', 'completed', false],
        ['claude.thinking.2', 'note', 'Let me look.', 'completed', true],
      ],
    );
    expect(actionsOf(events)[1]!.action.detail).toEqual({ signature: 'sig' });
  });

  it('titles tools relative to the run cwd and records file changes', () => {
    const events = run([
      init(),
      assistant(
        { type: 'tool_use', id: 't1', name: 'Edit', input: { file_path: `${cwd}/src/app.ts` } },
        { type: 'tool_use', id: 't2', name: 'Task', input: { description: 'explore' } },
        { type: 'tool_use', id: 't3', name: 'Read', input: { file_path: `${cwd}/README.md` } },
      ),
      result(),
    ]);
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.action.title])).toEqual([
      ['t1', 'file_change', 'src/app.ts'],
      ['t2', 'subagent', 'explore'],
      ['t3', 'tool', 'read: `README.md`'],
    ]);
    expect(actionsOf(events)[0]!.action.detail['changes']).toEqual([
      { path: `${cwd}/src/app.ts`, kind: 'update' },
    ]);
  });

  it('completes a tool result for an unknown tool call as a generic tool, and a failed one as not ok', () => {
    const events = run([
      init(),
      assistant({ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'false' } }),
      toolResult('t1', [{ type: 'text', text: 'exit 1' }], true),
      toolResult('ghost', 'orphan'),
      result(),
    ]);
    const completed = actionsOf(events).filter((a) => a.phase === 'completed');
    expect(completed.map((a) => [a.action.id, a.action.kind, a.action.title, a.ok])).toEqual([
      ['t1', 'command', 'false', false],
      ['ghost', 'tool', 'tool result', true],
    ]);
  });

  it('clips long tool output in the detail but reports its full length', () => {
    const output = 'x'.repeat(10_000);
    const events = run([
      init(),
      assistant({ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'yes' } }),
      toolResult('t1', output),
      result(),
    ]);
    const detail = actionsOf(events)[1]!.action.detail;
    expect(detail['result_len']).toBe(10_000);
    expect((detail['result_preview'] as string).length).toBeLessThan(10_000);
  });

  it('keeps one note per API retry sequence, updated in place', () => {
    const retry = (attempt: number): string =>
      json({
        type: 'system',
        subtype: 'api_retry',
        attempt,
        max_retries: 10,
        retry_delay_ms: 500,
        error_status: 529,
        error: 'overloaded',
      });
    const events = run([
      init(),
      retry(1),
      retry(2),
      assistant({ type: 'text', text: 'ok' }),
      retry(1),
      result(),
    ]);
    expect(actionsOf(events).map((a) => [a.action.id, a.phase, a.action.title])).toEqual([
      ['claude.api_retry.1', 'started', 'API error (529 overloaded); retry 1/10'],
      ['claude.api_retry.1', 'updated', 'API error (529 overloaded); retry 2/10'],
      ['claude.api_retry.2', 'started', 'API error (529 overloaded); retry 1/10'],
    ]);
  });

  it('keeps the first session when claude reports a second, different one', () => {
    const events = run([init(), init('other-session'), result()]);
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(actionsOf(events)[0]!.action.title).toContain('other-session');
    expect(completedOf(events).resume).toEqual({ engine: 'claude', value: SESSION });
  });

  it('warns when a resumed run comes back with a new session id', () => {
    const events = run([init('fresh-session'), result({ session_id: 'fresh-session' })], CLEAN, {
      resume: SESSION,
    });
    expect(actionsOf(events)[0]!.action.title).toBe(
      `claude started session fresh-session instead of resuming ${SESSION}`,
    );
    expect(completedOf(events).resume).toEqual({ engine: 'claude', value: 'fresh-session' });
  });

  it('drops everything after the result line', () => {
    const events = run([
      init(),
      result(),
      assistant({ type: 'tool_use', id: 'late', name: 'Bash', input: {} }),
    ]);
    expect(events.map((e) => e.type)).toEqual(['started', 'completed']);
  });
});

describe('claude invocation', () => {
  const base: RunRequest = { prompt: 'fix it', cwd };
  const head = ['-p', '--output-format', 'stream-json', '--verbose'];

  it.each<[string, Partial<RunRequest>, string[]]>([
    ['a new run', {}, [...head, '--allowedTools', 'Bash,Read,Edit,Write', '--', 'fix it']],
    [
      'a resumed run',
      { resume: SESSION },
      [...head, '--resume', SESSION, '--allowedTools', 'Bash,Read,Edit,Write', '--', 'fix it'],
    ],
    [
      'a config model',
      { config: { model: 'opus' } },
      [...head, '--model', 'opus', '--allowedTools', 'Bash,Read,Edit,Write', '--', 'fix it'],
    ],
    [
      'a /model override over the config model',
      { model: 'haiku', config: { model: 'opus' } },
      [...head, '--model', 'haiku', '--allowedTools', 'Bash,Read,Edit,Write', '--', 'fix it'],
    ],
    [
      'custom allowed tools',
      { config: { allowed_tools: ['Bash(git *)', 'Edit'] } },
      [...head, '--allowedTools', 'Bash(git *),Edit', '--', 'fix it'],
    ],
    ['an empty allowed tools list', { config: { allowed_tools: [] } }, [...head, '--', 'fix it']],
    ['a null allowed tools list', { config: { allowed_tools: null } }, [...head, '--', 'fix it']],
    [
      'permissions skipped',
      { config: { allowed_tools: [], dangerously_skip_permissions: true } },
      [...head, '--dangerously-skip-permissions', '--', 'fix it'],
    ],
    [
      'a prompt that looks like a flag',
      { prompt: '--help me' },
      [...head, '--allowedTools', 'Bash,Read,Edit,Write', '--', '--help me'],
    ],
    [
      'a reasoning override, which claude has no flag for',
      { reasoning: 'high' },
      [...head, '--allowedTools', 'Bash,Read,Edit,Write', '--', 'fix it'],
    ],
  ])('builds the argv for %s', (_name, request, args) => {
    const invocation = claudeAdapter.buildInvocation({ ...base, ...request });
    expect(invocation).toStrictEqual({
      command: 'claude',
      args,
      cwd,
      env: {},
      unsetEnv: ['ANTHROPIC_API_KEY'],
    });
  });

  it('defaults to the four basic tools', () => {
    expect(CLAUDE_DEFAULT_ALLOWED_TOOLS).toEqual(['Bash', 'Read', 'Edit', 'Write']);
  });

  it.each([
    [{}, ['ANTHROPIC_API_KEY']],
    [{ use_api_billing: false }, ['ANTHROPIC_API_KEY']],
    [{ use_api_billing: true }, []],
  ])('with config %j removes %j from the environment', (config, unsetEnv) => {
    expect(claudeAdapter.buildInvocation({ ...base, config }).unsetEnv).toEqual(unsetEnv);
  });

  it('leaves stdin closed: the prompt is an argument', () => {
    expect(claudeAdapter.buildInvocation(base).stdin).toBeUndefined();
  });

  it('starts the events with a note that a reasoning override is ignored', () => {
    const events = run(linesOf(fixture('claude-text.jsonl')), CLEAN, { reasoning: 'high' });
    expect(events[0]).toStrictEqual({
      type: 'action',
      engine: 'claude',
      action: {
        id: 'claude.override.reasoning',
        kind: 'note',
        title: 'reasoning override is not supported for `claude`; ignoring.',
        detail: {},
      },
      phase: 'completed',
      ok: true,
      message: null,
      level: null,
    });
    expect(events.slice(1)).toStrictEqual(run(linesOf(fixture('claude-text.jsonl'))));
  });

  it('gives the reasoning note even when the process prints nothing', () => {
    const events = run([], { code: 1, signal: null, stderrTail: [] }, { reasoning: 'low' });
    expect(events.map((e) => (e.type === 'action' ? e.action.id : e.type))).toEqual([
      'claude.override.reasoning',
      'claude.note.1',
      'completed',
    ]);
  });

  it('describes itself for the doctor and the spawner', () => {
    expect(claudeAdapter).toMatchObject({
      id: 'claude',
      binary: 'claude',
      installHint: 'npm install -g @anthropic-ai/claude-code',
      supportsReasoning: false,
    });
  });
});

describe('claude resume lines', () => {
  const { resume } = claudeAdapter;

  it('formats the interactive resume command in backticks', () => {
    expect(resume.format(SESSION)).toBe(`\`claude --resume ${SESSION}\``);
  });

  it.each<[string, string | undefined]>([
    [`claude --resume ${SESSION}`, SESSION],
    [`\`claude --resume ${SESSION}\``, SESSION],
    [`  CLAUDE -r ${SESSION}  `, SESSION],
    [`done.\n\n\`claude --resume first\`\nmore text\n\`claude --resume second\`\n`, 'second'],
    ['done.\r\n`claude --resume abc`\r\n', 'abc'],
    ['please run claude --resume abc later', undefined],
    ['claude --resume', undefined],
    ['claude --resume --help', undefined],
    ['claude --resume a b', undefined],
    ['`codex resume abc`', undefined],
    ['`pi --session abc`', undefined],
    ['', undefined],
  ])('extracts from %j the token %j', (text, token) => {
    expect(resume.extract(text)).toBe(token);
  });

  it('reads back what it formats', () => {
    expect(resume.extract(`answer\n\n${resume.format(SESSION)}`)).toBe(SESSION);
  });

  it.each([
    [`\`claude --resume ${SESSION}\``, true],
    [`claude -r ${SESSION}`, true],
    [`see claude --resume ${SESSION}`, false],
    ['`codex resume abc`', false],
  ])('says whether %j is a resume line: %s', (line, expected) => {
    expect(resume.isResumeLine(line)).toBe(expected);
  });
});
