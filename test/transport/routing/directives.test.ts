import { describe, expect, it } from 'vitest';
import { ENGINE_IDS } from '../../../src/engines/events.ts';
import { type DirectiveOptions, parseDirectives } from '../../../src/transport/routing/directives.ts';

const options: DirectiveOptions = {
  engines: ENGINE_IDS,
  projects: ['proj', 'happy-gadgets'],
  botUsername: 'mybot',
};

describe('parseDirectives', () => {
  it.each<[string, string, Record<string, unknown>]>([
    [
      'all three kinds in order',
      '/claude /proj @br prompt',
      { engine: 'claude', project: 'proj', branch: 'br', prompt: 'prompt' },
    ],
    [
      'kinds in any order',
      '@feat/x /proj /pi do Y',
      { engine: 'pi', project: 'proj', branch: 'feat/x', prompt: 'do Y' },
    ],
    ['an engine only', '/claude explain X', { engine: 'claude', prompt: 'explain X' }],
    ['a project alias with a dash', '/happy-gadgets add X', { project: 'happy-gadgets', prompt: 'add X' }],
    ['a branch only', '@feat/x do Y', { branch: 'feat/x', prompt: 'do Y' }],
    ['names in any case', '/CLAUDE /Proj hi', { engine: 'claude', project: 'proj', prompt: 'hi' }],
    ['a path after the directives', '/claude fix /this/path', { engine: 'claude', prompt: 'fix /this/path' }],
    ['an @suffix naming this bot', '/claude@mybot x', { engine: 'claude', prompt: 'x' }],
    ['an @suffix in another case', '/claude@MyBot x', { engine: 'claude', prompt: 'x' }],
    ['a directive-only message', '/codex', { engine: 'codex', prompt: 'continue' }],
    [
      'several directives and nothing else',
      '/codex /proj @br',
      { engine: 'codex', project: 'proj', branch: 'br', prompt: 'continue' },
    ],
    [
      'the first non-empty line only',
      '\n\n/claude first\n/codex second',
      { engine: 'claude', prompt: 'first\n/codex second' },
    ],
    [
      'other lines kept when the first is only directives',
      '/claude\nline two\n\nline four',
      { engine: 'claude', prompt: 'line two\n\nline four' },
    ],
    [
      'spacing inside the rest of the line',
      '/claude  keep   these  spaces',
      { engine: 'claude', prompt: 'keep   these  spaces' },
    ],
  ])('reads %s', (_, text, expected) => {
    const result = parseDirectives(text, options);
    expect(result).toEqual({ ok: true, directives: { mentionedBot: false, ...expected } });
  });

  it.each<[string, string]>([
    ['plain text', 'hello there'],
    ['an unknown command', '/unknown do it'],
    ['a reserved command', '/cancel'],
    ['a directive after the first word', 'please /claude do it'],
    ['a bare slash', '/ claude'],
    ['a bare at sign', '@ feat'],
    ['an empty message', ''],
    ['a blank message', '  \n '],
  ])('leaves %s untouched', (_, text) => {
    expect(parseDirectives(text, options)).toEqual({
      ok: true,
      directives: { mentionedBot: false, prompt: text },
    });
  });

  it.each<[string, string]>([
    ['/codex /claude hi', 'error:\nmultiple engine directives'],
    ['/proj /happy-gadgets hi', 'error:\nmultiple project directives'],
    ['@a @b hi', 'error:\nmultiple @branch directives'],
    ['/claude@mybot /CLAUDE hi', 'error:\nmultiple engine directives'],
  ])('refuses duplicates in %j', (text, error) => {
    expect(parseDirectives(text, options)).toEqual({ ok: false, error });
  });

  it('stops at the first non-directive, so a later duplicate is prompt text', () => {
    expect(parseDirectives('/codex fix /claude', options)).toEqual({
      ok: true,
      directives: { engine: 'codex', mentionedBot: false, prompt: 'fix /claude' },
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a leading mention', '@mybot fix the tests', { prompt: 'fix the tests' }],
    ['a mention in another case', '@MyBot /claude fix', { engine: 'claude', prompt: 'fix' }],
    [
      'a mention between directives',
      '/proj @mybot @feat/x go',
      { project: 'proj', branch: 'feat/x', prompt: 'go' },
    ],
    ['a mention alone', '@mybot', { prompt: 'continue' }],
  ])('does not take this bot’s @mention for a branch: %s', (_, text, expected) => {
    expect(parseDirectives(text, options)).toEqual({
      ok: true,
      directives: { mentionedBot: true, ...expected },
    });
  });

  it('stops at a command addressed to another bot', () => {
    expect(parseDirectives('/claude@otherbot x', options)).toEqual({
      ok: true,
      directives: { mentionedBot: false, prompt: '/claude@otherbot x' },
    });
  });

  it('strips any @suffix while the bot’s username is unknown', () => {
    const result = parseDirectives('/claude@whoever x', { ...options, botUsername: undefined });
    expect(result).toEqual({ ok: true, directives: { engine: 'claude', mentionedBot: false, prompt: 'x' } });
  });

  it('reads another @name as a branch, since it cannot tell it from one', () => {
    const result = parseDirectives('@otherbot hi', options);
    expect(result).toEqual({
      ok: true,
      directives: { branch: 'otherbot', mentionedBot: false, prompt: 'hi' },
    });
  });

  it('treats engine names as directives even when nothing else is configured', () => {
    const result = parseDirectives('/opencode run', { engines: ENGINE_IDS, projects: [] });
    expect(result).toEqual({
      ok: true,
      directives: { engine: 'opencode', mentionedBot: false, prompt: 'run' },
    });
  });
});
