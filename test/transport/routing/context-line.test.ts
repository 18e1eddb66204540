import { describe, expect, it } from 'vitest';
import {
  type ContextRef,
  formatContextLine,
  parseContextLine,
} from '../../../src/transport/routing/context-line.ts';

describe('formatContextLine', () => {
  it.each<[ContextRef, string]>([
    [{ project: 'proj', branch: 'feat/x' }, 'ctx: proj @feat/x'],
    [{ project: 'proj' }, 'ctx: proj'],
    [{ project: 'proj', branch: '' }, 'ctx: proj'],
  ])('formats %j as %j', (context, line) => {
    expect(formatContextLine(context)).toBe(line);
  });

  it.each<ContextRef>([{ project: 'proj', branch: 'feat/x' }, { project: 'proj' }])(
    'parses back what it formats: %j',
    (context) => {
      expect(parseContextLine(`done\n\n${formatContextLine(context)}\ncodex resume 1`)).toEqual(context);
    },
  );
});

describe('parseContextLine', () => {
  it.each<[string, string | undefined, ContextRef | undefined]>([
    ['a plain footer line', 'ctx: proj @br', { project: 'proj', branch: 'br' }],
    ['a line in backticks', '`ctx: proj @feat/x`', { project: 'proj', branch: 'feat/x' }],
    ['a line with one backtick left', '`ctx: proj', { project: 'proj' }],
    ['a project only', 'ctx: proj', { project: 'proj' }],
    ['a spaced branch', 'ctx: proj @ br', { project: 'proj', branch: 'br' }],
    ['an upper-case label', 'CTX: Proj @br', { project: 'Proj', branch: 'br' }],
    [
      'a footer under an answer',
      'done · codex · 3s\n\nall good\n\nctx: proj @br\ncodex resume 019b',
      { project: 'proj', branch: 'br' },
    ],
    ['the last of two lines', 'ctx: old @a\nctx: new @b', { project: 'new', branch: 'b' }],
    ['a branch-only line', 'ctx: @br', undefined],
    ['an empty line', 'ctx:', undefined],
    ['a line not starting with ctx', 'the ctx: proj line', undefined],
    ['no text', undefined, undefined],
  ])('reads %s', (_, text, expected) => {
    expect(parseContextLine(text)).toEqual(expected);
  });
});
