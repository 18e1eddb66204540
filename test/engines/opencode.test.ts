import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessExit, RunRequest } from '../../src/engines/adapter.ts';
import type { ActionEvent, CompletedEvent, EngineEvent } from '../../src/engines/events.ts';
import { opencodeAdapter, validateOpencodeConfig } from '../../src/engines/opencode.ts';
import { assertEventInvariants } from '../support/event-invariants.ts';
import { linesOf } from '../support/jsonl-lines.ts';

const fixtureDir = new URL('../fixtures/engines/opencode/', import.meta.url);
const cwd = '/home/dev/project';
const CLEAN: ProcessExit = { code: 0, signal: null, stderrTail: [] };
const SESSION = 'ses_494719016ffe85dkDMj0FPRbHK';

function fixture(name: string): string {
  return readFileSync(new URL(name, fixtureDir), 'utf8');
}

function run(lines: string[], exit: ProcessExit = CLEAN, request: Partial<RunRequest> = {}): EngineEvent[] {
  const translator = opencodeAdapter.createTranslator({ prompt: 'p', cwd, ...request });
  const events = lines.flatMap((line) => translator.translateLine(line));
  events.push(...translator.finish(exit));
  assertEventInvariants(events);
  return events;
}

const json = (value: unknown): string => JSON.stringify(value);
const line = (type: string, fields: Record<string, unknown> = {}, sessionID = SESSION): string =>
  json({ type, timestamp: 1, sessionID, ...fields });
const stepStart = line('step_start', { part: { type: 'step-start' } });
const text = (value: string, messageID = 'msg_1') =>
  line('text', { part: { type: 'text', text: value, messageID } });
const stepFinish = (reason?: string) =>
  line('step_finish', { part: { type: 'step-finish', ...(reason ? { reason } : {}) } });
const tool = (callID: string, toolName: string, state: Record<string, unknown>) =>
  line('tool_use', { part: { id: `prt_${callID}`, type: 'tool', callID, tool: toolName, state } });

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
  exit_code: number;
  resume_in: string | null;
  events: EngineEvent[];
}

describe('opencode translation of takopi fixtures', () => {
  const expected = JSON.parse(fixture('takopi-expected.json')) as { cases: ExpectedCase[] };

  it.each(expected.cases.map((c) => [c.fixture, c] as const))(
    'produces exactly takopi’s normalized events for %s',
    (_name, c) => {
      const events = run(
        linesOf(fixture(c.fixture)),
        { code: c.exit_code, signal: null, stderrTail: [] },
        {
          resume: c.resume_in ?? undefined,
        },
      );
      const want = JSON.parse(JSON.stringify(c.events).replaceAll('<CWD>', cwd));
      expect(events).toStrictEqual(want);
    },
  );
});

describe('opencode translation of real CLI captures', () => {
  it.each([
    {
      file: 'opencode-text.jsonl',
      exit: 0,
      ok: true,
      answer: 'hello from mock (user turns seen: 1)',
      resume: 'ses_de7fb2a94ffeSZYk3gtVGJXKdy',
      actions: [],
      error: null,
    },
    {
      file: 'opencode-resume.jsonl',
      exit: 0,
      ok: true,
      answer: 'hello from mock (user turns seen: 2)',
      resume: 'ses_de7fb2a94ffeSZYk3gtVGJXKdy',
      actions: [],
      error: null,
    },
    {
      file: 'opencode-tool.jsonl',
      exit: 0,
      ok: true,
      answer: 'tool said: hi',
      resume: 'ses_de7fb1f51ffe42TwsY98CqLLyP',
      actions: [['call_mwxl02o0z', 'command', 'echo hi', 'completed', true]],
      error: null,
    },
    {
      file: 'opencode-error401.jsonl',
      exit: 1,
      ok: false,
      answer: '',
      resume: 'ses_de7fafe7bffeTWJgzwHqOYVIcJ',
      actions: [],
      error: 'mock: forced HTTP 401',
    },
  ])('reads $file: ok=$ok, the answer, the session id and its actions', (c) => {
    const events = run(linesOf(fixture(c.file)), { code: c.exit, signal: null, stderrTail: ['ignored'] });
    expect(events[0]).toStrictEqual({
      type: 'started',
      engine: 'opencode',
      resume: { engine: 'opencode', value: c.resume },
      title: 'opencode',
      meta: null,
    });
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.action.title, a.phase, a.ok])).toEqual(
      c.actions,
    );
    expect(completedOf(events)).toStrictEqual({
      type: 'completed',
      engine: 'opencode',
      ok: c.ok,
      answer: c.answer,
      resume: { engine: 'opencode', value: c.resume },
      error: c.error,
      usage: null,
    });
  });

  it('keeps the tool’s output and exit code in the action detail', () => {
    const events = run(linesOf(fixture('opencode-tool.jsonl')));
    expect(actionsOf(events)[0]?.action.detail).toStrictEqual({
      name: 'bash',
      input: { command: 'echo hi' },
      callID: 'call_mwxl02o0z',
      output_preview: 'hi\n',
      exit_code: 0,
    });
  });
});

describe('opencode stream hygiene', () => {
  const source = fixture('opencode_stream_success.jsonl');
  const reference = run(linesOf(source));

  it('gives the same events when the last line has no trailing newline', () => {
    expect(source.endsWith('\n')).toBe(true);
    expect(run(linesOf(source.slice(0, -1)))).toStrictEqual(reference);
    // Without a newline after it, the error line still fails the run (takopi dropped it).
    const errorRun = run(linesOf(fixture('opencode_stream_error.jsonl').trimEnd()));
    expect(completedOf(errorRun)).toMatchObject({ ok: false, error: 'Rate limit exceeded' });
  });

  it('ignores blank lines, surrounding spaces and CRLF line ends', () => {
    const messy = linesOf(source).flatMap((l) => ['', `\t${l} \r`, '\r']);
    expect(run(messy)).toStrictEqual(reference);
  });

  it('turns malformed lines in the middle into warnings and carries on', () => {
    const lines = linesOf(source);
    const events = run([...lines.slice(0, 2), '{oops', 'null', ...lines.slice(2)]);
    const warnings = actionsOf(events).filter((a) => a.action.id.startsWith('opencode.note.'));
    expect(warnings.map((w) => [w.action.id, w.action.kind, w.action.title, w.ok])).toEqual([
      ['opencode.note.1', 'warning', 'invalid JSON from opencode; ignoring line', false],
      ['opencode.note.2', 'warning', 'invalid JSON from opencode; ignoring line', false],
    ]);
    const withoutWarnings = events.filter(
      (e) => !(e.type === 'action' && e.action.id.startsWith('opencode.note.')),
    );
    expect(withoutWarnings).toStrictEqual(reference);
  });
});

describe('opencode start and end', () => {
  it('starts on the first line that carries a session id, whatever its type', () => {
    const events = run([
      json({ type: 'text', part: { text: 'no session yet' } }),
      text('hi'),
      stepFinish('stop'),
    ]);
    expect(events.map((e) => e.type)).toEqual(['started', 'completed']);
    expect(completedOf(events)).toMatchObject({
      ok: true,
      answer: 'no session yethi',
      resume: { value: SESSION },
    });
  });

  it('completes on the first step_finish with reason stop and ignores what follows', () => {
    const events = run([
      stepStart,
      text('one'),
      stepFinish('stop'),
      text('two'),
      line('error', { error: 'late' }),
    ]);
    expect(events.map((e) => e.type)).toEqual(['started', 'completed']);
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'one', error: null });
  });

  it('does not complete on a tool-calls step, only on the stop after it', () => {
    const translator = opencodeAdapter.createTranslator({ prompt: 'p', cwd });
    expect(translator.translateLine(stepStart).map((e) => e.type)).toEqual(['started']);
    expect(translator.translateLine(stepFinish('tool-calls'))).toEqual([]);
    expect(translator.translateLine(stepFinish('stop')).map((e) => e.type)).toEqual(['completed']);
  });

  it('sets the texts of different messages apart and joins parts of one message as they are', () => {
    const events = run([
      text('Hello ', 'msg_a'),
      text('World', 'msg_a'),
      text('Done.', 'msg_b'),
      stepFinish('stop'),
    ]);
    expect(completedOf(events).answer).toBe('Hello World\n\nDone.');
  });

  it.each([
    ['a string message', { message: 'plain failure' }, 'plain failure'],
    [
      'an API error',
      { error: { name: 'APIError', data: { message: 'Rate limit', statusCode: 429 } } },
      'Rate limit',
    ],
    ['an error with only a message', { error: { message: 'bad gateway' } }, 'bad gateway'],
    ['an error with only a name', { error: { name: 'ProviderAuthError', data: {} } }, 'ProviderAuthError'],
    ['a string error', { error: 'boom' }, 'boom'],
    ['a null error', { error: null }, 'opencode error'],
  ])('fails the run on an error line with %s', (_what, fields, message) => {
    const events = run([stepStart, text('partial'), line('error', fields)], {
      code: 1,
      signal: null,
      stderrTail: ['x'],
    });
    expect(completedOf(events)).toMatchObject({ ok: false, answer: 'partial', error: message });
  });

  it('treats a done line as the end of the run', () => {
    const events = run([stepStart, text('ok'), stepFinish('tool-calls'), line('done', { reason: 'idle' })]);
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'ok' });
  });
});

describe('opencode exit codes', () => {
  it.each<[string, string[], ProcessExit, Partial<CompletedEvent>]>([
    [
      'a clean exit after a step finished without a reason',
      [stepStart, text('All done.'), stepFinish()],
      CLEAN,
      { ok: true, answer: 'All done.', error: null },
    ],
    [
      'a clean exit after only a tool-calls step',
      [stepStart, text('ran it'), stepFinish('tool-calls')],
      CLEAN,
      { ok: true, answer: 'ran it' },
    ],
    [
      'a clean exit with no step finished',
      [stepStart, text('half')],
      { code: 0, signal: null, stderrTail: ['warn: slow'] },
      { ok: false, answer: 'half', error: 'opencode finished without a result event\nwarn: slow' },
    ],
    [
      'a clean exit with no session at all',
      [],
      { code: 0, signal: null, stderrTail: ['Session not found'] },
      {
        ok: false,
        answer: '',
        resume: null,
        error: 'opencode finished but no session_id was captured\nSession not found',
      },
    ],
    [
      'a non-zero exit after the final event',
      [stepStart, text('fine'), stepFinish('stop')],
      { code: 1, signal: null, stderrTail: ['late'] },
      { ok: true, answer: 'fine', error: null },
    ],
    [
      'a non-zero exit without a final event',
      [stepStart, text('partial')],
      { code: 3, signal: null, stderrTail: ['Error: provider crashed', '  at x'] },
      { ok: false, answer: 'partial', error: 'opencode failed (rc=3).\nError: provider crashed\n  at x' },
    ],
    [
      'a kill by signal',
      [stepStart],
      { code: null, signal: 'SIGKILL', stderrTail: [] },
      {
        ok: false,
        answer: '',
        error: 'opencode failed (signal SIGKILL).',
        resume: { engine: 'opencode', value: SESSION },
      },
    ],
  ])('handles %s', (_what, lines, exit, completed) => {
    const events = run(lines, exit);
    expect(completedOf(events)).toMatchObject(completed);
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
  });

  it('puts a warning note before a failure by exit code', () => {
    const events = run([stepStart], { code: 2, signal: null, stderrTail: [] });
    expect(events.at(-2)).toStrictEqual({
      type: 'action',
      engine: 'opencode',
      action: { id: 'opencode.note.1', kind: 'warning', title: 'opencode failed (rc=2).', detail: {} },
      phase: 'completed',
      ok: false,
      message: 'opencode failed (rc=2).',
      level: 'warning',
    });
  });
});

describe('opencode resumed runs and overrides', () => {
  it('emits one started for a resumed run whose stream carries the same session id', () => {
    const events = run([stepStart, text('again'), stepStart, stepFinish('stop')], CLEAN, { resume: SESSION });
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'again', resume: { value: SESSION } });
    expect(actionsOf(events)).toEqual([]);
  });

  it('keeps the resumed session id on a resumed run that printed nothing', () => {
    const events = run([], { code: 1, signal: null, stderrTail: [] }, { resume: SESSION });
    expect(completedOf(events)).toMatchObject({ ok: false, resume: { engine: 'opencode', value: SESSION } });
  });

  it('reports an ignored reasoning override as its very first event', () => {
    const events = run(['', 'garbage', stepStart, text('hi'), stepFinish('stop')], CLEAN, {
      reasoning: 'high',
    });
    expect(events[0]).toStrictEqual({
      type: 'action',
      engine: 'opencode',
      action: {
        id: 'opencode.override.reasoning',
        kind: 'note',
        title: 'reasoning override is not supported for `opencode`; ignoring.',
        detail: {},
      },
      phase: 'completed',
      ok: true,
      message: null,
      level: null,
    });
    expect(
      events.filter((e) => e.type === 'action' && e.action.id === 'opencode.override.reasoning'),
    ).toHaveLength(1);
  });

  it('reports the ignored reasoning override even when the process printed nothing', () => {
    const events = run([], { code: 1, signal: null, stderrTail: [] }, { reasoning: 'low' });
    expect(events.map((e) => (e.type === 'action' ? e.action.id : e.type))).toEqual([
      'opencode.override.reasoning',
      'opencode.note.1',
      'completed',
    ]);
  });

  it('emits no reasoning note without an override', () => {
    const events = run([stepStart, stepFinish('stop')]);
    expect(actionsOf(events)).toEqual([]);
  });

  it('titles the session with the model in use', () => {
    const events = run([stepStart], CLEAN, { model: 'mock/override', config: { model: 'mock/config' } });
    expect(events[0]).toMatchObject({ type: 'started', title: 'mock/override' });
    const fromConfig = run([stepStart], CLEAN, { config: { model: 'mock/config' } });
    expect(fromConfig[0]).toMatchObject({ type: 'started', title: 'mock/config' });
  });
});

describe('opencode tool actions', () => {
  it.each([
    ['exit 0', { exit: 0 }, true],
    ['exit 1', { exit: 1 }, false],
    ['no exit code', {}, true],
  ])('judges a finished bash call with %s', (_what, metadata, ok) => {
    const events = run([
      stepStart,
      tool('c1', 'bash', { status: 'completed', input: { command: 'ls' }, output: 'x', metadata }),
    ]);
    expect(actionsOf(events)[0]).toMatchObject({ action: { id: 'c1', kind: 'command', title: 'ls' }, ok });
  });

  it('uses opencode’s own title, and a file path title in backticks relative to the run', () => {
    const events = run([
      stepStart,
      tool('c1', 'bash', {
        status: 'completed',
        input: { command: 'ls' },
        title: 'List files',
        metadata: {},
      }),
      tool('c2', 'read', {
        status: 'completed',
        input: { filePath: `${cwd}/src/app.ts` },
        title: `${cwd}/src/app.ts`,
        output: '…',
        metadata: {},
      }),
      tool('c3', 'read', { status: 'completed', input: { filePath: 'a.md' }, title: 'a.md', metadata: {} }),
      tool('c4', 'grep', { status: 'completed', input: { pattern: 'TODO' }, metadata: {} }),
    ]);
    expect(actionsOf(events).map((a) => [a.action.kind, a.action.title])).toEqual([
      ['command', 'List files'],
      ['tool', '`src/app.ts`'],
      ['tool', '`a.md`'],
      ['tool', 'grep: TODO'],
    ]);
  });

  it('records file changes and reports failed tool calls with their error', () => {
    const events = run([
      stepStart,
      tool('e1', 'edit', { status: 'running', input: { filePath: `${cwd}/x.ts` } }),
      tool('e1', 'edit', { status: 'error', input: { filePath: `${cwd}/x.ts` }, error: 'File not found' }),
    ]);
    expect(actionsOf(events)).toStrictEqual([
      {
        type: 'action',
        engine: 'opencode',
        action: {
          id: 'e1',
          kind: 'file_change',
          title: 'x.ts',
          detail: {
            name: 'edit',
            input: { filePath: `${cwd}/x.ts` },
            callID: 'e1',
            changes: [{ path: `${cwd}/x.ts`, kind: 'update' }],
          },
        },
        phase: 'started',
        ok: null,
        message: null,
        level: null,
      },
      {
        type: 'action',
        engine: 'opencode',
        action: {
          id: 'e1',
          kind: 'file_change',
          title: 'x.ts',
          detail: {
            name: 'edit',
            input: { filePath: `${cwd}/x.ts` },
            callID: 'e1',
            changes: [{ path: `${cwd}/x.ts`, kind: 'update' }],
            error: 'File not found',
            exit_code: null,
          },
        },
        phase: 'completed',
        ok: false,
        message: 'File not found',
        level: null,
      },
    ]);
  });

  it('classifies task as a tool, falls back to the part id, and skips calls without any id', () => {
    const events = run([
      stepStart,
      tool('t1', 'task', { status: 'completed', input: { description: 'explore' }, metadata: {} }),
      line('tool_use', {
        part: {
          id: 'prt_only',
          tool: 'webfetch',
          state: { status: 'completed', input: { url: 'https://x.dev' } },
        },
      }),
      line('tool_use', { part: { tool: 'bash', state: { status: 'completed', input: { command: 'ls' } } } }),
    ]);
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.action.title])).toEqual([
      ['t1', 'tool', 'explore'],
      ['prt_only', 'web_search', 'https://x.dev'],
    ]);
  });

  it('cuts the output preview at 500 characters', () => {
    const events = run([
      stepStart,
      tool('c1', 'bash', {
        status: 'completed',
        input: { command: 'yes' },
        output: 'y'.repeat(2000),
        metadata: { exit: 0 },
      }),
    ]);
    expect(actionsOf(events)[0]?.action.detail['output_preview']).toBe('y'.repeat(500));
  });

  it('shows reasoning parts as notes', () => {
    const events = run([
      stepStart,
      line('reasoning', { part: { id: 'prt_r', type: 'reasoning', text: 'Thinking it over' } }),
    ]);
    expect(actionsOf(events)).toMatchObject([
      { action: { id: 'prt_r', kind: 'note', title: 'Thinking it over' }, ok: true },
    ]);
  });
});

describe('opencode invocation', () => {
  const tail = ['--dir', cwd, '--'];

  it.each<[string, Partial<RunRequest>, string[]]>([
    ['a new run', { prompt: 'hello world' }, ['run', '--format', 'json', ...tail, 'hello', 'world']],
    [
      'a resumed run',
      { prompt: 'continue', resume: 'ses_abc123' },
      ['run', '--format', 'json', '--session', 'ses_abc123', ...tail, 'continue'],
    ],
    [
      'a model override over the config model',
      { prompt: 'hi', model: 'mock/fast', config: { model: 'mock/slow' } },
      ['run', '--format', 'json', '--model', 'mock/fast', ...tail, 'hi'],
    ],
    [
      'the config model',
      { prompt: 'hi', config: { model: 'mock/slow' } },
      ['run', '--format', 'json', '--model', 'mock/slow', ...tail, 'hi'],
    ],
    [
      'a reasoning override, which opencode cannot take',
      { prompt: 'hi', reasoning: 'high' },
      ['run', '--format', 'json', ...tail, 'hi'],
    ],
    [
      'a prompt that looks like a flag',
      { prompt: '--help me' },
      ['run', '--format', 'json', ...tail, '--help', 'me'],
    ],
  ])('builds the argv for %s', (_what, request, args) => {
    const invocation = opencodeAdapter.buildInvocation({ prompt: 'p', cwd, ...request });
    expect(invocation).toStrictEqual({ command: 'opencode', args, cwd, env: {}, unsetEnv: [] });
    expect(invocation.stdin).toBeUndefined();
  });

  it.each([
    'a prompt with  double spaces',
    'quotes "inside" it',
    'line one\nline two\twith a tab',
    ' leading and trailing ',
    'single',
  ])('passes %j in pieces that join back to exactly the prompt', (prompt) => {
    const { args } = opencodeAdapter.buildInvocation({ prompt, cwd });
    const pieces = args.slice(args.indexOf('--') + 1);
    expect(pieces.every((piece) => !piece.includes(' '))).toBe(true);
    expect(pieces.join(' ')).toBe(prompt);
  });

  it('declares the binary and no reasoning support', () => {
    expect(opencodeAdapter).toMatchObject({ id: 'opencode', binary: 'opencode', supportsReasoning: false });
    expect(opencodeAdapter.installHint).toContain('opencode-ai');
  });

  it.each([
    [undefined, []],
    [{}, []],
    [{ model: 'anthropic/claude-sonnet-4-5' }, []],
    [{ model: 42 }, ['opencode.model: expected a "provider/model" string']],
    [{ model: '' }, ['opencode.model: expected a "provider/model" string']],
  ])('validates the config table %j', (config, problems) => {
    expect(validateOpencodeConfig(config)).toEqual(problems);
  });
});

describe('opencode resume lines', () => {
  const { resume } = opencodeAdapter;

  it('formats the interactive command in backticks and reads it back', () => {
    expect(resume.format(SESSION)).toBe(`\`opencode --session ${SESSION}\``);
    expect(resume.extract(resume.format(SESSION))).toBe(SESSION);
    expect(resume.isResumeLine(resume.format(SESSION))).toBe(true);
  });

  it.each<[string, string, string | undefined]>([
    ['the long flag', 'opencode --session ses_abc', 'ses_abc'],
    ['the short flag after run', 'opencode run -s ses_other', 'ses_other'],
    ['the short flag', '`opencode -s ses_other`', 'ses_other'],
    ['any letter case', 'OpenCode --SESSION ses_Abc1', 'ses_Abc1'],
    ['the last of several lines', '`opencode --session ses_a`\nnotes\nopencode --session ses_b', 'ses_b'],
    ['a token with underscores', 'opencode --session ses_no_reason', undefined],
    ['a token without the ses_ prefix', 'opencode --session abc', undefined],
    ['a line inside other text', 'try opencode --session ses_abc now', undefined],
    ['another engine', 'codex resume ses_abc', undefined],
  ])('extracts from %s', (_what, input, token) => {
    expect(resume.extract(input)).toBe(token);
  });

  it.each<[string, boolean]>([
    ['`opencode --session ses_abc`', true],
    ['opencode run --session ses_abc', true],
    ['opencode --session', false],
    ['`codex resume abc`', false],
  ])('tells whether %s is a resume line', (input, yes) => {
    expect(resume.isResumeLine(input)).toBe(yes);
  });
});
