import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engines/events.ts';
import {
  applyEngineEvent,
  initialProgress,
  type ProgressState,
} from '../../../src/engines/progress-state.ts';
import {
  renderCancelled,
  renderInterrupted,
  renderProgress,
  renderQueued,
} from '../../../src/transport/render/progress-layout.ts';
import type { RunView } from '../../../src/transport/render/run-view.ts';
import { entityView, expectSendable } from './rendered-checks.ts';

function progressOf(events: EngineEvent[]): ProgressState {
  return events.reduce(applyEngineEvent, initialProgress('claude'));
}

const run: EngineEvent[] = [
  { type: 'started', engine: 'claude', resume: { engine: 'claude', value: '8c1b' } },
  ...['ls', 'pwd', 'git status', 'npm test', 'npm run lint', 'tsc'].map(
    (command, i): EngineEvent => ({
      type: 'action',
      engine: 'claude',
      phase: 'completed',
      ok: true,
      action: { id: `c${i}`, kind: 'command', title: command, detail: {} },
    }),
  ),
  {
    type: 'action',
    engine: 'claude',
    phase: 'started',
    action: { id: 'r', kind: 'tool', title: 'read: `README.md`', detail: {} },
  },
];

const working: RunView = {
  engine: 'claude',
  elapsedSeconds: 65,
  progress: progressOf(run),
  resumeLine: '`claude --resume 8c1b`',
  context: { project: 'proj', branch: 'feat/x' },
};

describe('progress layouts', () => {
  it('shows the first message as "starting" with nothing else', () => {
    const message = renderProgress({ engine: 'codex', elapsedSeconds: 0 }, 'starting');
    expect(message).toEqual({ text: 'starting · codex · 0s', entities: [] });
  });

  it('shows the ctx line but no resume line before the engine started', () => {
    const message = renderProgress(
      { engine: 'codex', elapsedSeconds: 0, context: { project: 'proj' } },
      'starting',
    );
    expect(message.text).toBe('starting · codex · 0s\n\nctx: proj');
  });

  it('shows header, the latest five action lines and the footer while working', () => {
    const message = renderProgress(working);
    expect(message.text).toBe(
      [
        'working · claude · 1m 05s · step 7',
        '',
        '✓ git status',
        '✓ npm test',
        '✓ npm run lint',
        '✓ tsc',
        '▸ tool: read: README.md',
        '',
        'ctx: proj @feat/x',
        'claude --resume 8c1b',
      ].join('\n'),
    );
    expect(entityView(message)).toEqual([
      ['code', 'git status'],
      ['code', 'npm test'],
      ['code', 'npm run lint'],
      ['code', 'tsc'],
      ['code', 'README.md'],
      ['code', 'ctx: proj @feat/x'],
      ['code', 'claude --resume 8c1b'],
    ]);
    expectSendable(message);
  });

  it('shows cancelled as inline code and keeps the action lines and resume line', () => {
    const message = renderCancelled({
      ...working,
      engine: 'codex',
      elapsedSeconds: 12,
      progress: progressOf(run.slice(0, 4)),
      resumeLine: '`codex resume 019b`',
      context: null,
    });
    expect(message.text).toBe(
      'cancelled · codex · 12s · step 3\n\n✓ ls\n✓ pwd\n✓ git status\n\ncodex resume 019b',
    );
    expect(entityView(message)[0]).toEqual(['code', 'cancelled']);
    expect(entityView(message).at(-1)).toEqual(['code', 'codex resume 019b']);
    expectSendable(message);
  });

  it('shows a queued placeholder with the ctx line only, never a resume line', () => {
    const message = renderQueued({ ...working, engine: 'codex', elapsedSeconds: 0 });
    expect(message.text).toBe('queued · codex · 0s\n\nctx: proj @feat/x');
    expect(renderQueued({ engine: 'codex', elapsedSeconds: 0 }).text).toBe('queued · codex · 0s');
  });

  it.each<[string, RunView, boolean, string]>([
    [
      'a run that continues',
      working,
      true,
      'the bridge restarted while this run was working; it continues where it left off.',
    ],
    [
      'a stopped run with a resume line',
      working,
      false,
      'the bridge restarted and this run stopped. reply to this message to continue it.',
    ],
    [
      'a run that never started',
      { engine: 'claude', elapsedSeconds: 3 },
      false,
      'the bridge restarted before this run started. send the prompt again.',
    ],
  ])('says plainly that the bridge restarted for %s', (_, view, continuing, note) => {
    const message = renderInterrupted(view, { continuing });
    const [header, sentence] = message.text.split('\n\n');
    expect(header).toMatch(/^interrupted · claude · /);
    expect(sentence).toBe(note);
    if (view.resumeLine) expect(message.text.endsWith('\nclaude --resume 8c1b')).toBe(true);
    expectSendable(message);
  });

  it('shows a custom interruption note literally', () => {
    const message = renderInterrupted(
      { engine: 'pi', elapsedSeconds: 1 },
      { continuing: true, note: 'a *b* `c`' },
    );
    expect(message).toEqual({ text: 'interrupted · pi · 1s\n\na *b* `c`', entities: [] });
  });

  it('shows file paths relative to the run cwd', () => {
    const progress = progressOf([
      {
        type: 'action',
        engine: 'claude',
        phase: 'completed',
        ok: true,
        action: {
          id: 'f',
          kind: 'file_change',
          title: 'a.ts',
          detail: { changes: [{ path: '/repo/src/a.ts', kind: 'add' }] },
        },
      },
    ]);
    expect(renderProgress({ engine: 'claude', elapsedSeconds: 2, progress, cwd: '/repo' }).text).toBe(
      'working · claude · 2s · step 1\n\n✓ files: add src/a.ts',
    );
  });
});
