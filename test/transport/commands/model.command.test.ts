import { describe, expect, it } from 'vitest';
import { modelCommand } from '../../../src/transport/commands/model.command.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import { DM, MAIN, TOPIC, useCommandHarness, type Where } from './command-harness.ts';

const harness = useCommandHarness();

const USAGE =
  'usage: `/model`, `/model set <model>`, `/model set <engine> <model>`, or `/model clear [engine]`';
const NEW_HINT = 'If you want a clean start on the new model, run `/new`.';

describe('/model', () => {
  it.each<[string, Where, Record<string, ScopePrefs>, string]>([
    [
      'no override',
      DM,
      {},
      'engine: codex (global default)\n\nmodel: default (no override)\n\ndefaults: topic: none, chat: none\n\n' +
        'available engines: codex, claude, opencode, pi',
    ],
    [
      "the chat's override of the engine in use",
      DM,
      {
        'tg:7': {
          default_engine: 'claude',
          overrides: { claude: { model: 'opus' }, codex: { model: 'o3' } },
        },
      },
      'engine: claude (chat default)\n\nmodel: opus (chat default)\n\ndefaults: topic: none, chat: opus\n\n' +
        'available engines: codex, claude, opencode, pi',
    ],
    [
      "the topic's override over the chat's, inside the topic",
      TOPIC,
      {
        'tg:-1001': { overrides: { codex: { model: 'o3' } } },
        'tg:-1001:42': { overrides: { codex: { model: 'gpt-5' } } },
      },
      'engine: codex (global default)\n\nmodel: gpt-5 (topic override)\n\ndefaults: topic: gpt-5, chat: o3\n\n' +
        'available engines: codex, claude, opencode, pi',
    ],
    [
      "only the chat's override outside the topic",
      MAIN,
      {
        'tg:-1001': { overrides: { codex: { model: 'o3' } } },
        'tg:-1001:42': { overrides: { codex: { model: 'gpt-5' } } },
      },
      'engine: codex (global default)\n\nmodel: o3 (chat default)\n\ndefaults: topic: none, chat: o3\n\n' +
        'available engines: codex, claude, opencode, pi',
    ],
  ])('shows %s', async (_, where, seed, expected) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(modelCommand, '/model', where, { admin: false });
    expect(outcome.replies).toEqual([expected]);
    expect(outcome.adminChecks).toBe(0);
  });

  it.each<[string, string, Where, Record<string, ScopePrefs>, string, Record<string, ScopePrefs>]>([
    [
      'sets the model of the engine in use for the chat',
      '/model set o3',
      DM,
      {},
      `chat model override set to \`o3\` for \`codex\`.\n${NEW_HINT}`,
      { 'tg:7': { overrides: { codex: { model: 'o3' } } } },
    ],
    [
      'sets the model of a named engine, keeping its reasoning override',
      '/model set Claude opus',
      DM,
      { 'tg:7': { overrides: { claude: { reasoning: 'high' } } } },
      `chat model override set to \`opus\` for \`claude\`.\n${NEW_HINT}`,
      { 'tg:7': { overrides: { claude: { reasoning: 'high', model: 'opus' } } } },
    ],
    [
      'sets the model of the chat default engine when none is named',
      '/model set sonnet',
      DM,
      { 'tg:7': { default_engine: 'claude' } },
      `chat model override set to \`sonnet\` for \`claude\`.\n${NEW_HINT}`,
      { 'tg:7': { default_engine: 'claude', overrides: { claude: { model: 'sonnet' } } } },
    ],
    [
      'keeps a model name of several words whole',
      '/model set provider/model large',
      DM,
      {},
      `chat model override set to \`provider/model large\` for \`codex\`.\n${NEW_HINT}`,
      { 'tg:7': { overrides: { codex: { model: 'provider/model large' } } } },
    ],
    [
      'sets the topic override inside a topic',
      '/model set pi gemini',
      TOPIC,
      {},
      `topic model override set to \`gemini\` for \`pi\`.\n${NEW_HINT}`,
      { 'tg:-1001:42': { overrides: { pi: { model: 'gemini' } } } },
    ],
    [
      'clears the chat override of the engine in use and drops the empty map',
      '/model clear',
      DM,
      { 'tg:7': { trigger_mode: 'mentions', overrides: { codex: { model: 'o3' } } } },
      'chat model override cleared.',
      { 'tg:7': { trigger_mode: 'mentions' } },
    ],
    [
      "clears a named engine's model and keeps its reasoning",
      '/model clear claude',
      DM,
      { 'tg:7': { overrides: { claude: { model: 'opus', reasoning: 'low' }, codex: { model: 'o3' } } } },
      'chat model override cleared.',
      { 'tg:7': { overrides: { claude: { reasoning: 'low' }, codex: { model: 'o3' } } } },
    ],
    [
      'clears the topic override and leaves the chat one',
      '/model clear',
      TOPIC,
      {
        'tg:-1001': { overrides: { codex: { model: 'o3' } } },
        'tg:-1001:42': { overrides: { codex: { model: 'gpt-5' } } },
      },
      'topic model override cleared (using chat default).',
      { 'tg:-1001': { overrides: { codex: { model: 'o3' } } } },
    ],
  ])('%s', async (_, text, where, seed, reply, rows) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(modelCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual(rows);
  });

  it.each([
    ['/model set', USAGE],
    ['/model set claude', USAGE],
    ['/model clear claude now', USAGE],
    ['/model reset', USAGE],
    ['/model clear gpt', 'unknown engine `gpt`.\navailable engines: `codex, claude, opencode, pi`'],
  ])('answers %j with the exact error and stores nothing', async (text, reply) => {
    const h = harness();
    const outcome = await h.send(modelCommand, text, DM);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual({});
  });

  it('answers the ctx-line error when the engine in use cannot be resolved', async () => {
    const h = harness();
    const outcome = await h.send(modelCommand, '/model set o3', DM, { replyText: 'ctx: gone' });
    expect(outcome.replies).toEqual([
      "error:\nunknown project 'gone' in ctx line; start a new thread or add it back to your config",
    ]);
    expect(h.rows()).toEqual({});
  });
});
