import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const bob = { id: 1002, first_name: 'Bob' };
let tg: FakeTelegram;
let forum: number;
let topic: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: '123456:TEST-token' });
  forum = tg.addGroup({
    title: 'Agents',
    forum: true,
    members: [
      { user: alice, status: 'creator' },
      { user: bob, status: 'member' },
    ],
  });
  topic = tg.addForumTopic(forum, 'backend');
});
afterEach(async () => {
  await tg.stop();
});

const send = (params: Record<string, unknown>) => callApi(tg, 'sendMessage', { chat_id: forum, ...params });

describe('forum topics', () => {
  it('delivers the topic creation as a service message whose id is the topic id', () => {
    const [update] = tg.pendingUpdates();
    expect(update?.message).toMatchObject({
      message_id: topic,
      message_thread_id: topic,
      is_topic_message: true,
      from: { id: alice.id },
      chat: { id: forum, type: 'supergroup', is_forum: true },
      forum_topic_created: { name: 'backend', icon_color: 0x6fb9f0 },
    });
  });

  it('gives a topic message the thread, is_topic_message and an implicit reply to the topic root', () => {
    const m = tg.sendUserMessage({ chatId: forum, from: bob, text: 'hi', threadId: topic });
    expect(m.message_thread_id).toBe(topic);
    expect(m.is_topic_message).toBe(true);
    expect(m.reply_to_message?.message_id).toBe(topic);
    expect(m.reply_to_message?.forum_topic_created?.name).toBe('backend');
  });

  it('gives a real reply inside a topic the replied message instead of the root', () => {
    const first = tg.sendUserMessage({ chatId: forum, from: bob, text: 'first', threadId: topic });
    const reply = tg.sendUserMessage({
      chatId: forum,
      from: alice,
      text: 'second',
      replyTo: first.message_id,
    });
    expect(reply.message_thread_id).toBe(topic);
    expect(reply.reply_to_message?.message_id).toBe(first.message_id);
    expect(reply.reply_to_message?.reply_to_message).toBeUndefined();
  });

  it('gives a General message no thread fields', () => {
    const m = tg.sendUserMessage({ chatId: forum, from: bob, text: 'general chatter' });
    expect(m.message_thread_id).toBeUndefined();
    expect(m.is_topic_message).toBeUndefined();
    expect(m.reply_to_message).toBeUndefined();
  });

  it('posts a bot message into a topic with the same thread fields, and chatLog reads per topic', async () => {
    const res = await send({ text: 'in topic', message_thread_id: topic });
    expect(res.body.result).toMatchObject({ message_thread_id: topic, is_topic_message: true });
    expect(res.body.result.reply_to_message.message_id).toBe(topic);
    await send({ text: 'in general' });
    expect(tg.chatLog(forum, topic).map((e) => e.text)).toEqual(['in topic']);
    expect(tg.chatLog(forum, null).map((e) => e.text)).toEqual(['in general']);
    expect(tg.chatLog(forum).map((e) => e.text)).toEqual(['in topic', 'in general']);
    expect(tg.chatLog(forum, topic, { includeService: true })[0]?.service).toBe('forum_topic_created');
  });

  it.each([
    ['General addressed as 1', 1],
    ['a topic that does not exist', 9999],
  ])('refuses %s with message thread not found', async (_name, thread) => {
    const res = await send({ text: 'x', message_thread_id: thread });
    expect(res.body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: message thread not found',
    });
  });

  it('refuses a deleted topic with message thread not found', async () => {
    tg.deleteTopic(forum, topic);
    const res = await send({ text: 'x', message_thread_id: topic });
    expect(res.body.description).toBe('Bad Request: message thread not found');
  });

  it('refuses a closed topic unless the bot may manage topics', async () => {
    tg.setTopicClosed(forum, topic);
    expect((await send({ text: 'admin may', message_thread_id: topic })).status).toBe(200);
    tg.setBotMembership(forum, 'administrator', { canManageTopics: false });
    const res = await send({ text: 'x', message_thread_id: topic });
    expect(res.body.description).toBe('Bad Request: TOPIC_CLOSED');
  });

  it('lands a reply to a topic message in that topic without message_thread_id', async () => {
    const user = tg.sendUserMessage({ chatId: forum, from: bob, text: 'q', threadId: topic });
    const res = await send({ text: 'a', reply_parameters: { message_id: user.message_id } });
    expect(res.body.result).toMatchObject({ message_thread_id: topic, is_topic_message: true });
    expect(res.body.result.reply_to_message.message_id).toBe(user.message_id);
  });

  it('refuses a reply whose target is in another thread than message_thread_id', async () => {
    const other = tg.addForumTopic(forum, 'frontend');
    const user = tg.sendUserMessage({ chatId: forum, from: bob, text: 'q', threadId: topic });
    const res = await send({
      text: 'a',
      message_thread_id: other,
      reply_parameters: { message_id: user.message_id },
    });
    expect(res.body.description).toBe('Bad Request: message to be replied not found');
  });

  it('creates a topic through createForumTopic and can post into it', async () => {
    const res = await callApi(tg, 'createForumTopic', { chat_id: forum, name: 'proj @feature' });
    expect(res.body).toEqual({
      ok: true,
      result: { message_thread_id: expect.any(Number), name: 'proj @feature', icon_color: 0x6fb9f0 },
    });
    const id = res.body.result.message_thread_id;
    expect((await send({ text: 'bound', message_thread_id: id })).status).toBe(200);
    expect(tg.topics(forum).find((t) => t.id === id)).toMatchObject({
      name: 'proj @feature',
      createdByBot: true,
    });
  });

  it.each([
    [
      'without can_manage_topics',
      () => tg.setBotMembership(forum, 'administrator', { canManageTopics: false }),
    ],
    ['as a plain member', () => tg.setBotMembership(forum, 'member')],
  ])('refuses createForumTopic %s', async (_name, arrange) => {
    arrange();
    const res = await callApi(tg, 'createForumTopic', { chat_id: forum, name: 'x' });
    expect(res.body.description).toBe('Bad Request: not enough rights to create a topic');
  });

  it('refuses createForumTopic in a chat that is not a forum', async () => {
    const plain = tg.addGroup({ title: 'plain', members: [{ user: alice, status: 'creator' }] });
    const res = await callApi(tg, 'createForumTopic', { chat_id: plain, name: 'x' });
    expect(res.body.description).toBe('Bad Request: not enough rights to create a topic');
  });

  it('renames a topic with editForumTopic and calls an unchanged name not modified', async () => {
    const res = await callApi(tg, 'editForumTopic', {
      chat_id: forum,
      message_thread_id: topic,
      name: 'api',
    });
    expect(res.body).toEqual({ ok: true, result: true });
    expect(tg.topics(forum)[0]?.name).toBe('api');
    const same = await callApi(tg, 'editForumTopic', {
      chat_id: forum,
      message_thread_id: topic,
      name: 'api',
    });
    expect(same.body.description).toBe('Bad Request: TOPIC_NOT_MODIFIED');
  });

  it('refuses editForumTopic for an unknown topic', async () => {
    const res = await callApi(tg, 'editForumTopic', { chat_id: forum, message_thread_id: 4242, name: 'x' });
    expect(res.body.description).toBe('Bad Request: TOPIC_ID_INVALID');
  });

  it("lets the bot rename its own topic without can_manage_topics, but not someone else's", async () => {
    const own = (await callApi(tg, 'createForumTopic', { chat_id: forum, name: 'mine' })).body.result
      .message_thread_id;
    tg.setBotMembership(forum, 'administrator', { canManageTopics: false });
    expect(
      (await callApi(tg, 'editForumTopic', { chat_id: forum, message_thread_id: own, name: 'still mine' }))
        .status,
    ).toBe(200);
    const res = await callApi(tg, 'editForumTopic', { chat_id: forum, message_thread_id: topic, name: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.description).toMatch(/^Bad Request: not enough rights/);
  });

  it('validates the thread of sendChatAction', async () => {
    expect(
      (await callApi(tg, 'sendChatAction', { chat_id: forum, action: 'typing', message_thread_id: topic }))
        .status,
    ).toBe(200);
    const bad = await callApi(tg, 'sendChatAction', {
      chat_id: forum,
      action: 'typing',
      message_thread_id: 1,
    });
    expect(bad.body.description).toBe('Bad Request: message thread not found');
    expect(tg.chatActions(forum)).toEqual([
      { chatId: forum, threadId: topic, action: 'typing', time: expect.any(Number) },
    ]);
  });

  it("reports the bot's topic rights through getChatMember and the forum flag through getChat", async () => {
    const me = await callApi(tg, 'getChatMember', { chat_id: forum, user_id: 123456 });
    expect(me.body.result).toMatchObject({ status: 'administrator', can_manage_topics: true });
    const chat = await callApi(tg, 'getChat', { chat_id: forum });
    expect(chat.body.result).toMatchObject({
      id: forum,
      type: 'supergroup',
      title: 'Agents',
      is_forum: true,
    });
  });
});
