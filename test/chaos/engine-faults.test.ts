import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_IDS, type EngineId } from '../../src/engines/events.ts';
import { ALICE, BridgeHarness } from '../support/bridge-harness.ts';
import { assertNoConcurrentSessions } from '../support/fake-engine/index.ts';
import { useTempDir } from '../support/temp-dir.ts';
import { chaosSeed } from './chaos-seed.ts';
import { tally, tallyStale } from './chaos-tally.ts';
import { bridgeAlive } from './chaos-world.ts';
import { keepArtifactsOnFailure, note } from './failure-artifacts.ts';
import { PromptLedger, type SentPrompt, statusLine } from './prompt-ledger.ts';

const seed = chaosSeed();
const tempDir = useTempDir('tentacle-chaos-');
let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
keepArtifactsOnFailure(() => harness, seed);

/** How a broken engine behaves, and the only truthful ways its run may end. */
interface EngineFault {
  name: string;
  tokens: string;
  ends: readonly ('done' | 'error' | 'cancelled')[];
  /** The user presses cancel once the run shows progress. */
  cancel?: boolean;
}

const FAULTS: readonly EngineFault[] = [
  { name: 'crashes in the middle of a tool call', tokens: '[[fake:crash]]', ends: ['error'] },
  { name: 'reports an API error', tokens: '[[fake:error=upstream 500]]', ends: ['error'] },
  { name: 'answers, then exits 3', tokens: '[[fake:exit=3]]', ends: ['done', 'error'] },
  { name: 'mixes garbage into its JSONL', tokens: '[[fake:garbage]]', ends: ['done'] },
  { name: 'floods stdout with 3000 actions', tokens: '[[fake:flood=3000]]', ends: ['done'] },
  { name: 'stops mid-stream (truncated JSONL)', tokens: '[[fake:replay=cut.jsonl]]', ends: ['error'] },
  {
    name: 'prints a stream without its end, then hangs',
    tokens: '[[fake:replay=cut.jsonl]] [[fake:hang]]',
    ends: ['cancelled'],
    cancel: true,
  },
  { name: 'hangs', tokens: '[[fake:hang]]', ends: ['cancelled'], cancel: true },
  {
    name: 'hangs and ignores SIGTERM',
    tokens: '[[fake:hang]] [[fake:ignore-sigterm]]',
    ends: ['cancelled'],
    cancel: true,
  },
];

const TOOL_FIXTURE: Record<EngineId, string> = {
  codex: 'codex/codex-tool.jsonl',
  claude: 'claude/claude-tool.jsonl',
  opencode: 'opencode/opencode-tool.jsonl',
  pi: 'pi/pi-tool.jsonl',
};

/** A real stream of the engine cut in the middle of its second-to-last line: no end, no newline. */
function writeCutStream(dir: string, engine: EngineId): void {
  const text = readFileSync(new URL(`../fixtures/engines/${TOOL_FIXTURE[engine]}`, import.meta.url), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const cut = lines.slice(0, -2).join('\n');
  const half = lines.at(-2)!.slice(0, Math.floor(lines.at(-2)!.length / 2));
  writeFileSync(join(dir, 'cut.jsonl'), `${cut}\n${half}`);
}

const IN_FLIGHT = /^(queued|starting|working) · /;

describe.each(ENGINE_IDS)('a broken %s binary', (engine) => {
  it(`never takes the bridge down, and every run ends with a truthful message (seed ${seed})`, async () => {
    harness = await BridgeHarness.create(tempDir());
    const h = harness;
    writeCutStream(h.dir, engine);
    await h.start();
    const ledger = new PromptLedger();
    const sent = new Map<SentPrompt, EngineFault>();
    for (const fault of FAULTS) {
      const text = `/${engine} ${fault.name} ${fault.tokens}`;
      const m = h.send(text);
      sent.set(ledger.add({ label: fault.name, chatId: h.chatId, messageId: m.message_id, text }), fault);
      note(`${fault.name}: message ${m.message_id}`);
    }
    // The user cancels the hanging runs from their progress message, once it shows.
    for (const [prompt, fault] of sent) {
      if (!fault.cancel) continue;
      await h.tg.waitFor(
        () =>
          ledger.progress(h, prompt) !== undefined &&
          /^working · /.test(statusLine(ledger.progress(h, prompt))),
        { timeoutMs: 30_000, label: `progress of "${fault.name}"` },
      );
      h.tg.pressButton({
        chatId: h.chatId,
        messageId: ledger.progress(h, prompt)!.messageId,
        from: ALICE,
        data: 'tentacle:cancel',
      });
    }
    await h.tg
      .waitFor(() => ledger.prompts.every((p) => ledger.endings(h, p).length > 0), {
        timeoutMs: 60_000,
        label: 'every run ended',
      })
      .catch(() => undefined);
    tally('faults injected', FAULTS.length);
    expect(bridgeAlive(h), 'the bridge survived its engines').toBe(true);
    const outcomes = [...sent].map(([p, fault]) => {
      const ends = ledger.endings(h, p).map((m) => statusLine(m).split(' · ')[0]);
      return { fault: fault.name, ends, ok: ends.length === 1 && fault.ends.includes(ends[0] as never) };
    });
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    // The bridge still serves a plain prompt afterwards.
    const after = h.send(`/${engine} still there?`);
    await h.tg.waitFor(() => h.finalsFor(after.message_id).length === 1, {
      timeoutMs: 20_000,
      label: 'health',
    });
    tally('prompts answered', ledger.prompts.length + 1);
    const stuck = () => h.tg.chatLog(h.chatId).filter((m) => m.fromBot && IN_FLIGHT.test(statusLine(m)));
    await h.tg
      .waitFor(() => stuck().length === 0, { timeoutMs: 10_000, label: 'clean-up' })
      .catch(() => undefined);
    tallyStale(stuck());
    assertNoConcurrentSessions(h.records());
    // Every engine process is gone, the one that ignored SIGTERM included.
    for (const spawn of h.spawns()) expect(() => process.kill(spawn.pid, 0), `pid ${spawn.pid}`).toThrow();
  });
});
