import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { ENGINE_IDS } from '../../../src/engines/events.ts';
import type { IncomingMessage } from '../../../src/transport/routing/message-kind.ts';
import { classifyMessage } from '../../../src/transport/routing/message-kind.ts';
import {
  type ResolvedTriggerMode,
  resolveTriggerMode,
  shouldTrigger,
  type TriggerMode,
  type TriggerOptions,
} from '../../../src/transport/routing/trigger-mode.ts';
import { ALICE, BOT, forum, message, topicRoot } from './messages.ts';

describe('resolveTriggerMode', () => {
  it.each<[TriggerMode | null, TriggerMode | null, ResolvedTriggerMode]>([
    [null, null, { mode: 'all', source: 'default' }],
    [null, 'mentions', { mode: 'mentions', source: 'chat' }],
    ['mentions', null, { mode: 'mentions', source: 'topic' }],
    ['all', 'mentions', { mode: 'all', source: 'topic' }],
    ['mentions', 'all', { mode: 'mentions', source: 'topic' }],
  ])('topic %s, chat %s → %j', (topic, chat, resolved) => {
    expect(resolveTriggerMode({ topic, chat })).toEqual(resolved);
  });
});

describe('shouldTrigger', () => {
  const mentions: TriggerOptions = {
    mode: 'mentions',
    bot: { username: 'mybot', id: BOT.id },
    engines: ENGINE_IDS,
    projects: ['proj'],
    extraCommands: ['deploy'],
  };
  const text = (
    value: string,
    entities: MessageEntity[] = [],
  ): Pick<IncomingMessage, 'text' | 'entities'> => ({
    text: value,
    entities,
  });
  const replyFrom = (from: { id: number; is_bot: boolean; username?: string }) =>
    classifyMessage(
      message({ text: 'and also this', reply_to_message: { message_id: 60, date: 1, chat: forum, from } }),
    );

  it('lets every message through in all mode', () => {
    expect(shouldTrigger(text('just chatting'), { ...mentions, mode: 'all' })).toBe(true);
  });

  it.each<[string, Pick<IncomingMessage, 'text' | 'entities' | 'reply'>, boolean]>([
    ['plain text', text('just chatting'), false],
    ['an @mention in the text', text('hey @mybot fix it'), true],
    ['an @mention in another case', text('@MyBot fix it'), true],
    ['an @mention entity', text('@mybot fix', [{ type: 'mention', offset: 0, length: 6 }]), true],
    [
      'a text_mention of the bot',
      text('Bot fix', [{ type: 'text_mention', offset: 0, length: 3, user: BOT }]),
      true,
    ],
    [
      'a text_mention of someone else',
      text('Alice fix', [{ type: 'text_mention', offset: 0, length: 5, user: ALICE }]),
      false,
    ],
    ['another bot whose name starts like ours', text('@mybot_two fix'), false],
    ['an address containing the name', text('write to a@mybot.dev'), false],
    ['an engine directive', text('/claude fix'), true],
    ['an engine directive for this bot', text('/claude@mybot fix'), true],
    ['an engine directive for another bot', text('/claude@otherbot fix'), false],
    ['a project directive', text('/proj fix'), true],
    ['a built-in command', text('/cancel'), true],
    ['an extra (plugin) command', text('/deploy now'), true],
    ['an unknown command', text('/unknown x'), false],
    ['a branch directive alone', text('@feat/x fix'), false],
    ['a reply to this bot', replyFrom(BOT), true],
    ['a reply to another bot', replyFrom({ id: 555, is_bot: true, username: 'otherbot' }), false],
    ['a reply to a person', replyFrom(ALICE), false],
  ])('in mentions mode, %s → %s', (_, incoming, expected) => {
    expect(shouldTrigger(incoming, mentions)).toBe(expected);
  });

  it('does not count the implicit reply to the topic root as a reply to the bot', () => {
    const root = { ...topicRoot(42), from: BOT };
    const incoming = classifyMessage(
      message({
        chat: forum,
        message_thread_id: 42,
        is_topic_message: true,
        text: 'hello',
        reply_to_message: root,
      }),
    );
    expect(shouldTrigger(incoming, mentions)).toBe(false);
  });

  it.each<[string, TriggerOptions['bot'], boolean]>([
    ['the username when the id is unknown', { username: 'mybot' }, true],
    ['another username when the id is unknown', { username: 'someotherbot' }, false],
    ['any bot when neither is known', {}, true],
  ])('matches a reply by %s', (_, bot, expected) => {
    expect(shouldTrigger(replyFrom(BOT), { ...mentions, bot })).toBe(expected);
  });
});
