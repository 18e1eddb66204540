import { describe, expect, it } from 'vitest';
import type { ProgressLine } from '../../../src/engines/progress-state.ts';
import {
  actionLineMarkdown,
  MAX_TITLE_CHARS,
  renderActionLines,
} from '../../../src/transport/render/action-lines.ts';
import { entityProblems } from '../../../src/transport/render/entity-rules.ts';
import { entityView } from './rendered-checks.ts';

function line(partial: Partial<ProgressLine>): ProgressLine {
  return {
    id: 'a',
    kind: 'command',
    title: 'ls',
    phase: 'completed',
    ok: true,
    exitCode: null,
    changes: [],
    changeCount: 0,
    ...partial,
  };
}

describe('actionLineMarkdown', () => {
  it.each<[string, Partial<ProgressLine>, string]>([
    ['a running command', { phase: 'started', ok: null }, '▸ `ls`'],
    ['an updated action', { phase: 'updated', ok: null }, '↻ `ls`'],
    ['a command that succeeded', {}, '✓ `ls`'],
    ['a command that failed with its exit code', { ok: false, exitCode: 2 }, '✗ `ls` (exit 2)'],
    ['a non-zero exit without ok', { ok: null, exitCode: 1 }, '✗ `ls` (exit 1)'],
    ['a zero exit without ok', { ok: null, exitCode: 0 }, '✓ `ls`'],
    ['an exit code of a running action, not shown yet', { phase: 'updated', exitCode: 1 }, '↻ `ls`'],
    ['a failure without exit code', { ok: false }, '✗ `ls`'],
    ['a command holding backticks', { title: 'echo `id`' }, '✓ `` echo `id` ``'],
    ['a tool', { kind: 'tool', title: 'read: `README.md`' }, '✓ tool: read: `README.md`'],
    ['a web search', { kind: 'web_search', title: 'vitest each' }, '✓ searched: vitest each'],
    ['a subagent', { kind: 'subagent', title: 'explore the repo' }, '✓ subagent: explore the repo'],
    ['a note', { kind: 'note', title: 'Reconnecting... 2/5' }, '✓ Reconnecting... 2/5'],
    ['a warning', { kind: 'warning', ok: false, title: 'disk full' }, '✗ disk full'],
    [
      'a multi-line note on one line',
      { kind: 'note', title: 'first\n\nsecond  line' },
      '✓ first second line',
    ],
    ['a file change without details', { kind: 'file_change', title: 'notes.md' }, '✓ files: notes.md'],
    [
      'file changes relative to the cwd',
      {
        kind: 'file_change',
        changes: [
          { path: '/repo/a.py', kind: 'update' },
          { path: '/repo/src/b.py', kind: 'add' },
          { path: '/elsewhere/c.py', kind: 'delete' },
        ],
        changeCount: 5,
      },
      '✓ files: update `a.py`, add `src/b.py`, delete `/elsewhere/c.py`, …(2 more)',
    ],
    [
      'an unknown change kind as update',
      { kind: 'file_change', changes: [{ path: 'x', kind: 'rename' }], changeCount: 1 },
      '✓ files: update `x`',
    ],
  ])('shows %s', (_, partial, markdown) => {
    expect(actionLineMarkdown(line(partial), '/repo')).toBe(markdown);
  });

  it(`shortens titles to ${MAX_TITLE_CHARS} code points with an ellipsis`, () => {
    const markdown = actionLineMarkdown(line({ kind: 'note', title: '😀'.repeat(400) }));
    expect(markdown).toBe(`✓ ${'😀'.repeat(MAX_TITLE_CHARS - 1)}…`);
  });
});

describe('renderActionLines', () => {
  it('shows only the latest five lines, in order, each rendered', () => {
    const lines = Array.from({ length: 7 }, (_, i) => line({ id: `a${i}`, title: `cmd ${i}` }));
    const rendered = renderActionLines(lines);
    expect(rendered.text).toBe(['✓ cmd 2', '✓ cmd 3', '✓ cmd 4', '✓ cmd 5', '✓ cmd 6'].join('\n'));
    expect(entityView(rendered)).toEqual([2, 3, 4, 5, 6].map((i) => ['code', `cmd ${i}`]));
    expect(entityProblems(rendered)).toEqual([]);
  });

  it('renders nothing without lines', () => {
    expect(renderActionLines([])).toEqual({ text: '', entities: [] });
  });
});
