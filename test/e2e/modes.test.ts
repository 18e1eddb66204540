import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commit, git } from '../projects/git-fixture.ts';
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

async function answered(h: BridgeHarness, messageId: number, chatId = h.chatId) {
  await h.tg.waitFor(() => h.finalsFor(messageId, chatId).length === 1, {
    timeoutMs: 20_000,
    label: `final for ${messageId}`,
  });
  return h.finalsFor(messageId, chatId)[0]!;
}

const BOB = { id: 2002, first_name: 'Bob', username: 'bob' };

describe('chat mode', () => {
  it('continues the stored session with a plain message, and /new starts over', async () => {
    const h = await boot({ telegram: { session_mode: 'chat' } });
    await answered(h, h.send('one').message_id);
    await answered(h, h.send('two').message_id);
    const newReply = h.send('/new');
    await h.tg.waitFor(
      () => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === newReply.message_id),
      {
        label: '/new reply',
      },
    );
    expect(h.tg.chatLog(h.chatId).find((m) => m.replyTo === newReply.message_id && m.fromBot)?.text).toBe(
      'cleared stored sessions for this chat.',
    );
    await answered(h, h.send('three').message_id);
    const [one, two, three] = h.spawns();
    expect(one!.resumed).toBe(false);
    expect(two).toMatchObject({ resumed: true, sessionId: one!.sessionId });
    expect(three!.resumed).toBe(false);
  });

  it('keeps one session per sender in a group', async () => {
    harness = await BridgeHarness.create(tempDir(), { telegram: { session_mode: 'chat' } });
    const h = harness;
    const group = h.tg.addGroup({
      title: 'team',
      members: [
        { user: ALICE, status: 'member' },
        { user: BOB, status: 'member' },
      ],
    });
    h.writeConfig({
      telegram: { session_mode: 'chat' },
      extraToml: `[projects.team]\npath = ${JSON.stringify(h.dir)}\nchat_id = ${group}\n`,
    });
    await h.start();
    await answered(h, h.send('alice one', { chatId: group }).message_id, group);
    await answered(h, h.send('bob one', { chatId: group, from: BOB }).message_id, group);
    await answered(h, h.send('alice two', { chatId: group }).message_id, group);
    const byPrompt = new Map(h.spawns().map((s) => [s.stdin, s]));
    expect(byPrompt.get('bob one')!.resumed).toBe(false);
    expect(byPrompt.get('alice two')).toMatchObject({
      resumed: true,
      sessionId: byPrompt.get('alice one')!.sessionId,
    });
  });

  it('resumes the interrupted session with the next message after a crash', async () => {
    const h = await boot({ telegram: { session_mode: 'chat' }, topLevel: { on_restart: 'notify' } });
    const gate = join(h.dir, 'gate');
    h.send(`long [[fake:block=${gate}]]`);
    await h.waitVisible('working · codex', 1, { timeoutMs: 15_000 });
    const first = h.spawns()[0]!;
    await h.kill();
    writeFileSync(gate, '');
    await h.start();
    await answered(h, h.send('next').message_id);
    expect(h.spawns().at(-1)).toMatchObject({ resumed: true, sessionId: first.sessionId, stdin: 'next' });
  });
});

describe('forum topics', () => {
  it('runs each topic as its own conversation, answering inside the topic', async () => {
    harness = await BridgeHarness.create(tempDir(), { chatId: 0 });
    const h = harness;
    const forum = h.tg.addGroup({
      title: 'work',
      forum: true,
      members: [{ user: ALICE, status: 'creator' }],
    });
    const topicA = h.tg.addForumTopic(forum, 'a', { silent: true });
    const topicB = h.tg.addForumTopic(forum, 'b', { silent: true });
    (h as unknown as { chatId: number }).chatId = forum;
    h.writeConfig({
      extraToml: `[transports.telegram.topics]\nenabled = true\n[projects.web]\npath = ${JSON.stringify(h.dir)}\n`,
    });
    await h.start();
    // The first message of each topic binds it to the project (a directive in a topic binds it, as takopi).
    const a1 = h.send('/web in a', { chatId: forum, threadId: topicA });
    const b1 = h.send('/web in b', { chatId: forum, threadId: topicB });
    const finalA = await answered(h, a1.message_id, forum);
    await answered(h, b1.message_id, forum);
    expect(finalA.threadId).toBe(topicA);
    expect(String(finalA.text)).toContain('ctx: web');
    await h.tg.waitFor(() => h.tg.topics(forum).some((t) => t.name === 'web'), { label: 'topic renamed' });
    const a2 = h.send('again in a', { chatId: forum, threadId: topicA });
    await answered(h, a2.message_id, forum);
    const spawns = new Map(h.spawns().map((s) => [s.stdin, s]));
    expect(spawns.get('again in a')).toMatchObject({
      resumed: true,
      sessionId: spawns.get('in a')!.sessionId,
    });
    expect(spawns.get('in b')!.sessionId).not.toBe(spawns.get('in a')!.sessionId);
    for (const call of h.tg.callsOf('sendMessage').filter((c) => c.params['chat_id'] === forum)) {
      expect(call.params['message_thread_id']).not.toBe(1);
    }
  });
});

describe('long answers', () => {
  it.each([
    ['trim', 1],
    ['split', 3],
  ] as const)(
    'fits a 12,000-character answer in %s mode within Telegram limits, resume line intact',
    async (mode, minParts) => {
      const h = await boot({ telegram: { message_overflow: mode } });
      const prompt = h.send('write a lot [[fake:answer-chars=12000]]');
      await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length >= minParts, {
        timeoutMs: 20_000,
        label: 'finals',
      });
      const finals = h.finalsFor(prompt.message_id);
      if (mode === 'trim') expect(finals).toHaveLength(1);
      else expect(finals.length).toBeGreaterThanOrEqual(3);
      for (const final of finals) {
        expect([...String(final.text)].length).toBeLessThanOrEqual(4096);
        expect(String(final.text)).toMatch(/codex resume \S+$/);
      }
      if (mode === 'split') expect(String(finals[1]!.text).split('\n')[0]).toMatch(/continued \(2\/\d+\)$/);
    },
  );
});

describe('projects and worktrees', () => {
  it('runs an @branch prompt in its worktree, created by the topic, with the ctx line in the footer', async () => {
    harness = await BridgeHarness.create(tempDir());
    const h = harness;
    const repo = join(h.dir, 'repo');
    git(h.dir, 'init', '-q', '-b', 'main', repo);
    commit(repo, 'first');
    h.writeConfig({ extraToml: `[projects.web]\npath = ${JSON.stringify(repo)}\n` });
    await h.start();
    const prompt = h.send('/web @feat/x add a button');
    const final = await answered(h, prompt.message_id);
    expect(String(final.text)).toMatch(/^done/);
    expect(h.spawns()[0]!.cwd).toBe(join(repo, '.worktrees', 'feat/x'));
    expect(git(repo, 'worktree', 'list')).toContain(join(repo, '.worktrees', 'feat/x'));
    expect(String(final.text)).toContain('ctx: web @feat/x');
    const bad = h.send('/web @../escape hi');
    await h.tg.waitFor(() => h.tg.chatLog(h.chatId).some((m) => m.fromBot && m.replyTo === bad.message_id), {
      label: 'error reply',
    });
    expect(h.tg.chatLog(h.chatId).find((m) => m.fromBot && m.replyTo === bad.message_id)?.text).toBe(
      "error:\nbranch name cannot contain '..'",
    );
    expect(h.spawns()).toHaveLength(1);
  });
});

describe('startup checks', () => {
  it('refuses to start with topics on in a forum where the bot cannot manage topics, naming the fix', async () => {
    harness = await BridgeHarness.create(tempDir(), { chatId: 0 });
    const h = harness;
    const forum = h.tg.addGroup({ title: 'work', forum: true, canManageTopics: false });
    (h as unknown as { chatId: number }).chatId = forum;
    h.writeConfig({ extraToml: '[transports.telegram.topics]\nenabled = true\n' });
    await expect(h.start()).rejects.toThrow(/exited with 1 before its startup message/);
    const code = (await h.process)?.exitCode;
    expect(code).toBe(1);
    expect(h.stderr).toContain(
      `error: topics enabled but bot lacks manage topics permission (chat_id=${forum}); grant can_manage_topics.`,
    );
  });
});

describe('config hot reload', () => {
  it('applies a new default engine live with watch_config, and logs what needs a restart', async () => {
    const h = await boot({ topLevel: { watch_config: true } });
    await answered(h, h.send('before').message_id);
    h.writeConfig({
      topLevel: { watch_config: true, default_engine: 'claude' },
      telegram: { session_mode: 'chat' },
    });
    await h.tg.waitFor(() => h.stderr.includes('need a restart'), {
      timeoutMs: 10_000,
      label: 'reload logged',
    });
    expect(h.stderr).toContain('changes to transports need a restart');
    await answered(h, h.send('after').message_id);
    expect(h.spawns().map((s) => s.engine)).toEqual(['codex', 'claude']);
  });
});

describe('engine config tables', () => {
  it('passes [claude] allowed_tools and [codex] extra_args to the engines', async () => {
    const h = await boot({
      extraToml: '[claude]\nallowed_tools = ["Bash"]\n[codex]\nextra_args = ["-c", "x=1"]\n',
    });
    await answered(h, h.send('/claude hi').message_id);
    await answered(h, h.send('hello').message_id);
    const [claude, codex] = h.spawns();
    expect(claude!.argv.join(' ')).toContain('--allowedTools Bash');
    expect(codex!.argv.slice(0, 2)).toEqual(['-c', 'x=1']);
  });
});
