import { describe, expect, it } from 'vitest';
import type { EngineId } from '../../../src/engines/events.ts';
import {
  chatModeKey,
  chatPrefsKey,
  forumTopicKey,
  type Lane,
  type LaneInput,
  parseTopicKey,
  resolveLane,
  sessionOwner,
  statelessKey,
  topicPrefsKey,
} from '../../../src/transport/routing/topic-key.ts';

describe('topic keys', () => {
  it.each<[string, string]>([
    [forumTopicKey(-1001, 42), 'tg:-1001:42'],
    [chatModeKey(5, 'private', 5), 'tg:5'],
    [chatModeKey(-1001, 'supergroup', 7), 'tg:-1001:u7'],
    [chatModeKey(-300, 'group', 7), 'tg:-300:u7'],
    [statelessKey(-1001, 314), 'tg:-1001:m314'],
    [chatPrefsKey(-1001), 'tg:-1001'],
    [topicPrefsKey(-1001, 42), 'tg:-1001:42'],
  ])('%s is %s', (key, expected) => {
    expect(key).toBe(expected);
  });

  it.each([
    ['tg:-1001:42', { kind: 'forum-topic', chatId: -1001, threadId: 42 }],
    ['tg:5', { kind: 'chat', chatId: 5 }],
    ['tg:-1001:u7', { kind: 'chat-sender', chatId: -1001, senderId: 7 }],
    ['tg:-1001:m314', { kind: 'stateless', chatId: -1001, messageId: 314 }],
    ['tg:abc', undefined],
    ['codex:019b', undefined],
    ['tg:1:x2', undefined],
  ])('parses %s back', (key, parsed) => {
    expect(parseTopicKey(key)).toEqual(parsed);
  });
});

describe('resolveLane', () => {
  const owners = new Map<string, string>([
    ['codex:owned-here', 'tg:-1001:m100'],
    ['claude:owned-elsewhere', 'tg:-2002:m5'],
    ['codex:owned-by-topic', 'tg:-1001:42'],
  ]);
  const findOwner = (engine: EngineId, token: string) => owners.get(`${engine}:${token}`);
  const base: LaneInput = {
    chatId: -1001,
    chatType: 'supergroup',
    messageId: 500,
    senderId: 7,
    topicsEnabled: false,
    sessionMode: 'stateless',
    findOwner,
  };

  it.each<[string, Partial<LaneInput>, Lane]>([
    [
      'a forum topic with topics on',
      { threadId: 42, topicsEnabled: true },
      { key: 'tg:-1001:42', kind: 'forum-topic' },
    ],
    [
      'a forum topic with topics on, whatever the session mode',
      { threadId: 42, topicsEnabled: true, sessionMode: 'chat' },
      { key: 'tg:-1001:42', kind: 'forum-topic' },
    ],
    [
      'a forum topic with topics on, even with a resume token owned elsewhere in the chat',
      { threadId: 42, topicsEnabled: true, resume: { engine: 'codex', value: 'owned-here' } },
      { key: 'tg:-1001:42', kind: 'forum-topic' },
    ],
    [
      'General (no thread id) with topics on',
      { topicsEnabled: true },
      { key: 'tg:-1001:m500', kind: 'stateless-new' },
    ],
    [
      'a private chat in chat mode',
      { chatId: 5, chatType: 'private', senderId: 5, sessionMode: 'chat' },
      { key: 'tg:5', kind: 'chat' },
    ],
    ['a group sender in chat mode', { sessionMode: 'chat' }, { key: 'tg:-1001:u7', kind: 'chat' }],
    [
      'a group message with no sender in chat mode',
      { sessionMode: 'chat', senderId: undefined },
      { key: 'tg:-1001:m500', kind: 'stateless-new' },
    ],
    [
      'a forum topic with topics off in chat mode',
      { sessionMode: 'chat', threadId: 42 },
      { key: 'tg:-1001:m500', kind: 'stateless-new' },
    ],
    ['a new stateless message', {}, { key: 'tg:-1001:m500', kind: 'stateless-new' }],
    [
      'a stateless message continuing a session of this chat',
      { resume: { engine: 'codex', value: 'owned-here' } },
      { key: 'tg:-1001:m100', kind: 'stateless-joined' },
    ],
    [
      'a stateless message continuing a session a topic of this chat owns',
      { resume: { engine: 'codex', value: 'owned-by-topic' } },
      { key: 'tg:-1001:42', kind: 'stateless-joined' },
    ],
    [
      'a stateless message continuing a session owned in another chat',
      { resume: { engine: 'claude', value: 'owned-elsewhere' } },
      { key: 'tg:-1001:m500', kind: 'stateless-new' },
    ],
    [
      'a stateless message continuing a session no lane owns',
      { resume: { engine: 'pi', value: 'unknown' } },
      { key: 'tg:-1001:m500', kind: 'stateless-new' },
    ],
    [
      'the same token under another engine',
      { resume: { engine: 'claude', value: 'owned-here' } },
      { key: 'tg:-1001:m500', kind: 'stateless-new' },
    ],
  ])('puts %s in its lane', (_, input, lane) => {
    expect(resolveLane({ ...base, ...input })).toEqual(lane);
  });
});

describe('sessionOwner', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ['a lane of the same chat', 'tg:-1001:m100', 'tg:-1001:m100'],
    ['a topic of the same chat', 'tg:-1001:42', 'tg:-1001:42'],
    ['a lane of another chat', 'tg:-2002:m100', undefined],
    ['a chat whose id starts the same', 'tg:-10011:m1', undefined],
    ['no owner', undefined, undefined],
  ])('returns %s', (_, owner, expected) => {
    const asked: string[] = [];
    const found = sessionOwner({ engine: 'claude', value: 'tok' }, -1001, (engine, token) => {
      asked.push(`${engine}:${token}`);
      return owner;
    });
    expect(found).toBe(expected);
    expect(asked).toEqual(['claude:tok']);
  });
});
