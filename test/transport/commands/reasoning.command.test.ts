import { describe, expect, it } from 'vitest';
import { reasoningCommand } from '../../../src/transport/commands/reasoning.command.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import { DM, TOPIC, useCommandHarness, type Where } from './command-harness.ts';

const harness = useCommandHarness();

const USAGE =
  'usage: `/reasoning`, `/reasoning set <level>`, `/reasoning set <engine> <level>`, or `/reasoning clear [engine]`';
const LEVELS = 'available levels: minimal, low, medium, high, xhigh';
const NEW_HINT = 'If you want a clean start on the new setting, run `/new`.';

describe('/reasoning', () => {
  it.each<[string, Where, Record<string, ScopePrefs>, string]>([
    [
      'no override',
      DM,
      {},
      `engine: codex (global default)\n\nreasoning: default (no override)\n\ndefaults: topic: none, chat: none\n\n${LEVELS}`,
    ],
    [
      "the topic's level over the chat's",
      TOPIC,
      {
        'tg:-1001': { overrides: { codex: { reasoning: 'low' } } },
        'tg:-1001:42': { overrides: { codex: { reasoning: 'xhigh' } } },
      },
      `engine: codex (global default)\n\nreasoning: xhigh (topic override)\n\ndefaults: topic: xhigh, chat: low\n\n${LEVELS}`,
    ],
    [
      "the chat's level when the topic sets only a model",
      TOPIC,
      {
        'tg:-1001': { overrides: { codex: { reasoning: 'low' } } },
        'tg:-1001:42': { overrides: { codex: { model: 'o3' } } },
      },
      `engine: codex (global default)\n\nreasoning: low (chat default)\n\ndefaults: topic: none, chat: low\n\n${LEVELS}`,
    ],
  ])('shows %s', async (_, where, seed, expected) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(reasoningCommand, '/reasoning', where);
    expect(outcome.replies).toEqual([expected]);
  });

  it.each<[string, string, Where, Record<string, ScopePrefs>, string, Record<string, ScopePrefs>]>([
    [
      'sets the level for the chat, lowercased',
      '/reasoning set HIGH',
      DM,
      {},
      `chat reasoning override set to \`high\` for \`codex\`.\n${NEW_HINT}`,
      { 'tg:7': { overrides: { codex: { reasoning: 'high' } } } },
    ],
    [
      'sets the level of a named engine in a topic, keeping its model',
      '/reasoning set claude minimal',
      TOPIC,
      { 'tg:-1001:42': { overrides: { claude: { model: 'opus' } } } },
      `topic reasoning override set to \`minimal\` for \`claude\`.\n${NEW_HINT}`,
      { 'tg:-1001:42': { overrides: { claude: { model: 'opus', reasoning: 'minimal' } } } },
    ],
    [
      'clears the chat level and keeps the model',
      '/reasoning clear codex',
      DM,
      { 'tg:7': { overrides: { codex: { model: 'o3', reasoning: 'high' } } } },
      'chat reasoning override cleared.',
      { 'tg:7': { overrides: { codex: { model: 'o3' } } } },
    ],
    [
      'clears the topic level',
      '/reasoning clear',
      TOPIC,
      { 'tg:-1001:42': { overrides: { codex: { reasoning: 'high' } } } },
      'topic reasoning override cleared (using chat default).',
      {},
    ],
  ])('%s', async (_, text, where, seed, reply, rows) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(reasoningCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual(rows);
  });

  it.each([
    ['/reasoning set', USAGE],
    ['/reasoning set codex', USAGE],
    ['/reasoning clear codex now', USAGE],
    ['/reasoning up', USAGE],
    ['/reasoning set extreme', `unknown reasoning level \`extreme\`.\n${LEVELS}`],
    ['/reasoning set codex very high', `unknown reasoning level \`very high\`.\n${LEVELS}`],
    ['/reasoning clear gpt', 'unknown engine `gpt`.\navailable engines: `codex, claude, opencode, pi`'],
  ])('answers %j with the exact error and stores nothing', async (text, reply) => {
    const h = harness();
    const outcome = await h.send(reasoningCommand, text, DM);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual({});
  });
});
