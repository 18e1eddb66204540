import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeHarness } from '../support/bridge-harness.ts';
import { assertNoConcurrentSessions } from '../support/fake-engine/index.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const CONTINUE = 'The bridge restarted while you were working. Continue where you left off.';

async function boot(options: Parameters<typeof BridgeHarness.create>[1] = {}) {
  harness = await BridgeHarness.create(tempDir(), options);
  await harness.start();
  return harness;
}

function integrity(h: BridgeHarness): string {
  const db = new BetterSqlite3(join(h.dir, 'tentacle.db'), { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    db.close();
  }
}

/** Every user prompt got exactly one final, and no session ever had two live processes. */
function expectAnsweredOnce(h: BridgeHarness, messageIds: number[]) {
  for (const id of messageIds) expect(h.finalsFor(id), `finals for message ${id}`).toHaveLength(1);
  assertNoConcurrentSessions(h.records());
  expect(integrity(h)).toBe('ok');
}

describe('a SIGKILL of the bridge loses nothing and duplicates nothing', () => {
  it('while the update is being fetched: the prompt runs once after the restart', async () => {
    const h = await boot();
    const prompt = h.send('survive the fetch');
    // The long poll that returns it may have started before the message was sent: no `since` here.
    await h.tg.waitFor(
      () =>
        h.tg
          .callsOf('getUpdates')
          .some((c) => c.done && JSON.stringify(c.response).includes('survive the fetch')),
      { label: 'update fetched' },
    );
    await h.kill();
    await h.start();
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'final',
    });
    expect(h.spawns().filter((s) => s.stdin === 'survive the fetch')).toHaveLength(1);
    expectAnsweredOnce(h, [prompt.message_id]);
  });

  it('while offline: messages sent meanwhile are answered after the restart', async () => {
    const h = await boot();
    await h.kill();
    const a = h.send('sent while down');
    const b = h.send('also while down');
    await h.start();
    await h.tg.waitFor(
      () => h.finalsFor(b.message_id).length === 1 && h.finalsFor(a.message_id).length === 1,
      {
        timeoutMs: 20_000,
        label: 'backlog answered',
      },
    );
    expectAnsweredOnce(h, [a.message_id, b.message_id]);
  });

  it('after the engine spawned but before its first line: the prompt runs again, the orphan is ended first', async () => {
    const h = await boot();
    const prompt = h.send('slow start [[fake:silent=60000]]');
    await h.tg.waitFor(() => h.spawns().length === 1, { timeoutMs: 15_000, label: 'engine spawned' });
    const orphan = h.spawns()[0]!;
    await h.kill();
    // The re-run is as silent as the first (same prompt): check its spawn and the orphan's end, not a final.
    await h.start();
    await h.tg.waitFor(() => h.spawns().length === 2, { timeoutMs: 20_000, label: 'prompt re-run' });
    const rerun = h.spawns()[1]!;
    expect(rerun.stdin).toBe(orphan.stdin);
    expect(rerun.resumed).toBe(false);
    const orphanEnd = h
      .records()
      .find((r) => r.pid === orphan.pid && (r.kind === 'signal' || r.kind === 'exit'));
    expect(orphanEnd, 'the orphaned engine was ended').toBeDefined();
    expect(orphanEnd!.time).toBeLessThanOrEqual(rerun.time);
    void prompt;
  });

  it('after the engine announced its session: the session is resumed with the restart prompt, in the same message', async () => {
    const h = await boot();
    const gate = join(h.dir, 'gate');
    const prompt = h.send(`long task [[fake:block=${gate}]]`);
    await h.tg.waitFor(() => h.spawns().length === 1, { timeoutMs: 15_000, label: 'engine spawned' });
    const [progress] = await h.waitVisible('working · codex', 1, { timeoutMs: 15_000 });
    const first = h.spawns()[0]!;
    await h.kill();
    writeFileSync(gate, '');
    await h.start();
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'final',
    });
    const resumed = h.spawns()[1]!;
    expect(resumed).toMatchObject({ resumed: true, sessionId: first.sessionId, stdin: CONTINUE });
    expect(
      h.tg.wasDeleted(h.chatId, progress!.messageId) ||
        String(h.tg.message(h.chatId, progress!.messageId)?.text).length > 0,
    ).toBe(true);
    expectAnsweredOnce(h, [prompt.message_id]);
  });

  it('with on_restart = "notify": the stale progress message becomes "interrupted" with its resume line', async () => {
    const h = await boot({ topLevel: { on_restart: 'notify' } });
    const prompt = h.send('long task [[fake:hang]]');
    await h.tg.waitFor(() => h.spawns().length === 1, { timeoutMs: 15_000, label: 'engine spawned' });
    const [progress] = await h.waitVisible('working · codex', 1, { timeoutMs: 15_000 });
    await h.kill();
    await h.start();
    await h.tg.waitFor(
      () => String(h.tg.message(h.chatId, progress!.messageId)?.text).startsWith('interrupted'),
      {
        timeoutMs: 15_000,
        label: 'interrupted edit',
      },
    );
    const text = String(h.tg.message(h.chatId, progress!.messageId)?.text);
    expect(text).toMatch(/codex resume \S+/);
    expect(h.spawns()).toHaveLength(1);
    void prompt;
  });

  it('with two prompts queued: each is answered exactly once, in order', async () => {
    const h = await boot({ telegram: { session_mode: 'chat' } });
    const gate = join(h.dir, 'gate');
    const a = h.send(`first [[fake:block=${gate}]]`);
    await h.tg.waitFor(() => h.spawns().length === 1, { timeoutMs: 15_000, label: 'first engine' });
    const b = h.send('second');
    const c = h.send('third');
    await h.waitVisible('queued · codex', 2);
    await h.kill();
    writeFileSync(gate, '');
    await h.start();
    await h.tg.waitFor(() => h.finalsFor(c.message_id).length === 1, {
      timeoutMs: 30_000,
      label: 'third final',
    });
    expectAnsweredOnce(h, [a.message_id, b.message_id, c.message_id]);
    const order = h.spawns().map((s) => s.stdin);
    expect(order.indexOf('second')).toBeLessThan(order.indexOf('third'));
  });

  it('after the run completed but before the final was sent: the final arrives once after the restart', async () => {
    const h = await boot();
    h.tg.failFor('sendMessage', 60_000, { status: 500 });
    const prompt = h.send('answer me');
    await h.tg.waitFor(() => h.records().some((r) => r.kind === 'exit'), {
      timeoutMs: 15_000,
      label: 'engine done',
    });
    await h.tg.waitFor(
      () =>
        h.tg
          .callsOf('sendMessage')
          .some((c) => c.status === 500 && String(c.params['text']).startsWith('done')),
      {
        timeoutMs: 15_000,
        label: 'final refused once',
      },
    );
    await h.kill();
    h.tg.clearFaults();
    await h.start();
    await h.tg.waitFor(() => h.finalsFor(prompt.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'final',
    });
    expect(h.spawns()).toHaveLength(1);
    expectAnsweredOnce(h, [prompt.message_id]);
  });
});
