/**
 * outbox: many runs finishing at once under Telegram's real limits (in the fake: 1 message per second
 * per private chat, 20 per minute per group with all forum topics sharing it, 30 per second per bot;
 * sends and edits count). Every run is a fake engine that prints 6 actions over about 4 seconds, so
 * progress edits compete with finals for the budget.
 *
 * Per scenario: all prompts are sent at once; "to last final" is from then to the last accepted final
 * `sendMessage`, "drained" until no progress message is left in any chat; calls are every Bot API call but
 * getUpdates from the prompts until 1 s after that.
 */
import type { CallRecord } from '../test/support/fake-telegram/types.ts';
import { type BenchBridge, finalCall, isProgressText, sleep, startBenchBridge } from './lib/bridge.ts';
import type { Benchmark, Table } from './lib/report.ts';
import { fmt, median } from './lib/stats.ts';

const PROMPT = 'refactor the parser [[fake:flood=5]][[fake:delay=400]]';

interface Scenario {
  id: string;
  label: string;
  kind: 'forum' | 'private';
  runs: number;
}

interface Measurement {
  lastFinalS: number;
  drainedS: number;
  finals: number;
  calls: number;
  byMethod: Record<string, number>;
  tooManyRequests: number;
  progressAfterFinal: number;
}

async function measure(scenario: Scenario): Promise<Measurement> {
  const bridge: BenchBridge = await startBenchBridge(
    scenario.kind === 'forum' ? { forumTopics: scenario.runs } : { privateChats: scenario.runs },
  );
  const { harness: h } = bridge;
  try {
    // Let the startup message's share of the budget pass, as it would on a bridge that has been up.
    await sleep(3_000);
    const since = h.tg.mark();
    const tooManyBefore = h.tg.tooManyRequestsCount();
    const t0 = Date.now();
    const sent =
      scenario.kind === 'forum'
        ? bridge.forum!.topics.map((threadId) => ({
            chatId: bridge.forum!.chatId,
            message: h.send(PROMPT, { chatId: bridge.forum!.chatId, threadId }),
          }))
        : bridge.users.map((user) => ({
            chatId: user.id,
            message: h.tg.sendUserMessage({ chatId: user.id, from: user, text: PROMPT }),
          }));
    const finals = () => sent.map((s) => finalCall(h.tg.calls, s.chatId, s.message.message_id));
    await h.tg.waitFor(() => finals().every(Boolean), {
      timeoutMs: 300_000,
      label: `${scenario.runs} finals`,
    });
    const finalCalls = finals() as CallRecord[];
    const lastFinal = Math.max(...finalCalls.map((c) => c.time));
    // Drained: no progress message left in any of the chats (the outbox deletes them after the finals).
    const chats = [...new Set(sent.map((s) => s.chatId))];
    await h.tg
      .waitFor(
        () => chats.every((id) => !h.tg.chatLog(id).some((m) => m.fromBot && isProgressText(m.text))),
        {
          timeoutMs: 120_000,
          label: 'progress messages deleted',
        },
      )
      .catch(() => undefined);
    const drained = Date.now();
    await sleep(1_000);
    const calls = h.tg.calls.filter((c) => c.seq > since && c.method !== 'getUpdates');
    const byMethod: Record<string, number> = {};
    for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    // A progress message sent after its run's final was delivered (it is deleted again later).
    const progressAfterFinal = calls.filter(
      (c) =>
        c.method === 'sendMessage' &&
        c.status === 200 &&
        isProgressText(c.params['text']) &&
        finalCalls.some(
          (f) =>
            f.params['chat_id'] === c.params['chat_id'] &&
            f.params['message_thread_id'] === c.params['message_thread_id'] &&
            f.time < c.time,
        ),
    ).length;
    return {
      lastFinalS: (lastFinal - t0) / 1000,
      drainedS: (drained - t0) / 1000,
      finals: finalCalls.length,
      calls: calls.length,
      byMethod,
      tooManyRequests: h.tg.tooManyRequestsCount() - tooManyBefore,
      progressAfterFinal,
    };
  } finally {
    await bridge.close();
  }
}

export const benchmark: Benchmark = {
  name: 'outbox',
  title: 'many runs finishing at once under Telegram’s limits',
  async run({ quick, log }) {
    const sizes = quick ? [1, 6] : [1, 6, 20];
    const scenarios: Scenario[] = sizes.flatMap((n) => [
      {
        id: `forum-${n}`,
        label: `${n} topic${n > 1 ? 's' : ''} in one forum`,
        kind: 'forum' as const,
        runs: n,
      },
      {
        id: `private-${n}`,
        label: `${n} private chat${n > 1 ? 's' : ''}`,
        kind: 'private' as const,
        runs: n,
      },
    ]);
    const repeatsFor = (s: Scenario) => (quick ? 1 : s.kind === 'forum' && s.runs >= 20 ? 1 : 2);
    const table: Table = {
      title: 'One run per topic or chat, all prompts at once (medians over the repeats; 429s summed)',
      columns: [
        'scenario',
        'repeats',
        's to last final',
        's to drained',
        'API calls / run',
        'sends / run',
        'edits / run',
        'deletes / run',
        '429s',
        'progress sent after final',
      ],
      rows: [],
    };
    const results: Record<string, unknown> = { prompt: PROMPT };
    for (const scenario of scenarios) {
      const list: Measurement[] = [];
      for (let i = 0; i < repeatsFor(scenario); i++) {
        log(`${scenario.label} #${i + 1}`);
        list.push(await measure(scenario));
      }
      results[scenario.id] = list;
      const perRun = (f: (m: Measurement) => number) => fmt(median(list.map((m) => f(m) / scenario.runs)), 1);
      table.rows.push([
        scenario.label,
        list.length,
        fmt(median(list.map((m) => m.lastFinalS)), 1),
        fmt(median(list.map((m) => m.drainedS)), 1),
        perRun((m) => m.calls),
        perRun((m) => m.byMethod['sendMessage'] ?? 0),
        perRun((m) => (m.byMethod['editMessageText'] ?? 0) + (m.byMethod['editMessageReplyMarkup'] ?? 0)),
        perRun((m) => (m.byMethod['deleteMessage'] ?? 0) + (m.byMethod['deleteMessages'] ?? 0)),
        list.reduce((n, m) => n + m.tooManyRequests, 0),
        list.reduce((n, m) => n + m.progressAfterFinal, 0),
      ]);
    }
    return {
      tables: [table],
      results,
      notes: [
        `Prompt: \`${PROMPT}\` (codex shape: 5 flooded commands and one \`echo hi\`, 400 ms between lines, about 4 s per run).`,
        'Calls counted include refused ones (a 429 is a call); "sends" are sendMessage calls, progress and finals together.',
        'Telegram itself tolerates short bursts in private chats; the fake enforces a strict 1 message per second there, so its 429s in private chats are an upper bound on what the real service would refuse.',
        '"progress sent after final": progress messages whose first send reached the fake after the final of the same chat or topic (each is deleted again, a send and a delete spent for nothing).',
      ],
    };
  },
};
