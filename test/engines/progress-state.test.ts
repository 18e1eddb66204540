import { describe, expect, it } from 'vitest';
import type {
  ActionEvent,
  ActionKind,
  ActionPhase,
  EngineEvent,
  JsonObject,
} from '../../src/engines/events.ts';
import {
  applyEngineEvent,
  initialProgress,
  MAX_PROGRESS_LINES,
  type ProgressState,
} from '../../src/engines/progress-state.ts';

function action(
  id: string,
  phase: ActionPhase,
  extra: {
    kind?: ActionKind;
    title?: string;
    ok?: boolean;
    detail?: JsonObject;
    level?: ActionEvent['level'];
    message?: string;
  } = {},
): ActionEvent {
  return {
    type: 'action',
    engine: 'codex',
    phase,
    action: { id, kind: extra.kind ?? 'command', title: extra.title ?? id, detail: extra.detail ?? {} },
    ...(extra.ok === undefined ? {} : { ok: extra.ok }),
    ...(extra.level ? { level: extra.level } : {}),
    ...(extra.message ? { message: extra.message } : {}),
  };
}

const started: EngineEvent = {
  type: 'started',
  engine: 'codex',
  resume: { engine: 'codex', value: 'thread-1' },
};

function fold(events: EngineEvent[]): ProgressState {
  return events.reduce(applyEngineEvent, initialProgress('codex'));
}

describe('applyEngineEvent', () => {
  it('starts empty, with no resume token and step 0', () => {
    expect(initialProgress('claude')).toEqual({
      engine: 'claude',
      resume: null,
      lines: [],
      step: 0,
      evictedOpenIds: [],
      warnings: [],
      outcome: null,
      events: 0,
    });
  });

  it('keeps the resume token of the first started event and ignores a later one', () => {
    const state = fold([
      action('w', 'completed', { kind: 'warning' }),
      started,
      { type: 'started', engine: 'codex', resume: { engine: 'codex', value: 'other' } },
    ]);
    expect(state.resume).toEqual({ engine: 'codex', value: 'thread-1' });
  });

  it('takes the resume token from completed when started never came', () => {
    const state = fold([
      {
        type: 'completed',
        engine: 'codex',
        ok: false,
        answer: '',
        resume: { engine: 'codex', value: 'late' },
        error: 'boom',
      },
    ]);
    expect(state.resume).toEqual({ engine: 'codex', value: 'late' });
    expect(state.outcome).toEqual({ ok: false, error: 'boom' });
  });

  it('replaces the line of a known id in place, keeping first-seen order', () => {
    const state = fold([
      started,
      action('a', 'started', { title: 'ls' }),
      action('b', 'started', { title: 'pwd' }),
      action('a', 'completed', { title: 'ls -la', ok: false, detail: { exit_code: 2 } }),
    ]);
    expect(state.lines.map((l) => [l.id, l.title, l.phase, l.ok, l.exitCode])).toEqual([
      ['a', 'ls -la', 'completed', false, 2],
      ['b', 'pwd', 'started', null, null],
    ]);
  });

  it('counts distinct actions other than turns as steps', () => {
    const state = fold([
      action('turn_0', 'started', { kind: 'turn' }),
      action('a', 'started'),
      action('a', 'updated'),
      action('a', 'completed', { ok: true }),
      action('n', 'completed', { kind: 'note', ok: true }),
      action('turn_1', 'started', { kind: 'turn' }),
    ]);
    expect(state.step).toBe(2);
    expect(state.lines.map((l) => l.id)).toEqual(['a', 'n']);
  });

  it('shows an action that only ever reported completion', () => {
    const state = fold([action('only', 'completed', { ok: true, kind: 'web_search', title: 'vitest' })]);
    expect(state.lines).toEqual([
      {
        id: 'only',
        kind: 'web_search',
        title: 'vitest',
        phase: 'completed',
        ok: true,
        exitCode: null,
        changes: [],
        changeCount: 0,
      },
    ]);
  });

  it('keeps the first three file changes and how many there were', () => {
    const changes = ['a', 'b', 'c', 'd', 'e'].map((path, i) => ({ path, kind: i === 1 ? 'add' : 'update' }));
    const [line] = fold([
      action('f', 'completed', { kind: 'file_change', ok: true, detail: { changes } }),
    ]).lines;
    expect(line?.changes).toEqual(changes.slice(0, 3));
    expect(line?.changeCount).toBe(5);
  });

  it('keeps ok and exit code from an earlier phase when a later one says nothing', () => {
    const state = fold([
      action('a', 'updated', { ok: false, detail: { exit_code: 3 } }),
      action('a', 'completed'),
    ]);
    expect(state.lines[0]).toMatchObject({ phase: 'completed', ok: false, exitCode: 3 });
  });

  it.each<[string, ActionEvent, string[]]>([
    [
      'a warning action',
      action('w', 'completed', { kind: 'warning', title: 'disk almost full' }),
      ['disk almost full'],
    ],
    [
      'a warning-level note, by its message',
      action('n', 'completed', { kind: 'note', level: 'warning', title: 't', message: 'slow' }),
      ['slow'],
    ],
    [
      'an error-level action',
      action('e', 'completed', { kind: 'tool', level: 'error', title: 'tool broke' }),
      ['tool broke'],
    ],
    ['an info note', action('i', 'completed', { kind: 'note', level: 'info', title: 'fine' }), []],
  ])('keeps the text of %s as a warning', (_, event, warnings) => {
    expect(fold([event]).warnings).toEqual(warnings);
  });

  it('never changes the state it was given', () => {
    const before = fold([started, action('a', 'started')]);
    const copy = structuredClone(before);
    applyEngineEvent(before, action('a', 'completed', { ok: true }));
    applyEngineEvent(before, action('b', 'started'));
    applyEngineEvent(before, { type: 'completed', engine: 'codex', ok: true, answer: 'x' });
    expect(before).toEqual(copy);
  });

  it('stays small and JSON-safe over a 100,000-event run', () => {
    let state = initialProgress('codex');
    state = applyEngineEvent(state, started);
    for (let i = 0; i < 50_000; i++) {
      state = applyEngineEvent(state, action(`a${i}`, 'started', { title: `step ${i} ${'x'.repeat(2000)}` }));
      state = applyEngineEvent(state, action(`a${i}`, 'completed', { ok: true, detail: { changes: [] } }));
    }
    expect(state.step).toBe(50_000);
    expect(state.events).toBe(100_001);
    expect(state.lines).toHaveLength(MAX_PROGRESS_LINES);
    expect(state.lines.at(-1)?.id).toBe('a49999');
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(JSON.stringify(state).length).toBeLessThan(30_000);
  });

  it('does not count an action again when it completes after its line was pushed out', () => {
    const events: EngineEvent[] = [action('slow', 'started')];
    for (let i = 0; i < MAX_PROGRESS_LINES; i++) events.push(action(`q${i}`, 'completed', { ok: true }));
    const evicted = fold(events);
    expect(evicted.evictedOpenIds).toEqual(['slow']);
    const after = applyEngineEvent(evicted, action('slow', 'completed', { ok: true }));
    expect(after.step).toBe(MAX_PROGRESS_LINES + 1);
    expect(after.lines.map((l) => l.id)).not.toContain('slow');
    expect(after.evictedOpenIds).toEqual([]);
  });

  it('does not store the answer, only whether the run succeeded and its error', () => {
    const state = fold([started, { type: 'completed', engine: 'codex', ok: true, answer: 'a long answer' }]);
    expect(state.outcome).toEqual({ ok: true, error: null });
    expect(JSON.stringify(state)).not.toContain('a long answer');
  });
});
