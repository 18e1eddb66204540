import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function boot(options: Parameters<typeof BridgeHarness.create>[1] = {}) {
  harness = await BridgeHarness.create(tempDir(), options);
  await harness.start();
  return harness;
}

const resumeLine = (text: string | undefined) => /codex resume (\S+)/.exec(String(text))?.[1];

describe('prompts end to end', () => {
  it('sends the progress message silently as a reply with a cancel button, then the final with notification', async () => {
    const h = await boot();
    const gate = join(h.dir, 'gate');
    const prompt = h.send(`look around [[fake:block=${gate}]]`);
    const [progress] = await h.waitVisible('starting · codex');
    const sent = h.tg.callsOf('sendMessage').find((c) => String(c.params['text']).startsWith('starting'))!;
    expect(sent.params['disable_notification']).toBe(true);
    expect(progress!.replyTo).toBe(prompt.message_id);
    expect(progress!.replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'cancel', callback_data: 'tentacle:cancel' }]],
    });
    writeFileSync(gate, '');
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    const final = h.tg.callsOf('sendMessage').find((c) => String(c.params['text']).startsWith('done'))!;
    expect(final.params['disable_notification']).not.toBe(true);
    expect(h.finalsFor(prompt.message_id)[0]!.replyMarkup).toBeUndefined();
    await h.tg.waitFor(() => h.tg.wasDeleted(h.chatId, progress!.messageId), { label: 'progress deleted' });
  });

  it('continues the session when the user replies to the final, with the engine of the resume line', async () => {
    const h = await boot();
    const first = h.send('first');
    await h.tg.waitFor(() => h.finalsFor(first.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'first final',
    });
    const final = h.finalsFor(first.message_id)[0]!;
    const token = resumeLine(final.text);
    expect(token).toBeDefined();
    const second = h.send('/claude second', { replyTo: final.messageId });
    await h.tg.waitFor(() => h.finalsFor(second.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'second final',
    });
    const spawns = h.spawns();
    expect(spawns).toHaveLength(2);
    expect(spawns[1]).toMatchObject({ engine: 'codex', resumed: true, sessionId: token });
    expect(spawns[1]!.argv).toEqual(expect.arrayContaining(['resume', token]));
    // The resume line's engine wins over the /claude directive; the directive is not part of the prompt.
    expect(spawns[1]!.stdin).toBe('second');
    expect(resumeLine(h.finalsFor(second.message_id)[0]!.text)).toBe(token);
  });

  it('strips a pasted resume line from the prompt and resumes it; an empty remainder becomes "continue"', async () => {
    const h = await boot();
    const first = h.send('first');
    await h.tg.waitFor(() => h.finalsFor(first.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'first final',
    });
    const token = resumeLine(h.finalsFor(first.message_id)[0]!.text)!;
    const pasted = h.send(`\`codex resume ${token}\``);
    await h.tg.waitFor(() => h.finalsFor(pasted.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.spawns()[1]).toMatchObject({ resumed: true, sessionId: token, stdin: 'continue' });
  });

  it('runs a /claude directive on claude and replies with the directive errors', async () => {
    const h = await boot();
    const prompt = h.send('/claude explain this');
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    expect(h.spawns()[0]!.engine).toBe('claude');
    expect(h.finalsFor(prompt.message_id)[0]!.text).toMatch(/^done · claude/);
    expect(h.spawns()[0]!.argv.at(-1)).toBe('explain this');
    const bad = h.send('/claude /codex hi');
    await h.tg.waitFor(() => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === bad.message_id), {
      label: 'error reply',
    });
    const reply = h.tg.chatLog(h.chatId).find((m) => m.fromBot && m.replyTo === bad.message_id)!;
    expect(reply.text).toBe('error:\nmultiple engine directives');
    expect(h.spawns()).toHaveLength(1);
  });

  it('runs prompts of two chats in parallel', async () => {
    const h = await boot({ telegram: { allowed_user_ids: [] } });
    const bob = { id: 2002, first_name: 'Bob', username: 'bob' };
    const group = h.tg.addGroup({ title: 'team', members: [{ user: ALICE, status: 'member' }] });
    h.writeConfig({ extraToml: `[projects.team]\npath = ${JSON.stringify(h.dir)}\nchat_id = ${group}\n` });
    await h.stop();
    await h.start();
    void bob;
    const gate = join(h.dir, 'gate');
    const a = h.send(`one [[fake:block=${gate}]]`);
    const b = h.send(`two [[fake:block=${gate}]]`, { chatId: group });
    await h.tg.waitFor(() => h.spawns().length === 2, { timeoutMs: 15_000, label: 'two engines running' });
    writeFileSync(gate, '');
    await h.tg.waitFor(() => h.finalsFor(a.message_id).length === 1, { timeoutMs: 15_000, label: 'a' });
    await h.tg.waitFor(() => h.finalsFor(b.message_id, group).length === 1, {
      timeoutMs: 15_000,
      label: 'b',
    });
  });

  it('ignores a sender outside the allowlist: no run, no reply', async () => {
    const h = await boot({ telegram: { allowed_user_ids: [ALICE.id] } });
    const mallory = { id: 6666, first_name: 'Mallory', username: 'mallory' };
    const group = h.tg.addGroup({ title: 'g', members: [{ user: mallory, status: 'member' }] });
    void group;
    const intruder = h.tg.sendUserMessage({ chatId: h.chatId, from: mallory, text: 'let me in' });
    const ok = h.send('hello');
    await h.tg.waitFor(() => h.finalsFor(ok.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'alice answered',
    });
    expect(h.spawns().map((s) => s.stdin)).toEqual(['hello']);
    expect(h.tg.chatLog(h.chatId).filter((m) => m.fromBot && m.replyTo === intruder.message_id)).toEqual([]);
  });

  it('runs a redelivered update only once', async () => {
    const h = await boot();
    const message = h.send('once');
    await h.tg.waitFor(() => h.finalsFor(message.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'final',
    });
    const update = h.tg.calls
      .filter((c) => c.method === 'getUpdates')
      .flatMap(
        (c) =>
          (c.response as { result?: { update_id: number; message?: { message_id: number } }[] })?.result ??
          [],
      )
      .find((u) => u.message?.message_id === message.message_id)!;
    h.tg.injectRawUpdate(update);
    const other = h.send('after');
    await h.tg.waitFor(() => h.finalsFor(other.message_id).length === 1, {
      timeoutMs: 15_000,
      label: 'next final',
    });
    expect(h.spawns()).toHaveLength(2);
    expect(h.finalsFor(message.message_id)).toHaveLength(1);
  });
});
