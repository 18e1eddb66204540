import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.ts';
import {
  effectiveTopicScope,
  type TopicScopeInput,
  topicScopeFrom,
  topicsEnabledFor,
} from '../../../src/transport/routing/topic-scope.ts';

const MAIN = -100;
const PROJECT = -200;
const OTHER = -300;

describe('topicsEnabledFor', () => {
  it.each<[TopicScopeInput['scope'], boolean, number, boolean]>([
    ['auto', false, MAIN, true],
    ['auto', true, MAIN, false],
    ['auto', true, PROJECT, true],
    ['main', true, MAIN, true],
    ['main', true, PROJECT, false],
    ['projects', true, MAIN, false],
    ['projects', true, PROJECT, true],
    ['all', true, MAIN, true],
    ['all', true, PROJECT, true],
    ['all', true, OTHER, false],
  ])('scope %s (project chats: %s) in chat %d → %s', (scope, withProjectChats, chatId, expected) => {
    const input: TopicScopeInput = {
      enabled: true,
      scope,
      mainChatId: MAIN,
      projectChatIds: withProjectChats ? [PROJECT] : [],
    };
    expect(topicsEnabledFor(chatId, input)).toBe(expected);
  });

  it('is off everywhere when topics are disabled', () => {
    const input: TopicScopeInput = {
      enabled: false,
      scope: 'all',
      mainChatId: MAIN,
      projectChatIds: [PROJECT],
    };
    expect([MAIN, PROJECT].map((chat) => topicsEnabledFor(chat, input))).toEqual([false, false]);
  });

  it('resolves auto to projects only when a project has a chat', () => {
    const base = { enabled: true, scope: 'auto', mainChatId: MAIN } as const;
    expect(effectiveTopicScope({ ...base, projectChatIds: [] })).toBe('main');
    expect(effectiveTopicScope({ ...base, projectChatIds: [PROJECT] })).toBe('projects');
  });

  it('reads the scope facts from the settings', () => {
    const settings = validateConfig(
      {
        transports: { telegram: { bot_token: 't', chat_id: MAIN, topics: { enabled: true, scope: 'all' } } },
        projects: { a: { path: '/a', chat_id: PROJECT }, b: { path: '/b' } },
      },
      '/cfg/tentacle.toml',
      { env: {} },
    );
    expect(topicScopeFrom(settings)).toEqual({
      enabled: true,
      scope: 'all',
      mainChatId: MAIN,
      projectChatIds: [PROJECT],
    });
  });
});
