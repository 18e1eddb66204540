import { describe, expect, it } from 'vitest';
import {
  type EngineChoice,
  type EngineLayers,
  resolveOverrides,
  selectEngine,
} from '../../../src/transport/routing/engine-selection.ts';
import { resolveResume } from '../../../src/transport/routing/resume-lines.ts';
import { codecs } from './codecs.ts';

describe('selectEngine', () => {
  const all: EngineLayers = {
    resume: 'pi',
    directive: 'claude',
    topicDefault: 'opencode',
    chatDefault: 'codex',
    projectDefault: 'claude',
    globalDefault: 'codex',
  };

  it.each<[string, EngineLayers, EngineChoice]>([
    ['the resume token over everything', all, { engine: 'pi', source: 'resume token' }],
    [
      'a directive over the defaults',
      { ...all, resume: undefined },
      { engine: 'claude', source: 'directive' },
    ],
    [
      'the topic default over the chat default',
      { ...all, resume: null, directive: null },
      { engine: 'opencode', source: 'topic default' },
    ],
    [
      'the chat default over the project default',
      { ...all, resume: null, directive: null, topicDefault: null, chatDefault: 'pi' },
      { engine: 'pi', source: 'chat default' },
    ],
    [
      'the project default over the global default',
      { globalDefault: 'codex', projectDefault: 'claude' },
      { engine: 'claude', source: 'project default' },
    ],
    ['the global default last', { globalDefault: 'codex' }, { engine: 'codex', source: 'global default' }],
    [
      'the --engine override in place of the global default',
      { globalDefault: 'codex', cliOverride: 'opencode' },
      { engine: 'opencode', source: 'global default' },
    ],
    [
      'a project default over the --engine override',
      { globalDefault: 'codex', cliOverride: 'opencode', projectDefault: 'pi' },
      { engine: 'pi', source: 'project default' },
    ],
  ])('picks %s', (_, layers, choice) => {
    expect(selectEngine(layers)).toEqual(choice);
  });

  it('lets a resume line in the replied-to message override a directive', () => {
    const resume = resolveResume('/claude fix it', 'done\n\n`codex resume 019b-aa`', codecs);
    const choice = selectEngine({ resume: resume?.token.engine, directive: 'claude', globalDefault: 'pi' });
    expect(choice).toEqual({ engine: 'codex', source: 'resume token' });
  });
});

describe('resolveOverrides', () => {
  it.each([
    [
      'a topic override over the chat’s',
      { topic: { codex: { model: 'o3' } }, chat: { codex: { model: 'gpt-5' } } },
      { model: { value: 'o3', source: 'topic override' }, reasoning: { source: 'no override' } },
    ],
    [
      'the chat’s when the topic has none',
      { topic: {}, chat: { codex: { model: 'gpt-5', reasoning: 'high' } } },
      {
        model: { value: 'gpt-5', source: 'chat default' },
        reasoning: { value: 'high', source: 'chat default' },
      },
    ],
    [
      'each field on its own',
      { topic: { codex: { reasoning: 'low' } }, chat: { codex: { model: 'gpt-5', reasoning: 'high' } } },
      {
        model: { value: 'gpt-5', source: 'chat default' },
        reasoning: { value: 'low', source: 'topic override' },
      },
    ],
    [
      'only the engine’s own entries',
      { topic: { claude: { model: 'opus' } }, chat: { pi: { model: 'x' } } },
      { model: { source: 'no override' }, reasoning: { source: 'no override' } },
    ],
    [
      'nothing when no scope has any',
      {},
      { model: { source: 'no override' }, reasoning: { source: 'no override' } },
    ],
  ])('takes %s', (_, scopes, expected) => {
    expect(resolveOverrides('codex', scopes)).toEqual(expected);
  });
});
