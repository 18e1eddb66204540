import { describe, expect, it } from 'vitest';
import { isBotUsername, mentionsBot } from '../../../src/transport/routing/bot-mention.ts';

describe('isBotUsername', () => {
  it.each<[string, string | undefined, boolean]>([
    ['mybot', 'mybot', true],
    ['@MyBot', 'mybot', true],
    ['mybot', '@MYBOT', true],
    ['otherbot', 'mybot', false],
    ['mybot', undefined, false],
  ])('%s vs %s → %s', (name, bot, expected) => {
    expect(isBotUsername(name, bot)).toBe(expected);
  });
});

describe('mentionsBot', () => {
  it.each<[string, boolean]>([
    ['@mybot', true],
    ['hi @mybot.', true],
    ['(@mybot)', true],
    ['line one\n@mybot line two', true],
    ['@mybots', false],
    ['@mybot_x', false],
    ['me@mybot', false],
    ['@@mybot', false],
    ['mybot', false],
  ])('%j → %s', (text, expected) => {
    expect(mentionsBot(text, [], { username: 'mybot' })).toBe(expected);
  });

  it('reads a mention entity by its UTF-16 offset', () => {
    const text = '😀 @mybot go';
    expect(mentionsBot(text, [{ type: 'mention', offset: 3, length: 6 }], {})).toBe(false);
    expect(mentionsBot(text, [{ type: 'mention', offset: 3, length: 6 }], { username: 'mybot' })).toBe(true);
  });

  it('finds nothing when the bot is unknown', () => {
    expect(mentionsBot('@mybot', [], {})).toBe(false);
  });
});
