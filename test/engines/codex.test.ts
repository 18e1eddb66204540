import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessExit, RunRequest } from '../../src/engines/adapter.ts';
import { CODEX_DEFAULT_EXTRA_ARGS, codexAdapter, validateCodexConfig } from '../../src/engines/codex.ts';
import type { ActionEvent, CompletedEvent, EngineEvent } from '../../src/engines/events.ts';
import { assertEventInvariants } from '../support/event-invariants.ts';
import { linesOf } from '../support/jsonl-lines.ts';

const fixtureDir = new URL('../fixtures/engines/codex/', import.meta.url);
const cwd = '/home/dev/project';
const CLEAN: ProcessExit = { code: 0, signal: null, stderrTail: [] };
const THREAD = '0199a213-81c0-7800-8aa1-bbab2a035a53';

function fixture(name: string): string {
  return readFileSync(new URL(name, fixtureDir), 'utf8');
}

function run(lines: string[], exit: ProcessExit = CLEAN, request: Partial<RunRequest> = {}): EngineEvent[] {
  const translator = codexAdapter.createTranslator({ prompt: 'p', cwd, ...request });
  const events = lines.flatMap((line) => translator.translateLine(line));
  events.push(...translator.finish(exit));
  assertEventInvariants(events);
  return events;
}

const json = (value: unknown): string => JSON.stringify(value);
const threadStarted = json({ type: 'thread.started', thread_id: THREAD });
const turnStarted = json({ type: 'turn.started' });
const turnCompleted = json({
  type: 'turn.completed',
  usage: { input_tokens: 3, cached_input_tokens: 0, output_tokens: 2 },
});
const message = (id: string, text: string, phase?: string): string =>
  json({ type: 'item.completed', item: { id, type: 'agent_message', text, ...(phase ? { phase } : {}) } });

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

describe('codex translation of takopi fixtures', () => {
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

describe('codex translation of real CLI captures', () => {
  const tool = {
    id: 'item_0',
    kind: 'command',
    title: 'echo hi',
  };
  it.each([
    {
      file: 'codex-text.jsonl',
      ok: true,
      answer: 'hello from mock (user turns seen: 1)',
      resume: '01a21804-ca32-7691-a699-d5ddaeff066b',
      actions: [['turn_0', 'turn', 'started', null]],
    },
    {
      file: 'codex-resume.jsonl',
      ok: true,
      answer: 'hello from mock (user turns seen: 2)',
      resume: '01a21804-ca32-7691-a699-d5ddaeff066b',
      actions: [['turn_0', 'turn', 'started', null]],
    },
    {
      file: 'codex-tool.jsonl',
      ok: true,
      answer:
        'tool said: Chunk ID: b7f3c5 Wall time: 0.0000 seconds Process exited with code 0 Original token count: 1 Output: hi',
      resume: '01a21804-cb78-7fe1-a8e9-e30275fb2a25',
      actions: [
        ['turn_0', 'turn', 'started', null],
        [tool.id, tool.kind, 'started', null],
        [tool.id, tool.kind, 'completed', true],
      ],
    },
    {
      file: 'codex-error401.jsonl',
      ok: false,
      answer: '',
      resume: '01a21804-cfe1-7621-b838-36916489eb6d',
      actions: [
        ['turn_0', 'turn', 'started', null],
        ['codex.note.1', 'warning', 'completed', false],
      ],
    },
  ])('reads $file: ok=$ok, the answer, the thread id and its actions', (c) => {
    const events = run(linesOf(fixture(c.file)), {
      code: c.ok ? 0 : 1,
      signal: null,
      stderrTail: ['ignored'],
    });
    expect(events[0]).toMatchObject({ type: 'started', resume: { engine: 'codex', value: c.resume } });
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.phase, a.ok])).toEqual(c.actions);
    const completed = completedOf(events);
    expect(completed).toMatchObject({
      ok: c.ok,
      answer: c.answer,
      resume: { engine: 'codex', value: c.resume },
    });
  });

  it('shows the command codex ran without its shell wrapper', () => {
    const events = run(linesOf(fixture('codex-tool.jsonl')));
    const titles = actionsOf(events)
      .filter((a) => a.action.kind === 'command')
      .map((a) => a.action.title);
    expect(titles).toEqual(['echo hi', 'echo hi']);
  });

  it('reports the 401 as the run error, with the stream error as a warning before it', () => {
    const events = run(linesOf(fixture('codex-error401.jsonl')), { code: 1, signal: null, stderrTail: [] });
    const message =
      'unexpected status 401 Unauthorized: mock: forced HTTP 401, url: http://127.0.0.1:18799/v1/responses';
    expect(actionsOf(events).at(-1)).toMatchObject({
      action: { kind: 'warning', title: message },
      level: 'warning',
    });
    expect(completedOf(events).error).toBe(message);
  });

  it('keeps the token counts codex reports in usage', () => {
    const events = run(linesOf(fixture('codex-text.jsonl')));
    expect(completedOf(events).usage).toEqual({
      input_tokens: 12,
      cached_input_tokens: 0,
      cache_write_input_tokens: 0,
      output_tokens: 7,
      reasoning_output_tokens: 0,
    });
  });
});

describe('codex stream hygiene', () => {
  const text = fixture('codex_exec_json_all_formats.jsonl');
  const reference = run(linesOf(text));

  it('gives the same events when the last line has no trailing newline', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(run(linesOf(text.slice(0, -1)))).toStrictEqual(reference);
    // The final event itself on an unterminated last line still completes the run.
    const short = [threadStarted, turnStarted, message('m', 'done'), turnCompleted].join('\n');
    expect(completedOf(run(linesOf(short)))).toMatchObject({
      ok: true,
      answer: 'done',
      usage: { input_tokens: 3 },
    });
  });

  it('ignores blank lines, surrounding spaces and CRLF line ends', () => {
    const messy = linesOf(text).flatMap((line) => ['', `  ${line}\r`, '\r', '   ']);
    expect(run(messy)).toStrictEqual(reference);
  });

  it('turns malformed lines in the middle into warnings and carries on', () => {
    const lines = linesOf(text);
    const events = run([...lines.slice(0, 3), 'not json', '{"type":', '[1,2]', ...lines.slice(3)]);
    const warnings = actionsOf(events).filter((a) => a.action.id.startsWith('codex.note.'));
    expect(warnings.map((w) => [w.action.id, w.action.kind, w.ok, w.level])).toEqual([
      ['codex.note.1', 'warning', false, 'warning'],
      ['codex.note.2', 'warning', false, 'warning'],
      ['codex.note.3', 'warning', false, 'warning'],
    ]);
    const withoutWarnings = events.filter(
      (e) => !(e.type === 'action' && e.action.id.startsWith('codex.note.')),
    );
    expect(withoutWarnings).toStrictEqual(reference);
  });

  it('treats an event it cannot read as a warning, not a crash', () => {
    const events = run([threadStarted, json({ type: 'item.completed' }), turnCompleted]);
    expect(actionsOf(events)).toMatchObject([
      { action: { id: 'codex.note.1', kind: 'warning', title: 'codex translation error; ignoring event' } },
    ]);
    expect(completedOf(events).ok).toBe(true);
  });
});

describe('codex end of stream and exit codes', () => {
  const partial = [threadStarted, turnStarted, message('m1', 'half done')];

  it('keeps the final event when the process then exits non-zero', () => {
    const events = run([...partial, turnCompleted], { code: 1, signal: null, stderrTail: ['late failure'] });
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'half done', error: null });
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
  });

  it('fails a non-zero exit without a final event, keeping the partial answer and the stderr tail', () => {
    const events = run(partial, { code: 2, signal: null, stderrTail: ['Error: boom', '', 'at main'] });
    expect(events.slice(-2)).toStrictEqual([
      {
        type: 'action',
        engine: 'codex',
        action: { id: 'codex.note.1', kind: 'warning', title: 'codex exec failed (rc=2).', detail: {} },
        phase: 'completed',
        ok: false,
        message: 'codex exec failed (rc=2).',
        level: 'warning',
      },
      {
        type: 'completed',
        engine: 'codex',
        ok: false,
        answer: 'half done',
        resume: { engine: 'codex', value: THREAD },
        error: 'codex exec failed (rc=2).\nError: boom\nat main',
        usage: null,
      },
    ]);
  });

  it('fails a run killed by a signal and names the signal', () => {
    const events = run(partial, { code: null, signal: 'SIGTERM', stderrTail: [] });
    expect(completedOf(events)).toMatchObject({
      ok: false,
      answer: 'half done',
      error: 'codex exec failed (signal SIGTERM).',
      resume: { value: THREAD },
    });
  });

  it('counts a clean exit without turn.completed as success once the thread was announced', () => {
    const events = run(partial);
    expect(completedOf(events)).toStrictEqual({
      type: 'completed',
      engine: 'codex',
      ok: true,
      answer: 'half done',
      resume: { engine: 'codex', value: THREAD },
      error: null,
      usage: null,
    });
  });

  it('fails a clean exit that never announced a thread, with the stderr tail', () => {
    const events = run([], { code: 0, signal: null, stderrTail: ['Not inside a trusted directory'] });
    expect(events).toStrictEqual([
      {
        type: 'completed',
        engine: 'codex',
        ok: false,
        answer: '',
        resume: null,
        error: 'codex exec finished but no session_id/thread_id was captured\nNot inside a trusted directory',
        usage: null,
      },
    ]);
  });

  it('reports turn.failed as a failed run with the turn’s answer so far', () => {
    const failed = json({ type: 'turn.failed', error: { message: 'quota exceeded' } });
    const events = run([...partial, failed], { code: 1, signal: null, stderrTail: ['x'] });
    expect(completedOf(events)).toMatchObject({ ok: false, answer: 'half done', error: 'quota exceeded' });
  });

  it('emits nothing after the first completed, even lines that would complete again', () => {
    const failed = json({ type: 'turn.failed', error: { message: 'second' } });
    const events = run([
      ...partial,
      turnCompleted,
      turnStarted,
      failed,
      json({ type: 'error', message: 'x' }),
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'completed', ok: true });
    expect(actionsOf(events).map((a) => a.action.id)).toEqual(['turn_0']);
  });
});

describe('codex resumed runs, warnings and reconnects', () => {
  it('emits one started for a resumed run whose stream carries the same thread id', () => {
    const events = run([threadStarted, turnStarted, message('m', 'again'), turnCompleted], CLEAN, {
      resume: THREAD,
    });
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'started', resume: { value: THREAD } });
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'again', resume: { value: THREAD } });
    expect(actionsOf(events).filter((a) => a.action.kind === 'warning')).toEqual([]);
  });

  it('keeps the resumed thread id on a failed resumed run that never printed it', () => {
    const events = run([], { code: 1, signal: null, stderrTail: [] }, { resume: THREAD });
    expect(completedOf(events)).toMatchObject({ ok: false, resume: { engine: 'codex', value: THREAD } });
  });

  it('keeps a warning that comes before the thread in order', () => {
    const events = run([json({ type: 'error', message: 'warning one' }), threadStarted, message('m', 'ok')]);
    expect(events.map((e) => e.type)).toEqual(['action', 'started', 'completed']);
    expect(events[0]).toMatchObject({
      action: { id: 'codex.note.1', kind: 'warning', title: 'warning one' },
      phase: 'completed',
      ok: false,
    });
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'ok' });
  });

  it('shows reconnect attempts as one note updated in place, and they are not fatal', () => {
    const reconnect = (n: number) =>
      json({ type: 'error', message: `Reconnecting... ${n}/5 (unexpected status 503 Service Unavailable)` });
    const events = run([
      threadStarted,
      turnStarted,
      reconnect(1),
      reconnect(2),
      message('m', 'ok'),
      turnCompleted,
    ]);
    const notes = actionsOf(events).filter((a) => a.action.id === 'codex.reconnect');
    expect(notes).toStrictEqual(
      [1, 2].map((n) => ({
        type: 'action',
        engine: 'codex',
        action: {
          id: 'codex.reconnect',
          kind: 'note',
          title: `Reconnecting... ${n}/5 (unexpected status 503 Service Unavailable)`,
          detail: { attempt: n, max: 5 },
        },
        phase: n === 1 ? 'started' : 'updated',
        ok: null,
        message: null,
        level: 'info',
      })),
    );
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'ok' });
  });

  it('accepts takopi’s bare reconnect form too', () => {
    const events = run([threadStarted, json({ type: 'error', message: 'Reconnecting... 1/5' })]);
    expect(actionsOf(events)[0]).toMatchObject({
      action: { id: 'codex.reconnect', detail: { attempt: 1, max: 5 } },
    });
  });

  it('shows the unknown-model error item, which has no id, as a warning', () => {
    const text =
      'Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can degrade performance.';
    const line = json({ type: 'item.completed', item: { type: 'error', message: text } });
    const events = run([threadStarted, line, turnStarted, message('m', 'hi'), turnCompleted]);
    expect(actionsOf(events)[0]).toStrictEqual({
      type: 'action',
      engine: 'codex',
      action: { id: 'codex.note.1', kind: 'warning', title: text, detail: { message: text } },
      phase: 'completed',
      ok: false,
      message: text,
      level: 'warning',
    });
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'hi' });
  });
});

describe('codex final answer', () => {
  it.each([
    [
      'the final_answer message after commentary',
      [
        ['Working…', 'commentary'],
        ['Done.', 'final_answer'],
      ],
      'Done.',
    ],
    ['the last of two phase-less messages', [['first'], ['second']], 'second'],
    ['final_answer over a later phase-less message', [['Final.', 'final_answer'], ['late']], 'Final.'],
    [
      'the last final_answer of several',
      [
        ['a', 'final_answer'],
        ['b', 'final_answer'],
      ],
      'b',
    ],
    ['nothing when there is only commentary', [['thinking aloud', 'commentary']], ''],
    ['nothing for an unknown phase', [['odd', 'analysis']], ''],
    ['a message with an empty phase as phase-less', [['plain', '']], 'plain'],
  ])('chooses %s', (_what, messages, answer) => {
    const lines = messages.map(([text, phase], i) => message(`m${i}`, text!, phase));
    const events = run([threadStarted, turnStarted, ...lines, turnCompleted]);
    expect(completedOf(events).answer).toBe(answer);
  });

  it('shows commentary as a progress note and ignores collab and unknown items', () => {
    const collab = json({
      type: 'item.completed',
      item: {
        id: 'c',
        type: 'collab_tool_call',
        receiver_thread_ids: [],
        agents_states: {},
        status: 'completed',
      },
    });
    const future = json({ type: 'item.completed', item: { id: 'f', type: 'future_item', foo: 1 } });
    const events = run([
      threadStarted,
      message('n', 'Looking.', 'commentary'),
      collab,
      future,
      message('a', 'ok'),
    ]);
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.action.title, a.ok])).toEqual([
      ['n', 'note', 'Looking.', true],
    ]);
    expect(completedOf(events).answer).toBe('ok');
  });
});

describe('codex item actions', () => {
  const item = (phase: string, body: Record<string, unknown>) => json({ type: `item.${phase}`, item: body });

  it.each([
    ['exit 0', 'completed', 0, true],
    ['exit 1', 'failed', 1, false],
    ['a null exit code with status completed', 'completed', null, true],
    ['a declined command', 'declined', null, false],
  ])('judges a command with %s', (_what, status, exitCode, ok) => {
    const events = run([
      threadStarted,
      item('completed', {
        id: 'c',
        type: 'command_execution',
        command: 'make',
        aggregated_output: '',
        exit_code: exitCode,
        status,
      }),
    ]);
    expect(actionsOf(events)[0]).toMatchObject({
      action: { id: 'c', kind: 'command', title: 'make', detail: { exit_code: exitCode, status } },
      ok,
    });
  });

  it.each([
    [`/bin/bash -lc 'cat ${cwd}/src/a.ts'`, 'cat src/a.ts'],
    [`bash -c "npm test"`, 'npm test'],
    [`/bin/zsh -lc 'ls | wc -l'`, 'ls | wc -l'],
    [`/bin/bash -lc "echo $HOME"`, '/bin/bash -lc "echo $HOME"'],
    ['pytest -q', 'pytest -q'],
  ])('titles the command %s as %s', (command, title) => {
    const events = run([
      threadStarted,
      item('started', {
        id: 'c',
        type: 'command_execution',
        command,
        aggregated_output: '',
        exit_code: null,
      }),
    ]);
    expect(actionsOf(events)[0]?.action.title).toBe(title);
  });

  it('titles file changes with paths relative to the run', () => {
    const events = run([
      threadStarted,
      item('started', { id: 'f', type: 'file_change', changes: [], status: 'in_progress' }),
      item('completed', {
        id: 'f',
        type: 'file_change',
        changes: [
          { path: `${cwd}/src/a.ts`, kind: 'update' },
          { path: 'b.md', kind: 'add' },
        ],
        status: 'completed',
      }),
      item('completed', { id: 'g', type: 'file_change', changes: [], status: 'failed' }),
    ]);
    expect(actionsOf(events).map((a) => [a.action.id, a.phase, a.action.title, a.ok])).toEqual([
      ['f', 'completed', 'src/a.ts, b.md', true],
      ['g', 'completed', 'files', false],
    ]);
  });

  it('skips reasoning items without text', () => {
    const events = run([threadStarted, item('completed', { id: 'r', type: 'reasoning', text: '' })]);
    expect(actionsOf(events)).toEqual([]);
  });
});

describe('codex invocation', () => {
  const base = ['exec', '--json', '--skip-git-repo-check', '--color=never'];

  it.each<[string, Partial<RunRequest>, string[]]>([
    ['a new run', {}, ['-c', 'notify=[]', ...base, '-']],
    ['a resumed run', { resume: THREAD }, ['-c', 'notify=[]', ...base, 'resume', THREAD, '-']],
    [
      'model and reasoning overrides',
      { model: 'gpt-5.5', reasoning: 'high' },
      ['-c', 'notify=[]', '-c', 'model_reasoning_effort=high', ...base, '--model', 'gpt-5.5', '-'],
    ],
    [
      'a resumed run with a model override',
      { model: 'o3', resume: THREAD },
      ['-c', 'notify=[]', ...base, '--model', 'o3', 'resume', THREAD, '-'],
    ],
    [
      'a profile and own extra_args',
      { config: { extra_args: ['--search'], profile: 'work' } },
      ['--search', ...base, '--profile', 'work', '-'],
    ],
    ['empty extra_args', { config: { extra_args: [] } }, [...base, '-']],
  ])('builds the argv for %s', (_what, request, args) => {
    const invocation = codexAdapter.buildInvocation({ prompt: '-h looks like a flag', cwd, ...request });
    expect(invocation).toStrictEqual({
      command: 'codex',
      args,
      cwd,
      env: {},
      unsetEnv: [],
      stdin: '-h looks like a flag',
    });
  });

  it('uses the profile as the session title', () => {
    const events = run([threadStarted], CLEAN, { config: { profile: 'work' } });
    expect(events[0]).toMatchObject({ type: 'started', title: 'work' });
  });

  it('refuses a config table that did not pass validation', () => {
    expect(() =>
      codexAdapter.buildInvocation({ prompt: 'p', cwd, config: { extra_args: ['--json'] } }),
    ).toThrow(/codex\.extra_args: "--json"/);
  });

  it('declares the binary and reasoning support', () => {
    expect(codexAdapter).toMatchObject({ id: 'codex', binary: 'codex', supportsReasoning: true });
    expect(codexAdapter.installHint).toContain('@openai/codex');
    expect(CODEX_DEFAULT_EXTRA_ARGS).toEqual(['-c', 'notify=[]']);
  });
});

describe('validateCodexConfig', () => {
  it.each([
    '--skip-git-repo-check',
    '--json',
    '--output-schema',
    '--output-schema=schema.json',
    '--output-last-message',
    '--output-last-message=out.md',
    '--color',
    '--color=always',
    '-o',
  ])('rejects %s in extra_args, since tentacle sets it', (flag) => {
    expect(validateCodexConfig({ extra_args: ['-c', 'notify=[]', flag] })).toEqual([
      `codex.extra_args: "${flag}" is set by tentacle itself; remove it`,
    ]);
  });

  it.each([
    ['no table', undefined],
    ['an empty table', {}],
    ['the defaults written out', { extra_args: ['-c', 'notify=[]'] }],
    ['other codex flags and a profile', { extra_args: ['--search', '-c', 'model="o3"'], profile: 'work' }],
  ])('accepts %s', (_what, config) => {
    expect(validateCodexConfig(config)).toEqual([]);
  });

  it.each([
    [
      'extra_args that is not a list',
      { extra_args: '-c notify=[]' },
      'codex.extra_args: expected a list of strings',
    ],
    ['extra_args with a number', { extra_args: ['-c', 1] }, 'codex.extra_args: expected a list of strings'],
    ['an empty profile', { profile: '' }, 'codex.profile: expected a non-empty string'],
    ['a profile that is not a string', { profile: true }, 'codex.profile: expected a non-empty string'],
  ])('rejects %s', (_what, config, problem) => {
    expect(validateCodexConfig(config)).toEqual([problem]);
  });
});

describe('codex resume lines', () => {
  const { resume } = codexAdapter;

  it('formats the interactive command in backticks and reads it back', () => {
    expect(resume.format(THREAD)).toBe(`\`codex resume ${THREAD}\``);
    expect(resume.extract(resume.format(THREAD))).toBe(THREAD);
    expect(resume.isResumeLine(resume.format(THREAD))).toBe(true);
  });

  it.each<[string, string, string | undefined]>([
    ['a bare line', 'codex resume abc-123', 'abc-123'],
    ['backticks and spaces', '  `codex resume abc-123`  ', 'abc-123'],
    ['any letter case', 'Codex RESUME abc-123', 'abc-123'],
    ['the last of several lines', 'codex resume first\ntext\n`codex resume second`\nmore', 'second'],
    ['CRLF text', 'done\r\n`codex resume abc`\r\n', 'abc'],
    ['a line inside other text', 'run codex resume abc-123 later', undefined],
    ['a flag instead of an id', 'codex resume --last', undefined],
    ['another engine', '`claude --resume abc`', undefined],
    ['a missing id', 'codex resume', undefined],
    ['two tokens', 'codex resume a b', undefined],
  ])('extracts from %s', (_what, text, token) => {
    expect(resume.extract(text)).toBe(token);
  });

  it.each<[string, boolean]>([
    ['`codex resume abc`', true],
    ['codex resume abc', true],
    ['codex resume', false],
    ['please codex resume abc', false],
    ['`opencode --session ses_abc`', false],
  ])('tells whether %s is a resume line', (line, yes) => {
    expect(resume.isResumeLine(line)).toBe(yes);
  });
});
