import { describe, expect, it } from 'vitest';
import type { CommandHandler } from '../../../src/transport/commands/command-context.ts';
import { settingsCommandFor, settingsCommands } from '../../../src/transport/commands/index.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import { MAIN, type SendOptions, TOPIC, useCommandHarness, type Where } from './command-harness.ts';

const harness = useCommandHarness();

const FULL: ScopePrefs = {
  default_engine: 'claude',
  trigger_mode: 'mentions',
  context: { project: 'proj', branch: 'b' },
  overrides: { codex: { model: 'o3', reasoning: 'high' } },
};
/** Everything a change could touch, in the chat and in the topic. */
const SEED: Record<string, ScopePrefs> = {
  'tg:-1001': FULL,
  'tg:-1001:42': { ...FULL, topic_title: 'proj @b' },
};

interface Refusals {
  denied: string;
  missingSender: string;
  failed: string;
}

const AGENT: Refusals = {
  denied: 'changing default engines is restricted to group admins.',
  missingSender: 'cannot verify sender for engine defaults.',
  failed: 'failed to verify engine permissions.',
};
const MODEL: Refusals = {
  denied: 'changing model overrides is restricted to group admins.',
  missingSender: 'cannot verify sender for model overrides.',
  failed: 'failed to verify model override permissions.',
};
const REASONING: Refusals = {
  denied: 'changing reasoning overrides is restricted to group admins.',
  missingSender: 'cannot verify sender for reasoning overrides.',
  failed: 'failed to verify reasoning override permissions.',
};
const TRIGGER: Refusals = {
  denied: 'changing trigger mode is restricted to group admins.',
  missingSender: 'cannot verify sender for trigger settings.',
  failed: 'failed to verify trigger permissions.',
};
const CTX: Refusals = {
  denied: 'changing context bindings is restricted to group admins.',
  missingSender: 'cannot verify sender for context bindings.',
  failed: 'failed to verify context permissions.',
};
const TOPIC_CREATION: Refusals = {
  denied: 'creating topics is restricted to group admins.',
  missingSender: 'cannot verify sender for topic creation.',
  failed: 'failed to verify topic permissions.',
};

const CHANGES: Array<[string, Where, Refusals]> = [
  ['/agent set pi', MAIN, AGENT],
  ['/agent clear', TOPIC, AGENT],
  ['/model set o4', MAIN, MODEL],
  ['/model clear codex', TOPIC, MODEL],
  ['/reasoning set low', TOPIC, REASONING],
  ['/reasoning clear codex', MAIN, REASONING],
  ['/trigger all', MAIN, TRIGGER],
  ['/trigger all', TOPIC, TRIGGER],
  ['/trigger clear', MAIN, TRIGGER],
  ['/ctx set other', MAIN, CTX],
  ['/ctx set other @c', TOPIC, CTX],
  ['/ctx clear', MAIN, CTX],
  ['/ctx clear', TOPIC, CTX],
  ['/topic other @c', MAIN, TOPIC_CREATION],
];

const WAYS: Array<[string, SendOptions, keyof Refusals, number]> = [
  ['a member who is not an admin', { admin: false }, 'denied', 1],
  ['a sender Telegram could not check', { admin: 'throws' }, 'failed', 1],
  ['a message without a sender', { noSender: true }, 'missingSender', 0],
];

function handlerOf(text: string): CommandHandler {
  const handler = settingsCommandFor(text.slice(1).split(' ')[0]!);
  if (!handler) throw new Error(`no handler for ${text}`);
  return handler;
}

describe('settings changes in groups', () => {
  describe.each(CHANGES)('%s (%o)', (text, where, refusals) => {
    it.each(WAYS)('are refused for %s, and nothing changes', async (_, options, refusal, checks) => {
      const h = harness();
      h.seed(SEED);
      const outcome = await h.send(handlerOf(text), text, where, options);
      expect(outcome.replies).toEqual([refusals[refusal]]);
      expect(outcome.adminChecks).toBe(checks);
      expect(h.rows()).toEqual(SEED);
      expect(outcome.renames).toEqual([]);
      expect(outcome.created).toEqual([]);
      expect(outcome.sent).toEqual([]);
    });

    it('go through for an admin', async () => {
      const h = harness();
      h.seed(SEED);
      const outcome = await h.send(handlerOf(text), text, where, { admin: true });
      expect(outcome.adminChecks).toBe(1);
      expect(h.rows()).not.toEqual(SEED);
    });
  });
});

describe('settingsCommands', () => {
  it('maps exactly the six settings commands', () => {
    expect(Object.keys(settingsCommands).sort()).toEqual([
      'agent',
      'ctx',
      'model',
      'reasoning',
      'topic',
      'trigger',
    ]);
  });

  it.each(['cancel', 'new', 'file', 'claude', 'toString', 'constructor'])('has no handler for %j', (name) => {
    expect(settingsCommandFor(name)).toBeUndefined();
  });
});
