import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  assertNoConcurrentSessions,
  type FakeRecord,
  fakeEnginePath,
  readFakeRecords,
} from './fake-engine/index.ts';

type Engine = 'codex' | 'claude' | 'opencode' | 'pi';
type Line = Record<string, unknown> & { type: string };

const CAPTURES = '/work/shared/fixtures/captures';
const root = mkdtempSync(join(tmpdir(), 'fake-engine-test-'));
const stateDir = join(root, 'state');
const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshFile(name: string): string {
  return join(root, `${++counter}-${name}`);
}

interface Call {
  args: string[];
  input?: string;
}

/** How each engine is invoked (as the bridge's adapters do) and where its session id shows. */
const ENGINES: Record<
  Engine,
  {
    run(prompt: string): Call;
    resume(token: string, prompt: string): Call;
    /** The session token the bridge would store from a run's output. */
    token(lines: Line[]): string;
    sessionId(lines: Line[]): string;
    answer(lines: Line[]): string;
  }
> = {
  codex: {
    run: (prompt) => ({
      args: ['-c', 'notify=[]', 'exec', '--json', '--skip-git-repo-check', '--color=never', '-'],
      input: prompt,
    }),
    resume: (token, prompt) => ({
      args: ['exec', '--json', '--skip-git-repo-check', '--color=never', 'resume', token, '-'],
      input: prompt,
    }),
    token: (lines) => String(lines.find((l) => l.type === 'thread.started')?.['thread_id']),
    sessionId: (lines) => String(lines.find((l) => l.type === 'thread.started')?.['thread_id']),
    answer: (lines) =>
      lines
        .filter((l) => l.type === 'item.completed')
        .map((l) => l['item'] as { type: string; text?: string })
        .filter((item) => item.type === 'agent_message')
        .map((item) => item.text)
        .join(''),
  },
  claude: {
    run: (prompt) => ({ args: ['-p', '--output-format', 'stream-json', '--verbose', '--', prompt] }),
    resume: (token, prompt) => ({
      args: ['-p', '--output-format', 'stream-json', '--verbose', '--resume', token, '--', prompt],
    }),
    token: (lines) => String(lines[0]?.['session_id']),
    sessionId: (lines) => String(lines[0]?.['session_id']),
    answer: (lines) => String(lines.find((l) => l.type === 'result')?.['result']),
  },
  opencode: {
    run: (prompt) => ({ args: ['run', '--format', 'json', '--', prompt] }),
    resume: (token, prompt) => ({ args: ['run', '--format', 'json', '--session', token, '--', prompt] }),
    token: (lines) => String(lines[0]?.['sessionID']),
    sessionId: (lines) => String(lines[0]?.['sessionID']),
    answer: (lines) =>
      lines
        .filter((l) => l.type === 'text')
        .map((l) => (l['part'] as { text: string }).text)
        .join(''),
  },
  pi: {
    run: (prompt) => ({
      args: [
        '--print',
        '--mode',
        'json',
        '--session',
        join(root, 'pi-sessions', `${++counter}.jsonl`),
        prompt,
      ],
    }),
    resume: (token, prompt) => ({ args: ['--print', '--mode', 'json', '--session', token, prompt] }),
    // The short id, as the pi adapter promotes it from the session header.
    token: (lines) => String(lines[0]?.['id']).split('-')[0]!,
    sessionId: (lines) => String(lines[0]?.['id']),
    answer: (lines) => {
      const end = lines.find((l) => l.type === 'agent_end') as unknown as {
        messages: Array<{ role: string; content: Array<{ text?: string }> }>;
      };
      const last = end.messages.filter((m) => m.role === 'assistant').at(-1);
      return last?.content.map((c) => c.text ?? '').join('') ?? '';
    },
  },
};
const ENGINE_IDS = Object.keys(ENGINES) as Engine[];

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  lines: Line[];
  pid: number;
}

function startFake(engine: Engine, call: Call, env: Record<string, string> = {}): ResultPromise {
  const subprocess = execa(engine, call.args, {
    env: { PATH: fakeEnginePath(), FAKE_ENGINE_STATE_DIR: stateDir, ...env },
    cwd: root,
    reject: false,
    stripFinalNewline: false,
    timeout: 20_000,
    ...(call.input !== undefined ? { input: call.input } : { stdin: 'ignore' }),
  });
  if (subprocess.pid !== undefined) started.push(subprocess.pid);
  return subprocess;
}

async function runFake(engine: Engine, call: Call, env: Record<string, string> = {}): Promise<Run> {
  const subprocess = startFake(engine, call, env);
  const result = await subprocess;
  const stdout = String(result.stdout);
  return {
    stdout,
    stderr: String(result.stderr),
    exitCode: result.exitCode,
    lines: parseJsonLines(stdout),
    pid: subprocess.pid!,
  };
}

function parseJsonLines(text: string): Line[] {
  return text.split('\n').flatMap((line) => {
    try {
      const value = JSON.parse(line) as unknown;
      return value !== null && typeof value === 'object' && 'type' in value ? [value as Line] : [];
    } catch {
      return [];
    }
  });
}

/** The type sequence with repeats collapsed (pi streams a varying number of deltas). */
function typeSequence(lines: Line[]): string[] {
  return lines.map((l) => l.type).filter((type, i, all) => type !== all[i - 1]);
}

function captureTypes(engine: Engine, scenario: string): string[] {
  return typeSequence(parseJsonLines(readFileSync(join(CAPTURES, `${engine}-${scenario}.jsonl`), 'utf8')));
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('fake engine: native output', () => {
  it.each(ENGINE_IDS)(
    'prints a default %s run with the event types of the captured tool round',
    async (engine) => {
      const run = await runFake(engine, ENGINES[engine].run('add the tests'));

      expect(run.exitCode).toBe(0);
      expect(typeSequence(run.lines)).toEqual(captureTypes(engine, 'tool'));
      expect(ENGINES[engine].answer(run.lines)).toBe('echo: add the tests');
    },
  );

  it.each([
    ['codex', 1],
    ['claude', 1],
    ['opencode', 1],
    ['pi', 0],
  ] as const)(
    'reports [[fake:error]] from %s in the shape and exit code of the captured HTTP error',
    async (engine, code) => {
      const run = await runFake(engine, ENGINES[engine].run('hi [[fake:error=quota exhausted]]'));

      expect(run.exitCode).toBe(code);
      expect(typeSequence(run.lines)).toEqual(captureTypes(engine, 'error401'));
      expect(run.stdout).toContain('quota exhausted');
    },
  );

  it.each(ENGINE_IDS)(
    'keeps the session id when %s is resumed and issues a fresh one otherwise',
    async (engine) => {
      const spec = ENGINES[engine];
      const first = await runFake(engine, spec.run('one'));
      const second = await runFake(engine, spec.run('two'));
      const resumed = await runFake(engine, spec.resume(spec.token(first.lines), 'three'));

      expect(spec.sessionId(second.lines)).not.toBe(spec.sessionId(first.lines));
      expect(spec.sessionId(resumed.lines)).toBe(spec.sessionId(first.lines));
      expect(spec.answer(resumed.lines)).toBe('echo: three');
    },
  );

  it('resumes a pi session by its session file path too', async () => {
    const file = join(root, 'pi-sessions', 'by-path.jsonl');
    const first = await runFake('pi', { args: ['--print', '--mode', 'json', '--session', file, 'one'] });
    const again = await runFake('pi', { args: ['--print', '--mode', 'json', '--session', file, 'two'] });

    expect(again.lines[0]?.['id']).toBe(first.lines[0]?.['id']);
  });

  it.each([
    ['codex', ['exec', '-']],
    ['claude', ['-p', '--output-format', 'stream-json', '--', 'hi']],
    ['opencode', ['run', '--', 'hi']],
    ['pi', ['--print', 'hi']],
  ] as const)('refuses an invocation the real %s would not stream JSON for', async (engine, args) => {
    const run = await runFake(engine, { args: [...args], input: 'hi' });

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^fake ${engine}: `));
  });
});

describe('fake engine: prompt tokens', () => {
  it('stops in the middle of the tool call on [[fake:crash]], with a stderr message and exit 1', async () => {
    const run = await runFake('codex', ENGINES.codex.run('go [[fake:crash]]'));

    expect(run.exitCode).toBe(1);
    expect(run.lines.map((l) => l.type)).toEqual(['thread.started', 'turn.started', 'item.started']);
    expect(run.stderr).toContain('simulated crash');
  });

  it('prints the whole run and then exits with N on [[fake:exit=N]]', async () => {
    const run = await runFake('claude', ENGINES.claude.run('go [[fake:exit=3]]'));

    expect(run.exitCode).toBe(3);
    expect(run.lines.at(-1)?.type).toBe('result');
  });

  it.each([200, 5000])('answers with exactly %i characters including a fenced code block', async (chars) => {
    const run = await runFake('opencode', ENGINES.opencode.run(`[[fake:answer-chars=${chars}]]`));
    const answer = ENGINES.opencode.answer(run.lines);

    expect(answer).toHaveLength(chars);
    expect(answer).toMatch(/```js\n[\s\S]+\n```/);
  });

  it.each(ENGINE_IDS)('adds N actions to a %s run on [[fake:flood=N]]', async (engine) => {
    const plain = await runFake(engine, ENGINES[engine].run('x'));
    const flooded = await runFake(engine, ENGINES[engine].run('x [[fake:flood=500]]'));
    const linesPerAction = engine === 'pi' ? 2 : 1;

    expect(flooded.lines.length - plain.lines.length).toBe(500 * linesPerAction);
    expect(flooded.stdout).toContain('flood_499');
  });

  it('mixes malformed lines into the stream on [[fake:garbage]] without changing the valid ones', async () => {
    const run = await runFake('codex', ENGINES.codex.run('x [[fake:garbage]]'));
    const rawLines = run.stdout.split('\n').filter((l) => l !== '');
    const invalid = rawLines.filter((l) => parseJsonLines(l).length === 0);

    expect(invalid.length).toBeGreaterThanOrEqual(4);
    expect(typeSequence(run.lines.filter((l) => !l.type.startsWith('fake.')))).toEqual(
      captureTypes('codex', 'tool'),
    );
  });

  it('replays a file byte for byte, a missing final newline included', async () => {
    const file = freshFile('replay.jsonl');
    writeFileSync(file, '{"type":"thread.started","thread_id":"t1"}\nnot json\n{"type":"turn.completed"}');

    const run = await runFake('codex', ENGINES.codex.run(`[[fake:replay=${file}]] [[fake:delay=5]]`));

    expect(run.stdout).toBe(readFileSync(file, 'utf8'));
    expect(run.exitCode).toBe(0);
  });

  it('replays a named scenario from FAKE_ENGINE_SCRIPT_DIR', async () => {
    const dir = freshFile('scenarios');
    mkdirSync(dir);
    writeFileSync(join(dir, 'short.jsonl'), '{"type":"thread.started","thread_id":"t2"}\n');

    const run = await runFake('codex', ENGINES.codex.run('[[fake:scenario=short]]'), {
      FAKE_ENGINE_SCRIPT_DIR: dir,
    });

    expect(run.stdout).toBe('{"type":"thread.started","thread_id":"t2"}\n');
  });

  it('holds the answer back until the [[fake:block]] file exists', async () => {
    const gate = freshFile('gate');
    const record = freshFile('record.jsonl');
    const subprocess = startFake('claude', ENGINES.claude.run(`x [[fake:block=${gate}]]`), {
      FAKE_ENGINE_RECORD: record,
    });
    let stdout = '';
    subprocess.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    await waitFor(() => (stdout.includes('"tool_result"') ? true : undefined), 'the tool round');
    // Still blocked: the process is alive and has not printed a result.
    expect(readFakeRecords(record).some((r) => r.kind === 'exit')).toBe(false);
    expect(stdout).not.toContain('"type":"result"');

    writeFileSync(gate, '');
    const result = await subprocess;

    expect(result.exitCode).toBe(0);
    expect(stdout).toContain('"type":"result"');
  });
});

describe('fake engine: lifecycle records', () => {
  it('records the spawn (pid, argv, stdin, cwd, selected env) and the exit', async () => {
    const record = freshFile('record.jsonl');
    const run = await runFake('codex', ENGINES.codex.run('hello from stdin'), {
      FAKE_ENGINE_RECORD: record,
      TENTACLE_RUN: 'r1',
      ANTHROPIC_API_KEY: 'sk-secret',
      UNRELATED: 'x',
    });
    const records = readFakeRecords(record);

    expect(records.map((r) => r.kind)).toEqual(['spawn', 'exit']);
    expect(records[0]).toMatchObject({
      kind: 'spawn',
      engine: 'codex',
      pid: run.pid,
      argv: ENGINES.codex.run('').args,
      stdin: 'hello from stdin',
      cwd: root,
      env: { TENTACLE_RUN: 'r1', ANTHROPIC_API_KEY: '<redacted>', FAKE_ENGINE_RECORD: record },
      sessionId: ENGINES.codex.sessionId(run.lines),
      resumed: false,
    });
    expect(records[0]).not.toHaveProperty('env.UNRELATED');
    expect(records[1]).toMatchObject({ kind: 'exit', pid: run.pid, code: 0 });
  });

  it('records SIGTERM and exits 143 while hanging on [[fake:hang]]', async () => {
    const record = freshFile('record.jsonl');
    const subprocess = startFake('pi', ENGINES.pi.run('x [[fake:hang]]'), { FAKE_ENGINE_RECORD: record });
    await waitFor(() => readFakeRecords(record).find((r) => r.kind === 'spawn'), 'the spawn record');

    subprocess.kill('SIGTERM');
    const result = await subprocess;

    expect(result.exitCode).toBe(143);
    expect(readFakeRecords(record).map((r) => [r.kind, 'signal' in r ? r.signal : undefined])).toEqual([
      ['spawn', undefined],
      ['signal', 'SIGTERM'],
      ['exit', 'SIGTERM'],
    ]);
  });

  it('keeps running after SIGTERM on [[fake:ignore-sigterm]] until SIGKILL', async () => {
    const record = freshFile('record.jsonl');
    const subprocess = startFake('codex', ENGINES.codex.run('x [[fake:hang]] [[fake:ignore-sigterm]]'), {
      FAKE_ENGINE_RECORD: record,
    });
    await waitFor(() => readFakeRecords(record).find((r) => r.kind === 'spawn'), 'the spawn record');

    subprocess.kill('SIGTERM');
    await waitFor(() => readFakeRecords(record).find((r) => r.kind === 'signal'), 'the signal record');
    expect(subprocess.exitCode).toBeNull();
    subprocess.kill('SIGKILL');
    const result = await subprocess;

    expect(result.signal).toBe('SIGKILL');
    expect(readFakeRecords(record).map((r) => r.kind)).toEqual(['spawn', 'signal']);
  });

  it('records a conflict when a session is resumed while another process still serves it', async () => {
    const record = freshFile('record.jsonl');
    const env = { FAKE_ENGINE_RECORD: record };
    const first = await runFake('claude', ENGINES.claude.run('start'), env);
    const token = ENGINES.claude.token(first.lines);
    const hanging = startFake('claude', ENGINES.claude.resume(token, 'x [[fake:hang]]'), env);
    await waitFor(() => readFakeRecords(record).filter((r) => r.kind === 'spawn')[1], 'the second spawn');

    const concurrent = await runFake('claude', ENGINES.claude.resume(token, 'again'), env);
    hanging.kill('SIGTERM');
    await hanging;
    const records = readFakeRecords(record);

    expect(records.find((r) => r.kind === 'conflict')).toMatchObject({
      pid: concurrent.pid,
      otherPid: hanging.pid,
      sessionId: token,
    });
    expect(() => assertNoConcurrentSessions(records)).toThrow(/started while pid/);
  });

  it('accepts runs of one session that follow each other, including one ended by SIGKILL', async () => {
    const record = freshFile('record.jsonl');
    const env = { FAKE_ENGINE_RECORD: record };
    const first = await runFake('opencode', ENGINES.opencode.run('start'), env);
    const token = ENGINES.opencode.token(first.lines);
    const stubborn = startFake(
      'opencode',
      ENGINES.opencode.resume(token, '[[fake:hang]] [[fake:ignore-sigterm]]'),
      env,
    );
    await waitFor(() => readFakeRecords(record).filter((r) => r.kind === 'spawn')[1], 'the second spawn');
    stubborn.kill('SIGTERM');
    await waitFor(() => readFakeRecords(record).find((r) => r.kind === 'signal'), 'the signal record');
    stubborn.kill('SIGKILL');
    await stubborn;
    await runFake('opencode', ENGINES.opencode.resume(token, 'after'), env);

    const records = readFakeRecords(record);
    expect(records.filter((r) => r.kind === 'spawn')).toHaveLength(3);
    expect(() => assertNoConcurrentSessions(records)).not.toThrow();
  });
});

describe('assertNoConcurrentSessions', () => {
  const spawn = (pid: number, time: number, sessionId = 's1'): FakeRecord => ({
    kind: 'spawn',
    engine: 'codex',
    pid,
    time,
    argv: [],
    stdin: '',
    cwd: '/',
    env: {},
    sessionId,
    resumed: true,
  });
  const exit = (pid: number, time: number): FakeRecord => ({
    kind: 'exit',
    engine: 'codex',
    pid,
    time,
    code: 0,
  });
  const signal = (pid: number, time: number): FakeRecord => ({
    kind: 'signal',
    engine: 'codex',
    pid,
    time,
    signal: 'SIGTERM',
  });

  it.each([
    ['sequential runs', [spawn(1, 0), exit(1, 10), spawn(2, 10), exit(2, 20)], false],
    ['overlapping runs', [spawn(1, 0), spawn(2, 5), exit(1, 10), exit(2, 20)], true],
    ['a run with no recorded end', [spawn(1, 0), spawn(2, 50), exit(2, 60)], true],
    ['a run ended by SIGKILL after SIGTERM', [spawn(1, 0), signal(1, 10), spawn(2, 12)], false],
    ['different sessions at once', [spawn(1, 0, 'a'), spawn(2, 1, 'b'), exit(1, 5), exit(2, 5)], false],
    ['a reused pid', [spawn(1, 0), exit(1, 5), spawn(1, 6), exit(1, 9), spawn(2, 10)], false],
  ])('judges %s', (_name, records, throws) => {
    const check = () => assertNoConcurrentSessions(records);
    if (throws) expect(check).toThrow();
    else expect(check).not.toThrow();
  });
});
