import { describe, expect, it } from 'vitest';
import {
  classifyMessage,
  isForwarded,
  isImplicitTopicReply,
  type MediaKind,
  mediaKind,
} from '../../../src/transport/routing/message-kind.ts';
import { ALICE, BOT, forum, message, privateChat, supergroup, topicRoot } from './messages.ts';

describe('classifyMessage', () => {
  it('reduces a private text message to its routing facts', () => {
    expect(
      classifyMessage(
        message({ text: '/claude hi', entities: [{ type: 'bot_command', offset: 0, length: 7 }] }),
      ),
    ).toEqual({
      chatId: privateChat.id,
      chatType: 'private',
      messageId: 50,
      date: 1_700_000_000,
      senderId: ALICE.id,
      senderIsBot: false,
      threadId: undefined,
      text: '/claude hi',
      entities: [{ type: 'bot_command', offset: 0, length: 7 }],
      textSource: 'text',
      forwarded: false,
      media: undefined,
      mediaGroupId: undefined,
      reply: undefined,
    });
  });

  it('takes the caption and its entities when there is no text', () => {
    const incoming = classifyMessage(
      message({
        text: undefined,
        caption: '/file put docs/',
        caption_entities: [{ type: 'bot_command', offset: 0, length: 5 }],
        document: { file_id: 'f', file_unique_id: 'u' },
        media_group_id: 'album-1',
      }),
    );
    expect(incoming).toMatchObject({
      text: '/file put docs/',
      entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      textSource: 'caption',
      media: 'document',
      mediaGroupId: 'album-1',
    });
  });

  it('has empty text for a photo without a caption', () => {
    const incoming = classifyMessage(message({ text: undefined, photo: [] }));
    expect(incoming).toMatchObject({ text: '', entities: [], textSource: 'none', media: 'photo' });
  });

  it('has no sender when from is missing', () => {
    expect(classifyMessage(message({ from: undefined })).senderId).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, number | undefined, boolean]>([
    [
      'a message in a forum topic',
      { chat: forum, message_thread_id: 42, is_topic_message: true, reply_to_message: topicRoot(42) },
      42,
      false,
    ],
    [
      'a real reply inside a forum topic',
      {
        chat: forum,
        message_thread_id: 42,
        is_topic_message: true,
        reply_to_message: {
          message_id: 60,
          date: 1,
          chat: forum,
          from: BOT,
          text: 'done',
          message_thread_id: 42,
        },
      },
      42,
      true,
    ],
    ['a message in General', { chat: forum }, undefined, false],
    [
      'a reply in General carrying a thread id (older servers)',
      {
        chat: forum,
        message_thread_id: 60,
        reply_to_message: { message_id: 60, date: 1, chat: forum, from: BOT, text: 'done' },
      },
      undefined,
      true,
    ],
    [
      'a reply thread in a plain supergroup',
      {
        chat: supergroup,
        message_thread_id: 60,
        reply_to_message: { message_id: 60, date: 1, chat: supergroup, from: BOT, text: 'done' },
      },
      undefined,
      true,
    ],
  ])('reads %s', (_, fields, threadId, isReply) => {
    const incoming = classifyMessage(message(fields));
    expect(incoming.threadId).toBe(threadId);
    expect(incoming.reply !== undefined).toBe(isReply);
  });

  it('keeps what routing needs of the replied-to message', () => {
    const reply = {
      message_id: 60,
      date: 1,
      chat: privateChat,
      from: BOT,
      text: 'answer\n\ncodex resume 019b',
    };
    expect(classifyMessage(message({ reply_to_message: reply })).reply).toEqual({
      messageId: 60,
      text: 'answer\n\ncodex resume 019b',
      fromId: BOT.id,
      fromIsBot: true,
      fromUsername: 'mybot',
    });
  });

  it('reads the caption of a replied-to document', () => {
    const reply = {
      message_id: 60,
      date: 1,
      chat: privateChat,
      from: BOT,
      caption: 'ctx: proj',
      document: {},
    };
    expect(classifyMessage(message({ reply_to_message: reply })).reply?.text).toBe('ctx: proj');
  });
});

describe('isImplicitTopicReply', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    [
      'the reply to the topic root',
      { is_topic_message: true, message_thread_id: 42, reply_to_message: topicRoot(42) },
      true,
    ],
    [
      'a reply to the root id without the service payload',
      {
        is_topic_message: true,
        message_thread_id: 42,
        reply_to_message: { message_id: 42, date: 1, chat: forum },
      },
      true,
    ],
    [
      'a reply carrying forum_topic_created under another id',
      { message_thread_id: 7, reply_to_message: { ...topicRoot(42) } },
      true,
    ],
    [
      'a reply to another message in the topic',
      {
        is_topic_message: true,
        message_thread_id: 42,
        reply_to_message: { message_id: 43, date: 1, chat: forum },
      },
      false,
    ],
    [
      'a reply-thread root in a plain supergroup',
      { message_thread_id: 60, reply_to_message: { message_id: 60, date: 1, chat: supergroup } },
      false,
    ],
    ['no reply', { is_topic_message: true, message_thread_id: 42 }, false],
  ])('%s → %s', (_, fields, expected) => {
    expect(isImplicitTopicReply(message({ chat: forum, ...fields }))).toBe(expected);
  });
});

describe('isForwarded', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['forward_origin', { forward_origin: { type: 'hidden_user', date: 1, sender_user_name: 'x' } }, true],
    ['an automatic forward', { is_automatic_forward: true }, true],
    ['legacy forward_from', { forward_from: ALICE }, true],
    ['legacy forward_from_chat', { forward_from_chat: supergroup }, true],
    ['legacy forward_sender_name', { forward_sender_name: 'Someone' }, true],
    ['legacy forward_date alone', { forward_date: 1 }, true],
    ['a plain message', {}, false],
  ])('%s → %s', (_, fields, expected) => {
    expect(isForwarded(message(fields))).toBe(expected);
  });
});

describe('mediaKind', () => {
  it.each<[string, Record<string, unknown>, MediaKind | undefined]>([
    ['document', { document: {} }, 'document'],
    ['photo', { photo: [] }, 'photo'],
    ['video', { video: {} }, 'video'],
    ['voice', { voice: {} }, 'voice'],
    ['audio', { audio: {} }, 'audio'],
    ['animation (which also carries document)', { animation: {}, document: {} }, 'animation'],
    ['video_note', { video_note: {} }, 'video_note'],
    ['sticker', { sticker: {} }, 'sticker'],
    ['text', {}, undefined],
  ])('%s', (_, fields, kind) => {
    expect(mediaKind(message(fields))).toBe(kind);
  });
});
