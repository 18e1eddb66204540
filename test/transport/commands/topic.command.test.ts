import { describe, expect, it } from 'vitest';
import { topicCommand } from '../../../src/transport/commands/topic.command.ts';
import type { ScopePrefs } from '../../../src/transport/prefs.ts';
import {
  DM,
  type HarnessConfig,
  MAIN,
  NEW_THREAD,
  PROJECT_TOPIC,
  TOPIC,
  useCommandHarness,
  type Where,
} from './command-harness.ts';

const harness = useCommandHarness();

const PROJECT_CHAT: Where = { chat: 'project' };

describe('/topic', () => {
  it.each<[string, string, Where, string, Record<string, ScopePrefs>]>([
    ['in the main chat', '/topic proj @feat/x', MAIN, 'proj @feat/x', {}],
    ['from inside another topic', '/topic Proj @b', TOPIC, 'proj @b', {}],
    ['in a project chat, the project implied', '/topic @b', PROJECT_CHAT, 'pchat @b', {}],
    ['in a project chat, the project named', '/topic pchat @b', PROJECT_TOPIC, 'pchat @b', {}],
    [
      'when the same context has a topic in another chat only',
      '/topic proj @feat',
      MAIN,
      'proj @feat',
      { 'tg:-2002:5': { context: { project: 'proj', branch: 'feat' } } },
    ],
    [
      'when a topic of this chat is bound to another branch',
      '/topic proj @feat',
      MAIN,
      'proj @feat',
      { 'tg:-1001:42': { context: { project: 'proj', branch: 'main' } } },
    ],
  ])('creates, binds and greets a topic %s', async (_, text, where, title, seed) => {
    const h = harness();
    h.seed(seed);
    const outcome = await h.send(topicCommand, text, where);
    const chatId = where.chat === 'project' ? -2002 : -1001;
    const [project, branch] = title.split(' @');
    expect(outcome.created).toEqual([title]);
    expect(outcome.replies).toEqual([`created topic \`${title}\`.`]);
    expect(outcome.sent).toEqual([{ threadId: NEW_THREAD, markdown: `topic bound to \`${title}\`` }]);
    expect(h.rows()).toEqual({
      ...seed,
      [`tg:${chatId}:${NEW_THREAD}`]: { context: { project, branch }, topic_title: title },
    });
  });

  it('does not create a second topic for a context that already has one in this chat', async () => {
    const h = harness();
    const seed = {
      'tg:-1001:42': { context: { project: 'proj', branch: 'feat' }, topic_title: 'proj @feat' },
    };
    h.seed(seed);
    const outcome = await h.send(topicCommand, '/topic proj @feat', MAIN);
    expect(outcome.replies).toEqual(['topic already exists for proj @feat in this chat.']);
    expect(outcome.created).toEqual([]);
    expect(outcome.sent).toEqual([]);
    expect(h.rows()).toEqual(seed);
  });

  it('replies when Telegram refuses to create the topic, and binds nothing', async () => {
    const h = harness();
    const outcome = await h.send(topicCommand, '/topic proj @feat', MAIN, { createFails: true });
    expect(outcome.replies).toEqual(['failed to create topic.']);
    expect(outcome.sent).toEqual([]);
    expect(h.rows()).toEqual({});
  });

  it.each<[string, Where, HarnessConfig, string]>([
    [
      'topics off',
      MAIN,
      { topics: { enabled: false } },
      'topics are disabled; set `enabled = true` in `[transports.telegram.topics]`.',
    ],
    ['scope all, a private chat', DM, {}, 'topics commands are only available in the main or project chats.'],
    [
      'scope main, a project chat',
      PROJECT_CHAT,
      { topics: { enabled: true, scope: 'main' } },
      'topics commands are only available in the main chat.',
    ],
    [
      'scope auto without project chats, a private chat',
      DM,
      { topics: { enabled: true, scope: 'auto' }, projectChat: false },
      'topics commands are only available in the main chat (auto scope). to use topics in project chats, set `topics.scope = "projects"`.',
    ],
    [
      'scope projects, the main chat',
      MAIN,
      { topics: { enabled: true, scope: 'projects' } },
      'topics commands are only available in project chats.',
    ],
    [
      'scope auto with project chats, the main chat',
      MAIN,
      { topics: { enabled: true, scope: 'auto' } },
      'topics commands are only available in project chats (auto scope). to use topics in the main chat, set `topics.scope = "main"`.',
    ],
  ])('refuses with %s', async (_, where, config, reply) => {
    const h = harness(config);
    const outcome = await h.send(topicCommand, '/topic proj @feat', where);
    expect(outcome.replies).toEqual([reply]);
    expect(outcome.created).toEqual([]);
    expect(h.rows()).toEqual({});
  });

  it.each<[string, Where, string]>([
    ['/topic', MAIN, 'error:\nusage: `/topic <project> @branch`'],
    ['/topic proj', MAIN, 'error:\nbranch is required\nusage: `/topic <project> @branch`'],
    ['/topic proj @', MAIN, 'error:\nbranch is required\nusage: `/topic <project> @branch`'],
    ['/topic nope @b', MAIN, "error:\nunknown project 'nope'\nusage: `/topic <project> @branch`"],
    ['/topic @b', MAIN, 'error:\nproject is required\nusage: `/topic <project> @branch`'],
    ['/topic proj b', MAIN, 'error:\nbranch must be prefixed with @\nusage: `/topic <project> @branch`'],
    ['/topic proj @b c', MAIN, 'error:\ntoo many arguments\nusage: `/topic <project> @branch`'],
    [
      '/topic proj @a/../../x',
      MAIN,
      "error:\nbranch name cannot contain '..'\nusage: `/topic <project> @branch`",
    ],
    ['/topic', PROJECT_CHAT, 'error:\nusage: `/topic @branch`'],
    [
      '/topic other @b',
      PROJECT_CHAT,
      "error:\nproject mismatch for this chat; expected 'pchat'.\nusage: `/topic @branch`",
    ],
  ])('answers %j with the exact error and creates nothing', async (text, where, reply) => {
    const h = harness();
    const outcome = await h.send(topicCommand, text, where);
    expect(outcome.replies).toEqual([reply]);
    expect(outcome.created).toEqual([]);
    expect(h.rows()).toEqual({});
  });
});
