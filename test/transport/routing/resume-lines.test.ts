import { describe, expect, it } from 'vitest';
import type { ResumeCodec } from '../../../src/engines/adapter.ts';
import {
  type EngineCodec,
  isResumeLine,
  resolveResume,
  stripResumeLines,
} from '../../../src/transport/routing/resume-lines.ts';
import { codecs } from './codecs.ts';

describe('resolveResume', () => {
  it.each<[string, string, string, string]>([
    ['a codex line with backticks', '`codex resume 019b-aa`', 'codex', '019b-aa'],
    ['a codex line without backticks', 'codex resume 019b-aa', 'codex', '019b-aa'],
    ['a claude --resume line', '`claude --resume 8c1b-44`', 'claude', '8c1b-44'],
    ['a claude -r line', 'claude -r 8c1b-44', 'claude', '8c1b-44'],
    ['an opencode line', '`opencode --session ses_abc123`', 'opencode', 'ses_abc123'],
    ['an opencode run -s line', 'opencode run -s ses_abc123', 'opencode', 'ses_abc123'],
    ['a pi line with a quoted token', '`pi --session "my session"`', 'pi', 'my session'],
    [
      'a final message with a footer',
      'done · codex · 8s\n\nanswer\n\nctx: proj @br\ncodex resume 019b-aa',
      'codex',
      '019b-aa',
    ],
  ])('reads %s from the replied-to message', (_, reply, engine, value) => {
    expect(resolveResume('please go on', reply, codecs)).toEqual({
      token: { engine, value },
      source: 'reply',
    });
  });

  it('takes the last resume line of one engine', () => {
    const reply = '`codex resume old-1`\nmore\n`codex resume new-2`';
    expect(resolveResume(undefined, reply, codecs)?.token).toEqual({ engine: 'codex', value: 'new-2' });
  });

  it('takes the last resume line whichever engine it belongs to', () => {
    const reply = '`claude --resume newer-1`\n`codex resume newest-2`';
    expect(resolveResume(undefined, reply, codecs)?.token).toEqual({ engine: 'codex', value: 'newest-2' });
    const flipped = '`codex resume older-2`\n`claude --resume newest-1`';
    expect(resolveResume(undefined, flipped, codecs)?.token).toEqual({ engine: 'claude', value: 'newest-1' });
  });

  it('prefers a line pasted in the message over the replied-to message', () => {
    const result = resolveResume('continue this\nclaude --resume mine-1', '`codex resume theirs-2`', codecs);
    expect(result).toEqual({ token: { engine: 'claude', value: 'mine-1' }, source: 'message' });
  });

  it('skips a line a codec recognizes but refuses, and keeps looking above it', () => {
    const reply = '`codex resume real-1`\n`codex resume --last`';
    expect(resolveResume(undefined, reply, codecs)?.token).toEqual({ engine: 'codex', value: 'real-1' });
  });

  it.each<[string, string | undefined, string | undefined]>([
    ['no texts', undefined, undefined],
    ['plain texts', 'hello', 'a final answer'],
    ['a resume command inside a sentence', 'run codex resume 019b please', 'see claude --resume x above'],
  ])('finds nothing in %s', (_, message, reply) => {
    expect(resolveResume(message, reply, codecs)).toBeUndefined();
  });

  it('falls back to a codec that only finds tokens across lines', () => {
    const multiLine: ResumeCodec = {
      format: (token) => `session:\n${token}`,
      extract: (text) => /session:\n(\S+)/.exec(text)?.[1],
      isResumeLine: () => false,
    };
    const custom: EngineCodec[] = [...codecs, { engine: 'pi', resume: multiLine }];
    expect(resolveResume('x', 'session:\nabc', custom)).toEqual({
      token: { engine: 'pi', value: 'abc' },
      source: 'reply',
    });
  });
});

describe('stripResumeLines', () => {
  it.each<[string, string, string]>([
    ['a lone resume line', '`codex resume 019b`', 'continue'],
    ['a resume line under the prompt', 'fix the bug\ncodex resume 019b', 'fix the bug'],
    ['resume lines of several engines', 'claude --resume a\nplease\n`opencode --session ses_x`', 'please'],
    ['only whitespace around a resume line', '\n  `pi --session tok`  \n', 'continue'],
    ['a text without resume lines', '  keep\n\nthis  ', 'keep\n\nthis'],
    ['a resume command inside a sentence', 'do not run codex resume x now', 'do not run codex resume x now'],
  ])('handles %s', (_, text, prompt) => {
    expect(stripResumeLines(text, codecs)).toBe(prompt);
  });
});

describe('isResumeLine', () => {
  it.each<[string, boolean]>([
    ['`codex resume 019b`', true],
    ['  claude --resume abc  ', true],
    ['codex resumes', false],
    ['', false],
  ])('%j → %s', (line, expected) => {
    expect(isResumeLine(line, codecs)).toBe(expected);
  });
});
