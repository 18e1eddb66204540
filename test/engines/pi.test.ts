import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProcessExit, RunRequest } from '../../src/engines/adapter.ts';
import type { ActionEvent, CompletedEvent, EngineEvent, JsonObject } from '../../src/engines/events.ts';
import { newPiSessionPath, piAdapter } from '../../src/engines/pi.ts';
import { assertEventInvariants } from '../support/event-invariants.ts';
import { linesOf } from '../support/jsonl-lines.ts';

const fixtureDir = new URL('../fixtures/engines/pi/', import.meta.url);
const cwd = '/home/dev/project';
const CLEAN: ProcessExit = { code: 0, signal: null, stderrTail: [] };
const SESSION = '01a21805-0a14-74ca-9747-ae45c12a4cd9';

afterEach(() => {
  vi.unstubAllEnvs();
});

function fixture(name: string): string {
  return readFileSync(new URL(name, fixtureDir), 'utf8');
}

function request(fields: Partial<RunRequest> = {}): RunRequest {
  return { prompt: 'p', cwd, ...fields };
}

/** The session token the invocation hands to pi for this request. */
function sessionArg(req: RunRequest): string {
  const args = piAdapter.buildInvocation(req).args;
  return args[args.indexOf('--session') + 1]!;
}

function run(lines: string[], exit: ProcessExit = CLEAN, req: RunRequest = request()): EngineEvent[] {
  const translator = piAdapter.createTranslator(req);
  const events = lines.flatMap((line) => translator.translateLine(line));
  events.push(...translator.finish(exit));
  assertEventInvariants(events);
  return events;
}

const json = (value: unknown): string => JSON.stringify(value);
const header = (id = SESSION): string => json({ type: 'session', version: 3, id, cwd });
const usage = { input: 3, output: 2, cacheRead: 0, cacheWrite: 0, totalTokens: 5 };
const assistantMessage = (text: string, fields: JsonObject = {}): JsonObject => ({
  role: 'assistant',
  content: text ? [{ type: 'text', text }] : [],
  usage,
  stopReason: 'stop',
  ...fields,
});
const messageEnd = (text: string, fields: JsonObject = {}): string =>
  json({ type: 'message_end', message: assistantMessage(text, fields) });
const agentEnd = (text: string, fields: JsonObject = {}): string =>
  json({ type: 'agent_end', messages: [{ role: 'user', content: [] }, assistantMessage(text, fields)] });
const failure = { stopReason: 'error', errorMessage: 'Rate limit exceeded' };

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
  events: EngineEvent[];
}

describe('pi translation of takopi fixtures', () => {
  const expected = JSON.parse(fixture('takopi-expected.json')) as { cases: ExpectedCase[] };

  it.each(expected.cases.map((c) => [c.fixture, c] as const))(
    'produces exactly takopi’s normalized events for %s',
    (_name, c) => {
      const req = request();
      const path = sessionArg(req);
      const events = run(
        linesOf(fixture(c.fixture)),
        { code: c.exit_code, signal: null, stderrTail: [] },
        req,
      );
      const want = JSON.parse(
        JSON.stringify(c.events).replaceAll('<NEW_PI_SESSION_PATH>', path).replaceAll('<CWD>', cwd),
      );
      expect(events).toStrictEqual(want);
    },
  );
});

describe('pi translation of real CLI captures', () => {
  it.each([
    { file: 'pi-text.jsonl', resume: undefined, answer: 'hello from mock (user turns seen: 1)' },
    { file: 'pi-resume.jsonl', resume: SESSION, answer: 'hello from mock (user turns seen: 2)' },
    { file: 'pi-tool.jsonl', resume: undefined, answer: 'tool said: hi' },
  ])('reads $file as a successful run answering $answer', ({ file, resume, answer }) => {
    const lines = linesOf(fixture(file));
    const sessionId = JSON.parse(lines[0]!).id as string;
    const events = run(lines, CLEAN, request({ resume }));
    const token = { engine: 'pi', value: sessionId };
    expect(events[0]).toStrictEqual({
      type: 'started',
      engine: 'pi',
      resume: token,
      title: 'pi',
      meta: { cwd },
    });
    expect(completedOf(events)).toStrictEqual({
      type: 'completed',
      engine: 'pi',
      ok: true,
      answer,
      resume: token,
      error: null,
      usage: {
        input: 12,
        output: 7,
        cacheRead: 0,
        cacheWrite: 0,
        totalTokens: 19,
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
      },
    });
  });

  it('shows the tool round of the tool capture as one command, started then completed ok', () => {
    const actions = actionsOf(run(linesOf(fixture('pi-tool.jsonl'))));
    expect(actions.map((a) => [a.action.id, a.action.kind, a.action.title, a.phase, a.ok])).toEqual([
      ['call_mwxl0aky17', 'command', 'echo hi', 'started', null],
      ['call_mwxl0aky17', 'command', 'echo hi', 'completed', true],
    ]);
    expect(actions[1]!.action.detail).toMatchObject({
      tool_name: 'bash',
      result: { content: [{ type: 'text', text: 'hi\n' }] },
      is_error: false,
    });
  });

  it('fails the 401 capture although pi exits 0', () => {
    const events = run(linesOf(fixture('pi-error401.jsonl')), CLEAN);
    expect(completedOf(events)).toMatchObject({
      ok: false,
      answer: '',
      error: '401 mock: forced HTTP 401',
      resume: { engine: 'pi', value: '01a21805-2077-718c-909c-97750fdbd0a6' },
    });
  });

  it('keeps sessions apart whose ids share the first eight characters', () => {
    const tokenOf = (file: string) => completedOf(run(linesOf(fixture(file)))).resume?.value;
    const tokens = ['pi-text.jsonl', 'pi-tool.jsonl', 'pi-error401.jsonl'].map(tokenOf);
    expect(new Set(tokens.map((t) => t?.slice(0, 8))).size).toBe(1);
    expect(new Set(tokens).size).toBe(3);
  });
});

describe('pi session tokens', () => {
  it('starts a new run on its session path until pi names the session', () => {
    const req = request();
    const events = run([json({ type: 'agent_start' }), header(), agentEnd('hi')], CLEAN, req);
    expect(events[0]).toMatchObject({ type: 'started', resume: { value: sessionArg(req) } });
    expect(completedOf(events).resume?.value).toBe(sessionArg(req));
  });

  it('never replaces the token of a resumed run', () => {
    const path = '/home/dev/.pi/agent/sessions/--home-dev-project--/x.jsonl';
    const events = run([header(), agentEnd('hi')], CLEAN, request({ resume: path }));
    expect(events[0]).toMatchObject({ type: 'started', resume: { value: path } });
    expect(completedOf(events).resume?.value).toBe(path);
  });

  it('gives the invocation and the translator of one request the same new session path', () => {
    const req = request();
    expect(sessionArg(req)).toBe(sessionArg(req));
    expect(sessionArg(req)).not.toBe(sessionArg(request()));
    const events = run([json({ type: 'agent_start' }), agentEnd('hi')], CLEAN, req);
    expect(completedOf(events).resume?.value).toBe(sessionArg(req));
  });
});

describe('pi stream edge cases', () => {
  const text = fixture('pi-tool.jsonl');
  const req = request({ resume: SESSION });
  const baseline = run(linesOf(text), CLEAN, req);

  it('treats a last line without trailing newline like any other line', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(run(linesOf(text.slice(0, -1)), CLEAN, req)).toStrictEqual(baseline);
  });

  it('ignores blank lines and CRLF line ends', () => {
    const lines = linesOf(text).flatMap((line) => ['', ' \t', `${line}\r`]);
    expect(run(lines, CLEAN, req)).toStrictEqual(baseline);
  });

  it('turns malformed lines in the middle into warnings and keeps the rest of the run', () => {
    const lines = linesOf(text);
    lines.splice(5, 0, '{"type":"message_end"', 'null', 'garbage');
    const events = run(lines, CLEAN, req);
    const warnings = actionsOf(events).filter((a) => a.action.kind === 'warning');
    expect(warnings.map((w) => [w.action.id, w.ok, w.level])).toEqual([
      ['pi.note.1', false, 'warning'],
      ['pi.note.2', false, 'warning'],
      ['pi.note.3', false, 'warning'],
    ]);
    expect(events.filter((e) => !warnings.includes(e as ActionEvent))).toStrictEqual(baseline);
  });

  it('keeps the completion of agent_end when the process then exits non-zero', () => {
    const events = run([header(), agentEnd('done')], { code: 2, signal: null, stderrTail: ['x'] }, req);
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'done', error: null });
  });

  it.each([
    { exit: { code: 1, signal: null }, message: 'pi failed (rc=1).' },
    { exit: { code: null, signal: 'SIGTERM' }, message: 'pi failed (signal SIGTERM).' },
  ])(
    'keeps the answer and usage so far, with stderr, when it exits $exit without agent_end',
    ({ exit, message }) => {
      const events = run(
        [header(), messageEnd('partial answer', { stopReason: 'toolUse' })],
        {
          ...exit,
          stderrTail: ['TypeError: x is undefined'],
        },
        req,
      );
      expect(events.at(-2)).toMatchObject({ type: 'action', action: { id: 'pi.note.1', title: message } });
      expect(completedOf(events)).toStrictEqual({
        type: 'completed',
        engine: 'pi',
        ok: false,
        answer: 'partial answer',
        resume: { engine: 'pi', value: SESSION },
        error: `${message}\nTypeError: x is undefined`,
        usage,
      });
    },
  );

  it('fails a clean exit without agent_end', () => {
    const events = run([header(), messageEnd('so far')], CLEAN, req);
    expect(completedOf(events)).toMatchObject({
      ok: false,
      answer: 'so far',
      error: 'pi finished without an agent_end event',
    });
  });

  it('fails a clean exit that printed nothing, with the stderr pi printed instead', () => {
    const stderrTail = [
      'Session found in different project: /elsewhere',
      'Fork this session? [y/N] Aborted.',
    ];
    const events = run([], { code: 0, signal: null, stderrTail }, req);
    expect(events).toStrictEqual([
      {
        type: 'completed',
        engine: 'pi',
        ok: false,
        answer: '',
        resume: { engine: 'pi', value: SESSION },
        error: `pi finished without an agent_end event\n${stderrTail.join('\n')}`,
        usage: null,
      },
    ]);
  });

  it('fails an exit-0 run whose model call failed, with stderr appended', () => {
    const events = run(
      [header(), messageEnd('', failure), agentEnd('', failure)],
      {
        code: 0,
        signal: null,
        stderrTail: ['warn: provider returned 429'],
      },
      req,
    );
    expect(completedOf(events)).toMatchObject({
      ok: false,
      answer: '',
      error: 'Rate limit exceeded\nwarn: provider returned 429',
      usage,
    });
  });

  it('names the stop reason when an aborted message has no error text', () => {
    const events = run([header(), agentEnd('', { stopReason: 'aborted' })], CLEAN, req);
    expect(completedOf(events)).toMatchObject({ ok: false, error: 'pi run aborted' });
  });

  it('takes the answer from finished messages, never from the streamed partial', () => {
    const update = json({
      type: 'message_update',
      assistantMessageEvent: {
        type: 'text_start',
        partial: assistantMessage('text pi had not streamed yet'),
      },
      message: assistantMessage('text pi had not streamed yet'),
    });
    const events = run([header(), update, messageEnd('final')], CLEAN, req);
    expect(completedOf(events).answer).toBe('final');
    const cut = run([header(), update], CLEAN, req);
    expect(completedOf(cut).answer).toBe('');
  });

  it('succeeds when pi retries a failed model call by itself and the retry works', () => {
    const events = run(
      [
        header(),
        messageEnd('', failure),
        agentEnd('', failure),
        json({
          type: 'auto_retry_start',
          attempt: 1,
          maxAttempts: 3,
          delayMs: 2000,
          errorMessage: 'Rate limit exceeded',
        }),
        json({ type: 'agent_start' }),
        messageEnd('Retry succeeded.'),
        agentEnd('Retry succeeded.'),
        json({ type: 'auto_retry_end', success: true, attempt: 1 }),
      ],
      CLEAN,
      req,
    );
    expect(actionsOf(events).map((a) => [a.action.id, a.phase, a.action.title, a.ok])).toEqual([
      ['pi.retry.1', 'started', 'retry 1/3 after: Rate limit exceeded', null],
      ['pi.retry.1', 'completed', 'retry succeeded', true],
    ]);
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'Retry succeeded.', error: null });
  });

  it('fails with the final error when pi gives up retrying', () => {
    const retry = (attempt: number) =>
      json({ type: 'auto_retry_start', attempt, maxAttempts: 2, delayMs: 10, errorMessage: 'overloaded' });
    const events = run(
      [
        header(),
        agentEnd('', failure),
        retry(1),
        json({ type: 'agent_start' }),
        agentEnd('', failure),
        retry(2),
        json({ type: 'agent_start' }),
        agentEnd('', failure),
        json({
          type: 'auto_retry_end',
          success: false,
          attempt: 2,
          finalError: 'Rate limit exceeded (gave up)',
        }),
        json({ type: 'agent_start' }),
      ],
      CLEAN,
      req,
    );
    expect(actionsOf(events).map((a) => [a.action.id, a.phase, a.ok])).toEqual([
      ['pi.retry.1', 'started', null],
      ['pi.retry.1', 'updated', null],
      ['pi.retry.1', 'completed', false],
    ]);
    expect(completedOf(events)).toMatchObject({ ok: false, error: 'Rate limit exceeded (gave up)' });
  });

  it('recovers the answer of the retried run in takopi’s print-mode sample, which takopi reports failed', () => {
    const lines = linesOf(fixture('pi_print_mode_events.jsonl')).slice(31);
    const events = run(lines, CLEAN, req);
    expect(completedOf(events)).toMatchObject({
      ok: true,
      answer: 'Retry succeeded. Recent notes: 1) Added --mode json output. 2) Improved session export.',
      error: null,
    });
  });

  it('shows compaction as a note and carries on when pi compacts and runs again', () => {
    const overflow = { stopReason: 'error', errorMessage: 'prompt is too long' };
    const events = run(
      [
        header(),
        agentEnd('', overflow),
        json({ type: 'auto_compaction_start', reason: 'overflow' }),
        json({
          type: 'auto_compaction_end',
          result: { summary: 's', tokensBefore: 1000 },
          aborted: false,
          willRetry: true,
        }),
        json({ type: 'agent_start' }),
        agentEnd('after compaction'),
      ],
      CLEAN,
      req,
    );
    expect(actionsOf(events).map((a) => [a.action.id, a.phase, a.action.title, a.ok])).toEqual([
      ['pi.compaction.1', 'started', 'compacting context (overflow)', null],
      ['pi.compaction.1', 'completed', 'context compacted', true],
    ]);
    expect(actionsOf(events)[1]!.action.detail).toEqual({ tokensBefore: 1000, willRetry: true });
    expect(completedOf(events)).toMatchObject({ ok: true, answer: 'after compaction' });
  });

  it('reports a failure that compaction did not fix', () => {
    const overflow = { stopReason: 'error', errorMessage: 'prompt is too long' };
    const events = run(
      [
        header(),
        agentEnd('', overflow),
        json({ type: 'auto_compaction_start', reason: 'overflow' }),
        json({ type: 'auto_compaction_end', aborted: true, willRetry: false }),
      ],
      CLEAN,
      req,
    );
    expect(actionsOf(events).at(-1)).toMatchObject({ action: { title: 'compaction aborted' }, ok: false });
    expect(completedOf(events)).toMatchObject({ ok: false, error: 'prompt is too long' });
  });

  it('titles tools relative to the run cwd', () => {
    const start = (id: string, toolName: string, args: JsonObject) =>
      json({ type: 'tool_execution_start', toolCallId: id, toolName, args });
    const events = run(
      [
        header(),
        start('a', 'edit', { path: `${cwd}/src/x.ts` }),
        start('b', 'bash', { command: `cat ${cwd}/a.txt` }),
        start('c', 'ls', { path: cwd }),
        json({ type: 'tool_execution_end', toolCallId: 'zz', toolName: 'grep', isError: true }),
        agentEnd('ok'),
      ],
      CLEAN,
      req,
    );
    expect(actionsOf(events).map((a) => [a.action.id, a.action.kind, a.action.title, a.phase, a.ok])).toEqual(
      [
        ['a', 'file_change', 'src/x.ts', 'started', null],
        ['b', 'command', 'cat a.txt', 'started', null],
        ['c', 'tool', 'ls: `.`', 'started', null],
        ['zz', 'tool', 'grep', 'completed', false],
      ],
    );
  });

  it('drops everything after the first agent_end of a successful run', () => {
    const events = run(
      [
        header(),
        agentEnd('first'),
        json({ type: 'auto_compaction_start', reason: 'threshold' }),
        agentEnd('second'),
      ],
      CLEAN,
      req,
    );
    expect(events.map((e) => e.type)).toEqual(['started', 'completed']);
    expect(completedOf(events).answer).toBe('first');
  });
});

describe('pi invocation', () => {
  it('starts a new run on a fresh session file under pi’s agent folder', () => {
    vi.stubEnv('PI_CODING_AGENT_DIR', '');
    const req = request({ prompt: 'hello' });
    const invocation = piAdapter.buildInvocation(req);
    const path = sessionArg(req);
    expect(invocation.args).toStrictEqual(['--print', '--mode', 'json', '--session', path, 'hello']);
    expect(path).toMatch(
      new RegExp(
        `^${homedir()}/\\.pi/agent/sessions/--home-dev-project--/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z_[0-9a-f]{32}\\.jsonl$`,
      ),
    );
    expect(invocation).toMatchObject({ command: 'pi', cwd, unsetEnv: [] });
    expect(invocation.stdin).toBeUndefined();
  });

  it('puts new sessions under $PI_CODING_AGENT_DIR when it is set', () => {
    vi.stubEnv('PI_CODING_AGENT_DIR', '/opt/pi-agent');
    expect(sessionArg(request())).toMatch(/^\/opt\/pi-agent\/sessions\/--home-dev-project--\//);
  });

  it.each<[string, Partial<RunRequest>, string[]]>([
    ['a resumed run', { resume: SESSION }, ['--print', '--mode', 'json', '--session', SESSION, 'go']],
    [
      'a config model and provider',
      { resume: SESSION, config: { model: 'sonnet', provider: 'anthropic' } },
      [
        '--print',
        '--mode',
        'json',
        '--provider',
        'anthropic',
        '--model',
        'sonnet',
        '--session',
        SESSION,
        'go',
      ],
    ],
    [
      'a /model override over the config model',
      { resume: SESSION, model: 'gpt-5', config: { model: 'sonnet' } },
      ['--print', '--mode', 'json', '--model', 'gpt-5', '--session', SESSION, 'go'],
    ],
    [
      'extra args, which go first',
      { resume: SESSION, config: { extra_args: ['--offline', '--thinking', 'low'] } },
      ['--offline', '--thinking', 'low', '--print', '--mode', 'json', '--session', SESSION, 'go'],
    ],
    [
      'a prompt that looks like a flag',
      { resume: SESSION, prompt: '-v please' },
      ['--print', '--mode', 'json', '--session', SESSION, ' -v please'],
    ],
    [
      'a reasoning override, which pi is not given',
      { resume: SESSION, reasoning: 'high' },
      ['--print', '--mode', 'json', '--session', SESSION, 'go'],
    ],
    [
      'a session path with spaces',
      { resume: '/home/me/my sessions/s.jsonl' },
      ['--print', '--mode', 'json', '--session', '/home/me/my sessions/s.jsonl', 'go'],
    ],
  ])('builds the argv for %s', (_name, fields, args) => {
    expect(piAdapter.buildInvocation(request({ prompt: 'go', ...fields })).args).toStrictEqual(args);
  });

  it('asks for plain output unless the environment already says otherwise', () => {
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('CI', undefined);
    expect(piAdapter.buildInvocation(request()).env).toStrictEqual({ NO_COLOR: '1', CI: '1' });
    vi.stubEnv('CI', 'false');
    expect(piAdapter.buildInvocation(request()).env).toStrictEqual({ NO_COLOR: '1' });
  });

  it('reports the model and provider it runs with in started.meta', () => {
    const events = run([header(), agentEnd('x')], CLEAN, request({ model: 'm', config: { provider: 'p' } }));
    expect(events[0]).toMatchObject({ type: 'started', meta: { cwd, model: 'm', provider: 'p' } });
  });

  it('starts the events with a note that a reasoning override is ignored', () => {
    const req = request({ resume: SESSION, reasoning: 'high' });
    const events = run(linesOf(fixture('pi-text.jsonl')), CLEAN, req);
    expect(events[0]).toStrictEqual({
      type: 'action',
      engine: 'pi',
      action: {
        id: 'pi.override.reasoning',
        kind: 'note',
        title: 'reasoning override is not supported for `pi`; ignoring.',
        detail: {},
      },
      phase: 'completed',
      ok: true,
      message: null,
      level: null,
    });
    expect(events.slice(1)).toStrictEqual(
      run(linesOf(fixture('pi-text.jsonl')), CLEAN, request({ resume: SESSION })),
    );
  });

  it('describes itself for the doctor and the spawner', () => {
    expect(piAdapter).toMatchObject({
      id: 'pi',
      binary: 'pi',
      installHint: 'npm install -g @mariozechner/pi-coding-agent',
      supportsReasoning: false,
    });
  });
});

describe('newPiSessionPath', () => {
  const now = new Date('2026-11-26T13:21:53.172Z');

  it.each([
    ['/home/dev/project', '/a/sessions/--home-dev-project--/2026-11-26T13-21-53-172Z_abc.jsonl'],
    ['C:\\Users\\me\\repo', '/a/sessions/--C--Users-me-repo--/2026-11-26T13-21-53-172Z_abc.jsonl'],
    ['//server/share', '/a/sessions/--server-share--/2026-11-26T13-21-53-172Z_abc.jsonl'],
  ])('files the sessions of %s under %s', (dir, expected) => {
    expect(newPiSessionPath({ cwd: dir, agentDir: '/a', now, id: 'abc' })).toBe(expected);
  });

  it('expands a leading ~ in $PI_CODING_AGENT_DIR', () => {
    vi.stubEnv('PI_CODING_AGENT_DIR', '~/agent');
    expect(newPiSessionPath({ cwd: '/r', now, id: 'x' })).toBe(
      `${homedir()}/agent/sessions/--r--/2026-11-26T13-21-53-172Z_x.jsonl`,
    );
  });
});

describe('pi resume lines', () => {
  const { resume } = piAdapter;

  it.each([
    [SESSION, `\`pi --session ${SESSION}\``],
    ['/home/dev/.pi/s.jsonl', '`pi --session /home/dev/.pi/s.jsonl`'],
    ['/home/me/my sessions/s.jsonl', '`pi --session "/home/me/my sessions/s.jsonl"`'],
    ['/odd/"quoted"/s.jsonl', '`pi --session "/odd/\\"quoted\\"/s.jsonl"`'],
  ])('formats %j as %s and reads it back', (token, line) => {
    expect(resume.format(token)).toBe(line);
    expect(resume.extract(`answer\n\n${line}`)).toBe(token);
    expect(resume.isResumeLine(line)).toBe(true);
  });

  it.each<[string, string | undefined]>([
    [`pi --session ${SESSION}`, SESSION],
    [`  PI --SESSION ${SESSION}  `, SESSION],
    ["`pi --session '/tmp/a b.jsonl'`", '/tmp/a b.jsonl'],
    ['`pi --session first`\ntext\n`pi --session second`', 'second'],
    ['x\r\n`pi --session abc`\r\n', 'abc'],
    ['run pi --session abc', undefined],
    ['pi --session', undefined],
    ['pi --session ""', undefined],
    ['pi --session --help', undefined],
    ['`claude --resume abc`', undefined],
    ['', undefined],
  ])('extracts from %j the token %j', (text, token) => {
    expect(resume.extract(text)).toBe(token);
  });

  it.each([
    ['`pi --session abc`', true],
    ['see pi --session abc', false],
    ['`opencode --session ses_abc`', false],
  ])('says whether %j is a resume line: %s', (line, expected) => {
    expect(resume.isResumeLine(line)).toBe(expected);
  });
});
