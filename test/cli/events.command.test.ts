import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engines/events.ts';
import { REPO_ROOT, runTentacle } from '../support/run-cli.ts';

const captures = join(REPO_ROOT, 'test/fixtures/engines');

function parse(stdout: string): EngineEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EngineEvent);
}

describe('tentacle events', () => {
  it.each([
    ['codex', 'codex/codex-tool.jsonl'],
    ['claude', 'claude/claude-tool.jsonl'],
    ['opencode', 'opencode/opencode-tool.jsonl'],
    ['pi', 'pi/pi-tool.jsonl'],
  ])(
    'prints the normalized events of a %s capture, ending with a successful completed',
    async (engine, file) => {
      const result = await runTentacle(['events', engine, join(captures, file)]);
      expect(result.exitCode).toBe(0);
      const events = parse(result.stdout);
      const completed = events.at(-1);
      expect(completed).toMatchObject({ type: 'completed', engine, ok: true });
      expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
      expect(events.some((e) => e.type === 'action' && e.action.kind === 'command')).toBe(true);
    },
  );

  it('reads stdin, keeps a last line without newline, and applies the exit code', async () => {
    const result = await runTentacle(['events', 'claude', '--exit-code', '1'], {
      input: '{"type":"system","subtype":"init","session_id":"s1"}\nnot json',
      stdin: undefined,
    });
    const events = parse(result.stdout);
    expect(events[0]).toMatchObject({ type: 'started', resume: { value: 's1' } });
    expect(events[1]).toMatchObject({
      type: 'action',
      action: { kind: 'warning', detail: { line: 'not json' } },
    });
    expect(events.at(-1)).toMatchObject({ type: 'completed', ok: false, resume: { value: 's1' } });
  });

  it('refuses an unknown engine with one line', async () => {
    const result = await runTentacle(['events', 'gpt']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: unknown engine "gpt"; expected one of codex, claude, opencode, pi',
    );
  });
});
