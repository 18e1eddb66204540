import { describe, expect, it } from 'vitest';
import { agentCommand } from '../../../src/transport/commands/agent.command.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import { DM, type HarnessConfig, MAIN, TOPIC, useCommandHarness, type Where } from './command-harness.ts';

const harness = useCommandHarness();

const ALL = 'available: codex, claude, opencode, pi';
const UNKNOWN_ENGINE = 'unknown engine `gpt`.\navailable engines: `codex, claude, opencode, pi`';
const USAGE = 'usage: `/agent`, `/agent set <engine>`, or `/agent clear`';

function show(engine: string, model: string, reasoning: string, defaults: string): string {
  return [
    `engine: ${engine}`,
    `model: ${model}`,
    `reasoning: ${reasoning}`,
    `defaults: ${defaults}`,
    ALL,
  ].join('\n\n');
}

describe('/agent', () => {
  it.each<[string, Where, Record<string, ScopePrefs>, HarnessConfig, string]>([
    [
      'the global default when nothing is set',
      DM,
      {},
      {},
      show(
        'codex (global default)',
        'default (no override)',
        'default (no override)',
        'topic: none, chat: none, project: none, global: codex',
      ),
    ],
    [
      'the --engine override as the global default',
      DM,
      {},
      { globalEngine: 'opencode' },
      show(
        'opencode (global default)',
        'default (no override)',
        'default (no override)',
        'topic: none, chat: none, project: none, global: opencode',
      ),
    ],
    [
      'the chat default over the global one',
      DM,
      { 'tg:7': { default_engine: 'claude' } },
      {},
      show(
        'claude (chat default)',
        'default (no override)',
        'default (no override)',
        'topic: none, chat: claude, project: none, global: codex',
      ),
    ],
    [
      'the topic default over the chat default, inside the topic',
      TOPIC,
      { 'tg:-1001': { default_engine: 'claude' }, 'tg:-1001:42': { default_engine: 'pi' } },
      {},
      show(
        'pi (topic default)',
        'default (no override)',
        'default (no override)',
        'topic: pi, chat: claude, project: none, global: codex',
      ),
    ],
    [
      'the chat default in the chat, ignoring its topics',
      MAIN,
      { 'tg:-1001': { default_engine: 'claude' }, 'tg:-1001:42': { default_engine: 'pi' } },
      {},
      show(
        'claude (chat default)',
        'default (no override)',
        'default (no override)',
        'topic: none, chat: claude, project: none, global: codex',
      ),
    ],
    [
      "the bound project's default engine",
      DM,
      { 'tg:7': { context: { project: 'other' } } },
      {},
      show(
        'claude (project default)',
        'default (no override)',
        'default (no override)',
        'topic: none, chat: none, project: claude, global: codex',
      ),
    ],
    [
      "default_project's default engine",
      DM,
      {},
      { default_project: 'other' },
      show(
        'claude (project default)',
        'default (no override)',
        'default (no override)',
        'topic: none, chat: none, project: claude, global: codex',
      ),
    ],
    [
      'the overrides of the engine in use, topic over chat',
      TOPIC,
      {
        'tg:-1001': { overrides: { codex: { model: 'o3', reasoning: 'low' }, claude: { model: 'opus' } } },
        'tg:-1001:42': { overrides: { codex: { reasoning: 'high' } } },
      },
      {},
      show(
        'codex (global default)',
        'o3 (chat default)',
        'high (topic override)',
        'topic: none, chat: none, project: none, global: codex',
      ),
    ],
  ])('shows %s', async (_, where, seed, config, expected) => {
    const h = harness(config);
    h.seed(seed);
    const outcome = await h.send(agentCommand, '/agent', where);
    expect(outcome.replies).toEqual([expected]);
  });

  it('shows the error when the replied-to ctx line names a project no longer configured', async () => {
    const h = harness();
    const outcome = await h.send(agentCommand, '/agent', DM, { replyText: 'done\n\nctx: gone @x' });
    expect(outcome.replies).toEqual([
      "error:\nunknown project 'gone' in ctx line; start a new thread or add it back to your config",
    ]);
  });

  it("uses the replied-to message's ctx line to find the project default", async () => {
    const h = harness();
    const outcome = await h.send(agentCommand, '/agent', DM, { replyText: 'done\n\nctx: other @x' });
    expect(outcome.replies[0]).toMatch(/^engine: claude \(project default\)\n\n/);
  });

  it('shows settings to a group member who is not an admin, without asking Telegram', async () => {
    const h = harness();
    const outcome = await h.send(agentCommand, '/agent', MAIN, { admin: false });
    expect(outcome.replies[0]).toMatch(/^engine: codex \(global default\)/);
    expect(outcome.adminChecks).toBe(0);
  });

  it.each<[string, string, Where, Record<string, ScopePrefs>, string, Record<string, ScopePrefs>]>([
    [
      'sets the chat default',
      '/agent set claude',
      DM,
      {},
      'chat default engine set to `claude`',
      {
        'tg:7': { default_engine: 'claude' },
      },
    ],
    [
      'reads the engine name case-insensitively',
      '/agent set Claude',
      DM,
      {},
      'chat default engine set to `claude`',
      {
        'tg:7': { default_engine: 'claude' },
      },
    ],
    [
      'sets the topic default inside a topic',
      '/agent set pi',
      TOPIC,
      {},
      'topic default engine set to `pi`',
      {
        'tg:-1001:42': { default_engine: 'pi' },
      },
    ],
    [
      'sets the chat default of a forum outside its topics',
      '/agent set pi',
      MAIN,
      {},
      'chat default engine set to `pi`',
      {
        'tg:-1001': { default_engine: 'pi' },
      },
    ],
    [
      'accepts an engine whose CLI is not installed',
      '/agent set opencode',
      DM,
      {},
      'chat default engine set to `opencode`',
      { 'tg:7': { default_engine: 'opencode' } },
    ],
    [
      'clears the chat default and keeps the rest of the chat prefs',
      '/agent clear',
      DM,
      { 'tg:7': { default_engine: 'claude', trigger_mode: 'mentions' } },
      'chat default engine cleared.',
      { 'tg:7': { trigger_mode: 'mentions' } },
    ],
    [
      'clears the topic default and leaves the chat default',
      '/agent clear',
      TOPIC,
      { 'tg:-1001': { default_engine: 'claude' }, 'tg:-1001:42': { default_engine: 'pi' } },
      'topic default engine cleared.',
      { 'tg:-1001': { default_engine: 'claude' } },
    ],
  ])('%s', async (_, text, where, seed, reply, rows) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(agentCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual(rows);
  });

  it('sets the chat default of a forum thread when topics are off', async () => {
    const h = harness({ topics: { enabled: false } });
    const outcome = await h.send(agentCommand, '/agent set claude', TOPIC);
    expect(outcome.replies).toEqual(['chat default engine set to `claude`']);
    expect(h.rows()).toEqual({ 'tg:-1001': { default_engine: 'claude' } });
  });

  it.each([
    ['/agent set', USAGE],
    ['/agent set claude pi', USAGE],
    ['/agent clear now', USAGE],
    ['/agent use claude', USAGE],
    ['/agent set gpt', UNKNOWN_ENGINE],
  ])('answers %j with the exact error and stores nothing', async (text, reply) => {
    const h = harness();
    const outcome = await h.send(agentCommand, text, DM);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual({});
  });
});
