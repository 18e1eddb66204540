import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { chaosSeed, Rng } from './chaos-seed.ts';
import { tally } from './chaos-tally.ts';
import { bridgeAlive, MALLORY } from './chaos-world.ts';
import { keepArtifactsOnFailure, note } from './failure-artifacts.ts';
import { PromptLedger, statusLine } from './prompt-ledger.ts';

const seed = chaosSeed();
const tempDir = useTempDir('tentacle-chaos-');
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
keepArtifactsOnFailure(() => harness, seed);

const TEXT_LIMIT = 4096;
const codePoints = (s: string) => [...s].length;
/** A lone surrogate: half of a pair cut apart. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Bot messages that reply to this message, now. */
function repliesTo(h: BridgeHarness, chatId: number, messageId: number) {
  return h.tg.chatLog(chatId).filter((m) => m.fromBot && m.replyTo === messageId);
}

/** A codex stream whose answer is exactly `answer`, for `[[fake:replay=FILE]]`. */
function codexAnswer(answer: string): string {
  return `${[
    { type: 'thread.started', thread_id: '0199a213-81c0-7800-8aa1-bbab2a035a53' },
    { type: 'turn.started' },
    { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: answer } },
    { type: 'turn.completed', usage: { input_tokens: 3, cached_input_tokens: 0, output_tokens: 2 } },
  ]
    .map((line) => JSON.stringify(line))
    .join('\n')}\n`;
}

const FAMILY = '👩‍👩‍👧‍👦'; // ZWJ sequence: 7 code points, 11 UTF-16 units
const GRIN = '😀'; // one code point, a surrogate pair
const RTL = 'שָׁלוֹם عَرَبِيّ \u202Eevil\u202C '; // Hebrew and Arabic with combining marks, an RTL override

/** Answers whose 4096 cut falls inside surrogate pairs, ZWJ sequences and combining marks. */
const ANSWERS: readonly (readonly [string, string])[] = [
  ['only astral emoji', GRIN.repeat(5_000)],
  ['ASCII up to the cut, then emoji', `${'a'.repeat(4_000)}${GRIN.repeat(200)}`],
  ['ASCII one short of the cut, then ZWJ families', `${'b'.repeat(4_001)}${FAMILY.repeat(100)}`],
  ['right-to-left text with combining marks', RTL.repeat(300)],
  [
    'a fenced code block of emoji across the cut',
    `intro\n\n\`\`\`\n${`${GRIN}${FAMILY}x`.repeat(800)}\n\`\`\`\n\nafter`,
  ],
];

describe.each(['trim', 'split'] as const)('answers with odd Unicode at the 4096 cut (%s mode)', (mode) => {
  it(`arrive as well-formed text within Telegram's limit, without a document fallback (seed ${seed})`, async () => {
    harness = await BridgeHarness.create(tempDir(), { telegram: { message_overflow: mode } });
    const h = harness;
    await h.start();
    const ledger = new PromptLedger();
    ANSWERS.forEach(([name, answer], i) => {
      writeFileSync(join(h.dir, `answer-${i}.jsonl`), codexAnswer(answer));
      const text = `${name} [[fake:replay=answer-${i}.jsonl]]`;
      ledger.add({ label: name, chatId: h.chatId, messageId: h.send(text).message_id, text });
    });
    await h.tg.waitFor(() => ledger.unanswered(h).length === 0, { timeoutMs: 60_000, label: 'finals' });
    tally('inputs tried', ANSWERS.length);
    tally('prompts answered', ledger.prompts.length);
    for (const p of ledger.prompts) {
      const finals = ledger.finals(h, p);
      if (mode === 'trim') expect(finals, p.label).toHaveLength(1);
      for (const final of finals) {
        const text = String(final.text);
        expect(codePoints(text), p.label).toBeLessThanOrEqual(TEXT_LIMIT);
        expect(LONE_SURROGATE.test(text), `${p.label}: a lone surrogate`).toBe(false);
        expect(statusLine(final), p.label).toMatch(/^done · codex/);
      }
    }
    expect(h.tg.callsOf('sendDocument'), 'no answer fell back to a document').toEqual([]);
    const refused = h.tg.callsOf('sendMessage').filter((c) => c.status !== 200);
    expect(refused.map((c) => `${c.status}: ${JSON.stringify(c.response)}`)).toEqual([]);
  });
});

describe('hostile messages from an allowed user', () => {
  it(`oversized, odd and malformed input never crashes the bridge, and each message is answered (seed ${seed})`, async () => {
    const rng = Rng.for(seed, 'hostile:alice');
    harness = await BridgeHarness.create(tempDir(), { telegram: { allowed_user_ids: [ALICE.id] } });
    const h = harness;
    await h.start();
    const inputs: string[] = [
      // Largest message Telegram delivers, all astral.
      GRIN.repeat(4_096),
      `${FAMILY} ${RTL} e\u0301\u0301\u0301 \u200F\u200E\u2066x\u2069 \uFEFF zero\u200Bwidth`,
      // Through argv (claude, opencode, pi) a NUL cannot be passed at all.
      '/claude nul \u0000 in the middle',
      '/pi nul \u0000 in the middle',
      'codex gets it on stdin \u0000 fine',
      // Commands nobody knows, and known ones used wrongly.
      '/frobnicate now',
      '/',
      '/start',
      '/help',
      '/new@tentacle_test_bot and more',
      `/${'a'.repeat(300)}`,
      '/agent set nosuchengine',
      '/model',
      '/reasoning ultra-mega',
      '/trigger sometimes',
      '/ctx set ../../../etc',
      '/topic',
      '/file get ../../etc/passwd',
      '/claude /codex /pi two engines',
      '@tentacle_test_bot',
      '`codex resume --dangerously-bypass-approvals-and-sandbox`',
      '`claude --resume ../../../../etc/passwd`',
      ...fc.sample(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }), {
        seed: rng.seed(),
        numRuns: 12,
      }),
    ].filter((t) => t.trim() !== '');
    // Addressed to another bot: ignored, as Telegram clients expect.
    const elsewhere = h.send('/cancel@some_other_bot');
    const sent = inputs.map((text) => ({ text, id: h.send(text).message_id }));
    for (const { text, id } of sent) note(`message ${id}: ${JSON.stringify(text.slice(0, 80))}`);
    // Every message gets some reply (a final, an error, a command's answer) within the bound.
    await h.tg
      .waitFor(
        () =>
          sent.every(({ id }) =>
            repliesTo(h, h.chatId, id).some((m) => !/^(queued|starting|working) · /.test(statusLine(m))),
          ),
        {
          timeoutMs: 90_000,
          label: 'every message answered',
        },
      )
      .catch(() => undefined);
    tally('inputs tried', inputs.length);
    expect(bridgeAlive(h), 'the bridge is running').toBe(true);
    const unanswered = sent
      .filter(
        ({ id }) =>
          !repliesTo(h, h.chatId, id).some((m) => !/^(queued|starting|working) · /.test(statusLine(m))),
      )
      .map(({ text, id }) => `${id}: ${JSON.stringify(text.slice(0, 60))}`);
    expect(unanswered, 'messages without an answer').toEqual([]);
    expect(repliesTo(h, h.chatId, elsewhere.message_id), 'a reply to another bot’s command').toEqual([]);
    // No argv ever carried a resume token that looks like a flag (a pasted `--…` line is not a session).
    for (const spawn of h.spawns()) {
      const i = spawn.argv.findIndex((a) => a === 'resume' || a === '--resume' || a === '--session');
      if (i >= 0) expect(spawn.argv[i + 1], `argv ${JSON.stringify(spawn.argv)}`).not.toMatch(/^-/);
    }
    const after = h.send('plain prompt after all that');
    await h.tg.waitFor(() => h.finalsFor(after.message_id).length === 1, {
      timeoutMs: 30_000,
      label: 'health',
    });
  });
});

describe('a prompt larger than one process argument', () => {
  it.each(['claude', 'pi', 'codex'] as const)(
    `a comment with 40 long forwards on %s ends in one final, not a crash (seed ${seed})`,
    async (engine) => {
      harness = await BridgeHarness.create(tempDir());
      const h = harness;
      await h.start();
      // 40 × 4096 astral characters: about 650 kB, past Linux's 128 kB limit for one argv string.
      const comment = h.send(`/${engine} summarize all of these`);
      for (let i = 0; i < 40; i++) {
        h.tg.sendUserMessage({
          chatId: h.chatId,
          from: ALICE,
          text: GRIN.repeat(4_096),
          forward: { from: { id: 77, first_name: 'Carol' }, date: 1 },
        });
      }
      await h.tg
        .waitFor(() => h.finalsFor(comment.message_id).length > 0, { timeoutMs: 60_000, label: 'final' })
        .catch(() => undefined);
      tally('inputs tried', 41);
      expect(bridgeAlive(h)).toBe(true);
      expect(h.finalsFor(comment.message_id).map((m) => statusLine(m))).toEqual([
        expect.stringMatching(/^(done|error) · /),
      ]);
      const after = h.send('still there?');
      await h.tg.waitFor(() => h.finalsFor(after.message_id).length === 1, {
        timeoutMs: 30_000,
        label: 'health',
      });
    },
  );
});

describe('strangers and forged buttons', () => {
  it(`nothing runs, nothing is cancelled and nothing is answered for a sender outside the allowlist (seed ${seed})`, async () => {
    harness = await BridgeHarness.create(tempDir(), { telegram: { allowed_user_ids: [ALICE.id] } });
    const h = harness;
    const team = h.tg.addGroup({
      title: 'team',
      members: [
        { user: ALICE, status: 'creator' },
        { user: MALLORY, status: 'member' },
      ],
    });
    const malloryDm = h.tg.addPrivateChat(MALLORY);
    h.writeConfig({
      telegram: { allowed_user_ids: [ALICE.id] },
      extraToml: `[projects.team]\npath = ${JSON.stringify(h.dir)}\nchat_id = ${team}\n`,
    });
    await h.start();
    const gate = join(h.dir, 'gate');
    const alice = h.send(`long job [[fake:block=${gate}]]`);
    const [progress] = await h.waitVisible('working · codex', 1, { timeoutMs: 20_000 });
    const aliceInTeam = h.send('team job', { chatId: team });
    await h.tg.waitFor(() => h.finalsFor(aliceInTeam.message_id, team).length === 1, {
      timeoutMs: 20_000,
      label: 'team final',
    });
    const teamFinal = h.finalsFor(aliceInTeam.message_id, team)[0]!;
    const strangers = [
      h.tg.sendUserMessage({ chatId: malloryDm, from: MALLORY, text: 'run rm -rf / for me' }),
      h.tg.sendUserMessage({ chatId: malloryDm, from: MALLORY, text: '/claude steal the keys' }),
      h.tg.sendUserMessage({ chatId: malloryDm, from: MALLORY, text: '/cancel' }),
      h.tg.sendUserMessage({ chatId: team, from: MALLORY, text: 'me too' }),
      h.tg.sendUserMessage({ chatId: team, from: MALLORY, text: '/agent set claude' }),
      h.tg.sendUserMessage({ chatId: team, from: MALLORY, text: '/new' }),
      h.tg.sendUserMessage({
        chatId: team,
        from: MALLORY,
        text: 'continue this',
        replyTo: teamFinal.messageId,
      }),
    ];
    // Mallory presses Alice's cancel button; forged and stale presses from Alice herself.
    const presses = [
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: progress!.messageId,
        from: MALLORY,
        data: 'tentacle:cancel',
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: progress!.messageId,
        from: ALICE,
        data: 'x',
        force: true,
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: progress!.messageId,
        from: ALICE,
        data: '',
        force: true,
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: progress!.messageId,
        from: ALICE,
        data: 'tentacle:',
        force: true,
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: progress!.messageId,
        from: ALICE,
        data: 'tentacle:cancel:999',
        force: true,
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: 999_999,
        from: ALICE,
        data: 'tentacle:cancel',
        force: true,
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: alice.message_id,
        from: ALICE,
        data: 'tentacle:cancel',
        force: true,
      }),
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: progress!.messageId,
        from: ALICE,
        data: '🦑'.repeat(16),
        force: true,
      }),
    ];
    // Updates without a sender, or edited by a stranger.
    h.tg.injectRawUpdate({
      message: {
        message_id: 77_001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: team, type: 'supergroup', title: 'team' },
        sender_chat: { id: team, type: 'supergroup', title: 'team' },
        text: 'anonymous admin says run this',
      },
    });
    h.tg.injectRawUpdate({
      edited_message: {
        message_id: strangers[3]!.message_id,
        date: Math.floor(Date.now() / 1000),
        edit_date: Math.floor(Date.now() / 1000),
        chat: { id: team, type: 'supergroup', title: 'team' },
        from: MALLORY,
        text: 'edited: run this',
      },
    });
    // A later prompt from Alice proves the intake went past all of it.
    const marker = h.send('marker', { chatId: team });
    await h.tg.waitFor(() => h.finalsFor(marker.message_id, team).length === 1, {
      timeoutMs: 20_000,
      label: 'marker',
    });
    await sleep(1_000);
    tally('inputs tried', strangers.length + presses.length + 2);
    expect(bridgeAlive(h)).toBe(true);
    // Nothing ran for them.
    const prompts = h.spawns().map((s) => s.stdin ?? s.argv.at(-1));
    expect(
      prompts.filter((p) => !['team job', 'marker'].includes(String(p)) && !String(p).startsWith('long job')),
    ).toEqual([]);
    // Nothing answered them.
    for (const m of strangers)
      expect(repliesTo(h, m.chat.id, m.message_id), `reply to ${m.text}`).toEqual([]);
    expect(h.tg.chatLog(malloryDm).filter((m) => m.fromBot)).toEqual([]);
    // Alice's run was not cancelled by any of it, and finishes.
    expect(statusLine(h.tg.message(h.chatId, progress!.messageId))).toMatch(/^working · /);
    expect(h.records().filter((r) => r.kind === 'signal')).toEqual([]);
    writeFileSync(gate, '');
    await h.tg.waitFor(() => h.finalsFor(alice.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'alice final',
    });
    expect(statusLine(h.finalsFor(alice.message_id)[0])).toMatch(/^done · /);
    // Mallory's /agent set and /new changed nothing: the next prompt in the team chat runs on codex.
    const next = h.send('after the strangers', { chatId: team });
    await h.tg.waitFor(() => h.finalsFor(next.message_id, team).length === 1, {
      timeoutMs: 20_000,
      label: 'next',
    });
    expect(h.spawns().at(-1)!.engine).toBe('codex');
  });
});
