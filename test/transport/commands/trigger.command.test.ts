import { describe, expect, it } from 'vitest';
import { triggerCommand } from '../../../src/transport/commands/trigger.command.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import { resolveTriggerMode } from '../../../src/transport/routing/trigger-mode.ts';
import { DM, MAIN, TOPIC, useCommandHarness, type Where } from './command-harness.ts';

const harness = useCommandHarness();

const USAGE = 'usage: `/trigger`, `/trigger all`, `/trigger mentions`, or `/trigger clear`';

describe('/trigger', () => {
  it.each<[string, Where, Record<string, ScopePrefs>, string]>([
    [
      'the default',
      DM,
      {},
      'trigger: all (default)\n\ndefaults: topic: none, chat: none\n\navailable: all, mentions',
    ],
    [
      "the chat's mode",
      MAIN,
      { 'tg:-1001': { trigger_mode: 'mentions' } },
      'trigger: mentions (chat default)\n\ndefaults: topic: none, chat: mentions\n\navailable: all, mentions',
    ],
    [
      "a topic's all over the chat's mentions",
      TOPIC,
      { 'tg:-1001': { trigger_mode: 'mentions' }, 'tg:-1001:42': { trigger_mode: 'all' } },
      'trigger: all (topic override)\n\ndefaults: topic: all, chat: mentions\n\navailable: all, mentions',
    ],
  ])('shows %s', async (_, where, seed, expected) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(triggerCommand, '/trigger', where, { admin: false });
    expect(outcome.replies).toEqual([expected]);
  });

  it.each<[string, string, Where, Record<string, ScopePrefs>, string, Record<string, ScopePrefs>]>([
    [
      'sets the chat to mentions',
      '/trigger mentions',
      MAIN,
      {},
      'chat trigger mode set to `mentions`',
      {
        'tg:-1001': { trigger_mode: 'mentions' },
      },
    ],
    [
      'sets the chat to all',
      '/trigger ALL',
      DM,
      {},
      'chat trigger mode set to `all`',
      {
        'tg:7': { trigger_mode: 'all' },
      },
    ],
    [
      'stores a topic set to all, so it overrides the chat',
      '/trigger all',
      TOPIC,
      { 'tg:-1001': { trigger_mode: 'mentions' } },
      'topic trigger mode set to `all`',
      { 'tg:-1001': { trigger_mode: 'mentions' }, 'tg:-1001:42': { trigger_mode: 'all' } },
    ],
    [
      'resets the chat to all',
      '/trigger clear',
      MAIN,
      { 'tg:-1001': { trigger_mode: 'mentions' } },
      'chat trigger mode reset to `all`.',
      {},
    ],
    [
      'clears the topic and falls back to the chat',
      '/trigger clear',
      TOPIC,
      { 'tg:-1001': { trigger_mode: 'mentions' }, 'tg:-1001:42': { trigger_mode: 'all' } },
      'topic trigger mode cleared (using chat default).',
      { 'tg:-1001': { trigger_mode: 'mentions' } },
    ],
  ])('%s', async (_, text, where, seed, reply, rows) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(triggerCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual(rows);
  });

  it('makes a topic set to all answer every message although the chat wants mentions', async () => {
    const h = harness();
    await h.send(triggerCommand, '/trigger mentions', MAIN);
    await h.send(triggerCommand, '/trigger all', TOPIC);
    const rows = h.rows();
    expect(
      resolveTriggerMode({ chat: rows['tg:-1001']?.trigger_mode, topic: rows['tg:-1001:42']?.trigger_mode }),
    ).toEqual({
      mode: 'all',
      source: 'topic',
    });
  });

  it.each(['/trigger sometimes', '/trigger all now', '/trigger clear all'])(
    'answers %j with the usage and stores nothing',
    async (text) => {
      const h = harness();
      const outcome = await h.send(triggerCommand, text, DM);
      expect(outcome.replies).toEqual([USAGE]);
      expect(h.rows()).toEqual({});
    },
  );
});
