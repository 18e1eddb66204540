import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi } from './bot-api-client.ts';
import { FakeTelegram } from './fake-telegram.ts';

const alice = { id: 1001, first_name: 'Alice', username: 'alice' };
const bob = { id: 1002, first_name: 'Bob' };
let tg: FakeTelegram;
let dm: number;

beforeEach(async () => {
  tg = await FakeTelegram.start({ token: '123456:TEST-token', botUsername: 'octo_bot' });
  dm = tg.addPrivateChat(alice);
});
afterEach(async () => {
  await tg.stop();
});

describe('sendUserMessage', () => {
  it.each([
    ['/new', [{ type: 'bot_command', offset: 0, length: 4 }]],
    ['/agent@octo_bot set claude', [{ type: 'bot_command', offset: 0, length: 15 }]],
    [
      'hey @octo_bot look at https://x.example/a.',
      [
        { type: 'mention', offset: 4, length: 9 },
        { type: 'url', offset: 22, length: 19 },
      ],
    ],
    ['plain words', undefined],
  ])('marks the entities Telegram would in %j', (text, entities) => {
    const m = tg.sendUserMessage({ chatId: dm, from: alice, text });
    expect(m.entities).toEqual(entities);
  });

  it('builds a private message update like Telegram', () => {
    const m = tg.sendUserMessage({ chatId: dm, from: alice, text: 'hello' });
    expect(m).toEqual({
      message_id: 1,
      from: { id: alice.id, is_bot: false, first_name: 'Alice', username: 'alice' },
      chat: { id: dm, first_name: 'Alice', username: 'alice', type: 'private' },
      date: expect.any(Number),
      text: 'hello',
    });
    expect(tg.pendingUpdates()).toEqual([{ update_id: 100000001, message: m }]);
  });

  it('carries forward_origin on forwarded messages', () => {
    const m = tg.sendUserMessage({
      chatId: dm,
      from: alice,
      text: 'fwd',
      forward: { from: bob, date: 1700000000 },
    });
    expect(m.forward_origin).toEqual({
      type: 'user',
      date: 1700000000,
      sender_user: { id: bob.id, is_bot: false, first_name: 'Bob' },
    });
  });

  it('stores a document, a photo and a voice note so getFile and download serve their bytes', async () => {
    const doc = tg.sendUserMessage({
      chatId: dm,
      from: alice,
      document: { fileName: 'notes.md', bytes: '# notes' },
      caption: '/file put docs/notes.md',
    });
    expect(doc.document).toMatchObject({ file_name: 'notes.md', mime_type: 'text/markdown', file_size: 7 });
    expect(doc.caption_entities).toEqual([{ type: 'bot_command', offset: 0, length: 5 }]);
    const photo = tg.sendUserMessage({
      chatId: dm,
      from: alice,
      photo: { bytes: Buffer.from([1, 2, 3]) },
      mediaGroupId: 'g1',
    });
    expect(photo.photo).toHaveLength(2);
    expect(photo.media_group_id).toBe('g1');
    const voice = tg.sendUserMessage({ chatId: dm, from: alice, voice: { bytes: 'OggS', duration: 2 } });
    expect(voice.voice).toMatchObject({ duration: 2, mime_type: 'audio/ogg' });

    const file = await callApi(tg, 'getFile', { file_id: doc.document!.file_id });
    const download = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.body.result.file_path}`);
    expect(await download.text()).toBe('# notes');
  });

  it('hides plain group chatter from a non-admin bot in privacy mode but delivers commands, mentions and replies', async () => {
    const group = tg.addGroup({
      title: 'Team',
      botStatus: 'member',
      members: [
        { user: alice, status: 'creator' },
        { user: bob, status: 'member' },
      ],
    });
    tg.sendUserMessage({ chatId: group, from: bob, text: 'just chatting' });
    tg.sendUserMessage({ chatId: group, from: bob, text: '/status@octo_bot' });
    tg.sendUserMessage({ chatId: group, from: bob, text: '/status@other_bot' });
    tg.sendUserMessage({ chatId: group, from: bob, text: 'hey @octo_bot' });
    const botMessage = (await callApi(tg, 'sendMessage', { chat_id: group, text: 'answer' })).body.result;
    tg.sendUserMessage({ chatId: group, from: alice, text: 'thanks', replyTo: botMessage.message_id });
    expect(tg.pendingUpdates().map((u) => u.message?.text)).toEqual([
      '/status@octo_bot',
      'hey @octo_bot',
      'thanks',
    ]);
    expect(tg.droppedUpdates().map((u) => u.message?.text)).toEqual(['just chatting', '/status@other_bot']);
    expect(tg.chatLog(group).map((e) => e.text)).toHaveLength(6);
  });

  it('refuses, with a helpful error, a sender who is not in the group', () => {
    const group = tg.addGroup({ title: 'Team', members: [{ user: alice, status: 'creator' }] });
    expect(() => tg.sendUserMessage({ chatId: group, from: bob, text: 'hi' })).toThrow(
      /not a member of chat/,
    );
  });
});

describe('waiting', () => {
  it('waitForCall resolves with the first completed matching call after the mark', async () => {
    await callApi(tg, 'sendMessage', { chat_id: dm, text: 'old' });
    const mark = tg.mark();
    const waiting = tg.waitForCall('sendMessage', (c) => String(c.params.text).startsWith('new'), {
      since: mark,
    });
    await callApi(tg, 'sendMessage', { chat_id: dm, text: 'new one' });
    const call = await waiting;
    expect(call.params.text).toBe('new one');
    expect(call.response).toMatchObject({ ok: true, result: { text: 'new one' } });
  });

  it('waitFor rejects after its timeout listing the recent calls', async () => {
    await callApi(tg, 'sendMessage', { chat_id: dm, text: '' });
    const error = await tg
      .waitFor(() => tg.chatLog(dm).length > 0, { timeoutMs: 100, label: 'a message' })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('timed out after 100ms waiting for a message');
    expect((error as Error).message).toContain(
      'sendMessage chat_id=1001 text="" → 400 Bad Request: message text is empty',
    );
  });

  it('waitFor resolves with the value the predicate returned', async () => {
    setTimeout(() => tg.sendUserMessage({ chatId: dm, from: alice, text: 'later' }), 20);
    const entry = await tg.waitFor(() => tg.chatLog(dm)[0], { timeoutMs: 2000 });
    expect(entry.text).toBe('later');
  });
});
