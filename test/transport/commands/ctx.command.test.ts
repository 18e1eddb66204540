import { describe, expect, it } from 'vitest';
import { ctxCommand } from '../../../src/transport/commands/ctx.command.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import {
  DM,
  type HarnessConfig,
  PROJECT_TOPIC,
  TOPIC,
  useCommandHarness,
  type Where,
} from './command-harness.ts';

const harness = useCommandHarness();

const PROJECT_CHAT: Where = { chat: 'project' };
const NO_BINDING_NOTE = 'note: no bound context — bind with `/ctx set <project> [@branch]`';
const UNBOUND_TOPIC_NOTE =
  'note: unbound topic — bind with `/topic <project> @branch` or `/ctx set <project> [@branch]`';
const USAGE = 'usage: `/ctx set <project> [@branch]`';

describe('/ctx', () => {
  it.each<[string, Where, Record<string, ScopePrefs>, HarnessConfig, string | undefined, string[]]>([
    [
      'an unbound chat',
      DM,
      {},
      {},
      undefined,
      ['bound ctx: none', 'resolved ctx: none (source: none)', NO_BINDING_NOTE],
    ],
    [
      "the chat's binding",
      DM,
      { 'tg:7': { context: { project: 'proj', branch: 'feat/x' } } },
      {},
      undefined,
      ['bound ctx: proj @feat/x', 'resolved ctx: proj @feat/x (source: chat binding)'],
    ],
    [
      'default_project when nothing is bound',
      DM,
      {},
      { default_project: 'other' },
      undefined,
      ['bound ctx: none', 'resolved ctx: other (source: default project)', NO_BINDING_NOTE],
    ],
    [
      "the replied-to message's ctx line over the binding",
      DM,
      { 'tg:7': { context: { project: 'other' } } },
      {},
      'done\n\n`ctx: proj @x`',
      ['bound ctx: other', 'resolved ctx: proj @x (source: reply ctx)'],
    ],
    [
      "a project chat's own project",
      PROJECT_CHAT,
      {},
      {},
      undefined,
      ['bound ctx: none', 'resolved ctx: pchat (source: project chat)', NO_BINDING_NOTE],
    ],
    [
      'an unbound main-chat topic, where default_project does not apply',
      TOPIC,
      {},
      { default_project: 'other' },
      undefined,
      [
        'topics: enabled (scope=all)',
        'bound ctx: none',
        'resolved ctx: none (source: none)',
        UNBOUND_TOPIC_NOTE,
      ],
    ],
    [
      "the topic's binding over the chat's",
      TOPIC,
      {
        'tg:-1001': { context: { project: 'other' } },
        'tg:-1001:42': { context: { project: 'proj', branch: 'b' } },
      },
      {},
      undefined,
      ['topics: enabled (scope=all)', 'bound ctx: proj @b', 'resolved ctx: proj @b (source: topic binding)'],
    ],
    [
      "an unbound topic of a project chat, with the chat's project and no note",
      PROJECT_TOPIC,
      {},
      {},
      undefined,
      ['topics: enabled (scope=all)', 'bound ctx: none', 'resolved ctx: pchat (source: project chat)'],
    ],
    [
      'the scope auto resolved to main',
      TOPIC,
      { 'tg:-1001:42': { context: { project: 'proj' } } },
      { topics: { enabled: true, scope: 'auto' }, projectChat: false },
      undefined,
      [
        'topics: enabled (scope=auto (main))',
        'bound ctx: proj',
        'resolved ctx: proj (source: topic binding)',
      ],
    ],
  ])('shows %s', async (_, where, seed, config, replyText, lines) => {
    const h = harness(config);
    h.seed(seed);
    const outcome = await h.send(ctxCommand, '/ctx', where, {
      admin: false,
      ...(replyText ? { replyText } : {}),
    });
    expect(outcome.replies).toEqual([lines.join('\n')]);
    expect(outcome.adminChecks).toBe(0);
  });

  it('shows the error when the replied-to ctx line names a project no longer configured', async () => {
    const h = harness();
    const outcome = await h.send(ctxCommand, '/ctx', DM, { replyText: 'ctx: gone' });
    expect(outcome.replies).toEqual([
      "error:\nunknown project 'gone' in ctx line; start a new thread or add it back to your config",
    ]);
  });

  it.each<
    [string, string, Where, Record<string, ScopePrefs>, HarnessConfig, string, Record<string, ScopePrefs>]
  >([
    [
      'binds the chat to a project and branch',
      '/ctx set proj @feat/x',
      DM,
      {},
      {},
      'chat bound to `proj @feat/x`',
      {
        'tg:7': { context: { project: 'proj', branch: 'feat/x' } },
      },
    ],
    [
      'matches the project alias case-insensitively',
      '/ctx set PROJ',
      DM,
      {},
      {},
      'chat bound to `proj`',
      {
        'tg:7': { context: { project: 'proj' } },
      },
    ],
    [
      'uses default_project for a branch alone',
      '/ctx set @hotfix',
      DM,
      {},
      { default_project: 'other' },
      'chat bound to `other @hotfix`',
      { 'tg:7': { context: { project: 'other', branch: 'hotfix' } } },
    ],
    [
      "uses a project chat's own project for a branch alone",
      '/ctx set @hotfix',
      PROJECT_CHAT,
      {},
      { default_project: 'other' },
      'chat bound to `pchat @hotfix`',
      { 'tg:-2002': { context: { project: 'pchat', branch: 'hotfix' } } },
    ],
    [
      'lets a project chat bind another project outside its topics',
      '/ctx set proj',
      PROJECT_CHAT,
      {},
      {},
      'chat bound to `proj`',
      { 'tg:-2002': { context: { project: 'proj' } } },
    ],
    [
      'replaces an earlier chat binding',
      '/ctx set other',
      DM,
      { 'tg:7': { context: { project: 'proj', branch: 'old' }, default_engine: 'pi' } },
      {},
      'chat bound to `other`',
      { 'tg:7': { context: { project: 'other' }, default_engine: 'pi' } },
    ],
    [
      'clears the chat binding and keeps the other prefs',
      '/ctx clear',
      DM,
      { 'tg:7': { context: { project: 'proj' }, default_engine: 'pi' } },
      {},
      'chat context cleared.',
      { 'tg:7': { default_engine: 'pi' } },
    ],
    [
      "clears a topic's binding and keeps its recorded title",
      '/ctx clear',
      TOPIC,
      { 'tg:-1001:42': { context: { project: 'proj' }, topic_title: 'proj' } },
      {},
      'topic binding cleared.',
      { 'tg:-1001:42': { topic_title: 'proj' } },
    ],
  ])('%s', async (_, text, where, seed, config, reply, rows) => {
    const h = harness(config);
    h.seed(seed);
    const outcome = await h.send(ctxCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(h.rows()).toEqual(rows);
    expect(outcome.renames).toEqual([]);
  });

  it.each<[string, string, Where, Record<string, ScopePrefs>, string, string[], Record<string, ScopePrefs>]>([
    [
      'binds a main-chat topic and renames it',
      '/ctx set proj @feat',
      TOPIC,
      {},
      'topic bound to `proj @feat`',
      ['proj @feat'],
      { 'tg:-1001:42': { context: { project: 'proj', branch: 'feat' }, topic_title: 'proj @feat' } },
    ],
    [
      'does not rename a topic whose title already matches',
      '/ctx set proj @feat',
      TOPIC,
      { 'tg:-1001:42': { context: { project: 'other' }, topic_title: 'proj @feat' } },
      'topic bound to `proj @feat`',
      [],
      { 'tg:-1001:42': { context: { project: 'proj', branch: 'feat' }, topic_title: 'proj @feat' } },
    ],
    [
      'binds a project-chat topic to a branch of its project',
      '/ctx set @b',
      PROJECT_TOPIC,
      {},
      'topic bound to `pchat @b`',
      ['pchat @b'],
      { 'tg:-2002:42': { context: { project: 'pchat', branch: 'b' }, topic_title: 'pchat @b' } },
    ],
  ])('%s', async (_, text, where, seed, reply, renames, rows) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(ctxCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(outcome.renames).toEqual(renames);
    expect(h.rows()).toEqual(rows);
  });

  it('still binds the topic when the rename fails, and leaves the title unrecorded to retry', async () => {
    const h = harness();
    const outcome = await h.send(ctxCommand, '/ctx set proj', TOPIC, { renameFails: true });
    expect(outcome.replies).toEqual(['topic bound to `proj`']);
    expect(h.rows()).toEqual({ 'tg:-1001:42': { context: { project: 'proj' } } });
    const retry = await h.send(ctxCommand, '/ctx set proj', TOPIC);
    expect(retry.renames).toEqual(['proj']);
  });

  it('binds the chat, not the thread, in a forum thread when topics are off', async () => {
    const h = harness({ topics: { enabled: false } });
    const outcome = await h.send(ctxCommand, '/ctx set proj', TOPIC);
    expect(outcome.replies).toEqual(['chat bound to `proj`']);
    expect(outcome.renames).toEqual([]);
    expect(h.rows()).toEqual({ 'tg:-1001': { context: { project: 'proj' } } });
  });

  it.each<[string, Where, string]>([
    ['/ctx set', DM, `error:\n${USAGE}`],
    ['/ctx set nope', DM, `error:\nunknown project 'nope'\n${USAGE}`],
    ['/ctx set proj feat', DM, `error:\nbranch must be prefixed with @\n${USAGE}`],
    ['/ctx set proj @a b', DM, `error:\ntoo many arguments\n${USAGE}`],
    ['/ctx set @a proj', DM, `error:\ntoo many arguments\n${USAGE}`],
    ['/ctx set @hotfix', DM, `error:\nproject is required\n${USAGE}`],
    ['/ctx set proj @../x', DM, `error:\nbranch name cannot contain '..'\n${USAGE}`],
    ['/ctx set proj @/abs', DM, `error:\nbranch name cannot start with '/'\n${USAGE}`],
    ['/ctx set @b', TOPIC, `error:\nproject is required\n${USAGE}`],
    [
      '/ctx set proj @b',
      PROJECT_TOPIC,
      "error:\nproject mismatch for this chat; expected 'pchat'.\nusage: `/ctx set [@branch]`",
    ],
    ['/ctx set', PROJECT_TOPIC, 'error:\nusage: `/ctx set [@branch]`'],
    ['/ctx bind proj', DM, 'unknown `/ctx` command. use `/ctx`, `/ctx set`, or `/ctx clear`.'],
    ['/ctx bind proj', TOPIC, 'unknown `/ctx` command. use `/ctx`, `/ctx set`, or `/ctx clear`.'],
  ])('answers %j with the exact error and stores nothing', async (text, where, reply) => {
    const h = harness();
    const outcome = await h.send(ctxCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(outcome.renames).toEqual([]);
    expect(h.rows()).toEqual({});
  });
});
