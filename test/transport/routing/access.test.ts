import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load-config.ts';
import {
  type AccessDecision,
  type AccessPolicy,
  accessPolicyFrom,
  allowedChatIds,
  checkAccess,
} from '../../../src/transport/routing/access.ts';
import { ALICE, message } from './messages.ts';

const MAIN = -100;
const PROJECT = -200;
const BOB = { id: 8, is_bot: false, first_name: 'Bob' };

function textUpdate(chatId: number, chatType: string, from: unknown): Update {
  return {
    update_id: 1,
    message: message({ chat: { id: chatId, type: chatType, title: 'x' }, from }),
  } as Update;
}

function callbackUpdate(chatId: number | undefined, from: unknown): Update {
  const callback = {
    id: 'cb',
    from,
    chat_instance: 'ci',
    data: 'tentacle:cancel',
    ...(chatId === undefined
      ? { inline_message_id: 'im' }
      : { message: message({ chat: { id: chatId, type: 'supergroup', title: 'x' } }) }),
  };
  return { update_id: 2, callback_query: callback } as Update;
}

describe('allowedChatIds', () => {
  it('holds the main chat, the project chats and the allowed users’ DMs', () => {
    expect(
      allowedChatIds({ mainChatId: MAIN, projectChatIds: [PROJECT], allowedUserIds: [ALICE.id] }),
    ).toEqual(new Set([MAIN, PROJECT, ALICE.id]));
  });

  it('is built from the settings', () => {
    const settings = validateConfig(
      {
        transports: { telegram: { bot_token: 't', chat_id: MAIN, allowed_user_ids: [ALICE.id] } },
        projects: { a: { path: '/a', chat_id: PROJECT }, b: { path: '/b' } },
      },
      '/cfg/tentacle.toml',
      { env: {} },
    );
    expect(accessPolicyFrom(settings)).toEqual({
      allowedChatIds: new Set([MAIN, PROJECT, ALICE.id]),
      allowedUserIds: [ALICE.id],
    });
  });
});

describe('checkAccess', () => {
  const open: AccessPolicy = { allowedChatIds: new Set([MAIN, PROJECT]), allowedUserIds: [] };
  const gated: AccessPolicy = {
    allowedChatIds: new Set([MAIN, PROJECT, ALICE.id]),
    allowedUserIds: [ALICE.id],
  };

  it.each<[string, AccessPolicy, Update, AccessDecision]>([
    [
      'anyone in the main chat without a user list',
      open,
      textUpdate(MAIN, 'supergroup', BOB),
      { allowed: true },
    ],
    [
      'anyone in a project chat without a user list',
      open,
      textUpdate(PROJECT, 'supergroup', BOB),
      { allowed: true },
    ],
    [
      'a message without sender without a user list',
      open,
      textUpdate(MAIN, 'supergroup', undefined),
      { allowed: true },
    ],
    [
      'a chat off the list',
      open,
      textUpdate(-999, 'supergroup', ALICE),
      { allowed: false, reason: 'chat not allowed' },
    ],
    ['a listed user in the main chat', gated, textUpdate(MAIN, 'supergroup', ALICE), { allowed: true }],
    ['a listed user’s DM', gated, textUpdate(ALICE.id, 'private', ALICE), { allowed: true }],
    [
      'an unlisted user in the main chat',
      gated,
      textUpdate(MAIN, 'supergroup', BOB),
      { allowed: false, reason: 'sender not allowed' },
    ],
    [
      'a message without sender when users are listed',
      gated,
      textUpdate(MAIN, 'supergroup', undefined),
      { allowed: false, reason: 'sender missing' },
    ],
    ['a listed user pressing a button', gated, callbackUpdate(MAIN, ALICE), { allowed: true }],
    [
      'an unlisted user pressing a button',
      gated,
      callbackUpdate(MAIN, BOB),
      { allowed: false, reason: 'sender not allowed' },
    ],
    [
      'a button press in a chat off the list',
      open,
      callbackUpdate(-999, BOB),
      { allowed: false, reason: 'chat not allowed' },
    ],
    [
      'a button on a message with no chat',
      open,
      callbackUpdate(undefined, BOB),
      { allowed: false, reason: 'chat not allowed' },
    ],
  ])('decides %s', (_, policy, update, decision) => {
    expect(checkAccess(update, policy)).toEqual(decision);
  });
});
