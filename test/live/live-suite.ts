import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/engines/adapter.ts';
import type { ActionEvent } from '../../src/engines/events.ts';
import { assertEventInvariants } from '../support/event-invariants.ts';
import { MockLlm, type RecordedRequest } from '../support/mock-llm/mock-llm.ts';
import { saveCapture } from './captures.ts';
import { missingLiveBinaries } from './live-paths.ts';
import { runTurn, type TurnResult } from './run-turn.ts';
import { createSandbox, FORBIDDEN_KEY, MOCK_KEY, type Sandbox } from './sandbox.ts';

export interface LiveEngineSpec {
  adapter: EngineAdapter;
  /** Hard bound on one turn (opencode needs several seconds per turn on a busy 2-core machine). */
  turnTimeoutMs: number;
  /** What the failed run's error says when the provider answers HTTP 401. */
  authError: RegExp;
  /** The CLI's exit code on that 401 (pi exits 0 and reports the error only in its events). */
  authExitCode: number;
  /** Called once the sandbox exists, before any turn (e.g. to mirror env the adapter reads itself). */
  beforeTurns?: (sandbox: Sandbox) => void;
}

const FIRST_PROMPT = 'say hello for turn one';
const SECOND_PROMPT = 'say hello again for turn two';

/**
 * The live scenarios of one engine, run in order against the real CLI and the mock LLM: a text
 * turn, a resumed turn, a tool round, an HTTP 401 and a cancel in mid-stream. Everything goes
 * through tentacle's adapter for that engine; the sandbox only adds provider config and isolation.
 */
export function describeLiveEngine(spec: LiveEngineSpec): void {
  const engine = spec.adapter.id;
  const missing = missingLiveBinaries();

  describe(`${engine} (real CLI)`, () => {
    let llm: MockLlm;
    let sandbox: Sandbox;
    let firstTurn: TurnResult | undefined;

    beforeAll(async () => {
      if (missing.length > 0) {
        throw new Error(
          `live CLIs not installed (${missing.join(', ')}): run scripts/install-live-engines.sh`,
        );
      }
      llm = await MockLlm.start({ slowFrameMs: 500, maxSeconds: 600 });
      sandbox = createSandbox(engine, llm.url);
      spec.beforeTurns?.(sandbox);
    });
    afterAll(async () => {
      await llm?.stop();
      sandbox?.cleanup();
    });

    const turn = async (scenario: string, prompt: string, extra: { resume?: string } = {}) => {
      const result = await runTurn(sandbox, spec.adapter, {
        prompt,
        timeoutMs: spec.turnTimeoutMs,
        ...extra,
      });
      saveCapture(engine, scenario, result.lines, sandbox.placeholders);
      return result;
    };

    it('answers a text turn with the model reply and one session token from start to end', async () => {
      const result = await turn('text', FIRST_PROMPT);
      firstTurn = result;
      expectSettled(result, spec.turnTimeoutMs);
      assertEventInvariants(result.events);
      expect(result.completed, describeTurn(result)).toMatchObject({
        ok: true,
        answer: 'hello from mock (user turns seen: 1)',
      });
      expect(result.started?.resume.value).toBeTruthy();
      expect(result.completed?.resume?.value).toBe(result.started?.resume.value);
      expect(result.exit?.code).toBe(0);
    });

    it('resumes the session: same token, and the model received the earlier turn', async () => {
      const token = firstTurn?.started?.resume.value;
      if (!token) throw new Error('the text turn produced no resume token; nothing to resume');
      const seen = llm.chatRequests.length;
      const result = await turn('resume', SECOND_PROMPT, { resume: token });
      expectSettled(result, spec.turnTimeoutMs);
      assertEventInvariants(result.events);
      expect(result.completed, describeTurn(result)).toMatchObject({
        ok: true,
        answer: 'hello from mock (user turns seen: 2)',
      });
      expect(result.started?.resume.value).toBe(token);
      expect(result.completed?.resume?.value).toBe(token);
      const answered = llm.chatRequests.slice(seen).filter((r) => bodyText(r).includes(SECOND_PROMPT));
      expect(answered.length).toBeGreaterThan(0);
      expect(answered.every((r) => bodyText(r).includes(FIRST_PROMPT))).toBe(true);
    });

    it('runs a shell tool round, reported as a successful command action before the answer', async () => {
      const result = await turn('tool', 'USE_TOOL to print hi');
      expectSettled(result, spec.turnTimeoutMs);
      assertEventInvariants(result.events);
      const commands = result.events.filter(
        (e): e is ActionEvent => e.type === 'action' && e.action.kind === 'command',
      );
      expect(commands.length, describeTurn(result)).toBeGreaterThan(0);
      const done = commands.find((e) => e.phase === 'completed');
      expect(done, describeTurn(result)).toBeDefined();
      expect(done?.ok).toBe(true);
      expect(done?.action.title).toContain('echo hi');
      expect(result.completed, describeTurn(result)).toMatchObject({ ok: true });
      expect(result.completed?.answer).toMatch(/^tool said: [\s\S]*\bhi$/);
      expect(result.events.indexOf(done!)).toBeLessThan(result.events.indexOf(result.completed!));
    });

    it('reports an HTTP 401 from the provider as a failed run with the error', async () => {
      const result = await turn('error401', 'MOCK_HTTP_401 please');
      expectSettled(result, spec.turnTimeoutMs);
      assertEventInvariants(result.events);
      expect(result.completed, describeTurn(result)).toMatchObject({ ok: false });
      expect(result.completed?.error ?? '').toMatch(spec.authError);
      expect(result.exit?.code).toBe(spec.authExitCode);
      expect(llm.chatRequests.some((r) => r.status === 401)).toBe(true);
    });

    it('reaches the provider with the key the sandbox configured and no other', () => {
      expect(llm.chatRequests.length).toBeGreaterThan(0);
      for (const request of llm.chatRequests) {
        const credentials = [request.headers['authorization'], request.headers['x-api-key']].join(' ');
        expect(credentials).toContain(MOCK_KEY);
        // claude's sandbox also holds an ANTHROPIC_API_KEY that tentacle must keep from the CLI.
        expect(credentials).not.toContain(FORBIDDEN_KEY);
      }
    });

    it('stops in mid-stream when cancelled: the process exits and no successful completion is reported', async () => {
      const slowRequest = (r: RecordedRequest) => r.status === 200 && bodyText(r).includes('MOCK_SLOW');
      const result = await runTurn(sandbox, spec.adapter, {
        prompt: 'MOCK_SLOW answer please',
        timeoutMs: spec.turnTimeoutMs,
        cancelWhen: () => llm.waitForRequest(slowRequest, spec.turnTimeoutMs),
      });
      saveCapture(engine, 'cancel', result.lines, sandbox.placeholders);
      expect(result.cancelled, describeTurn(result)).toBe(true);
      expect(result.timedOut).toBe(false);
      expect(result.pid).toBeDefined();
      expect(result.goneAfterStop).toBe(true);
      expect(result.completed, describeTurn(result)).toBeUndefined();
      expect(result.messages.some((m) => m.type === 'ENGINE.COMPLETED' && m.event.ok)).toBe(false);
    });
  });
}

function expectSettled(result: TurnResult, timeoutMs: number): void {
  if (result.timedOut)
    throw new Error(`the turn did not finish within ${timeoutMs} ms\n${describeTurn(result)}`);
  const types = result.messages.map((m) => m.type);
  expect(types[0], describeTurn(result)).toBe('ENGINE.SPAWNED');
  expect(types.at(-1)).toBe('ENGINE.COMPLETED');
  expect(types.filter((t) => t === 'ENGINE.COMPLETED')).toHaveLength(1);
}

/** What to print when a live expectation fails: the command line, exit, stderr tail and events. */
export function describeTurn(result: TurnResult): string {
  const invocation = result.invocation;
  return [
    invocation
      ? `$ ${invocation.command} ${invocation.args.map((a) => JSON.stringify(a)).join(' ')}`
      : '(no invocation was built)',
    `exit: ${JSON.stringify(result.exit && { code: result.exit.code, signal: result.exit.signal })}${result.timedOut ? ' (timed out)' : ''}`,
    `stderr (tail): ${(result.exit?.stderrTail ?? []).join('\n')}`,
    `messages: ${result.messages.map((m) => JSON.stringify(m)).join('\n')}`,
  ].join('\n');
}

function bodyText(request: RecordedRequest): string {
  return JSON.stringify(request.body);
}
