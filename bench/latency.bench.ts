/**
 * latency: from a user's message becoming available to the bridge (queued in the fake Bot API,
 * where a held long poll takes it at once) to (a) the `sendMessage` of the progress message arriving
 * at the fake, (b) the bridge's "spawned pid" log line, and (c) the fake engine's spawn record,
 * which it writes once its own Node runtime is up and stdin is read (the part a real CLI also pays).
 *
 * Telegram's limits are on in the fake. Each prompt goes to a private chat of its own and is sent once
 * the previous run is over, so the flood budget is never what is measured.
 */

import { finalCall, isFinalText, isProgressText, sleep, startBenchBridge } from './lib/bridge.ts';
import type { Benchmark, Table } from './lib/report.ts';
import { fmt, summary } from './lib/stats.ts';

interface Sample {
  progressMs: number | null;
  bridgeSpawnMs: number | null;
  engineSpawnMs: number | null;
  finalMs: number;
}

const VARIANTS = [
  { id: 'default', label: 'defaults (forward_coalesce_s = 1)', telegram: {} },
  { id: 'no-coalesce', label: 'forward_coalesce_s = 0', telegram: { forward_coalesce_s: 0 } },
] as const;

async function measure(prompts: number, telegram: Record<string, unknown>, log: (m: string) => void) {
  const bridge = await startBenchBridge({ privateChats: prompts, telegram });
  const { harness: h } = bridge;
  const samples: Sample[] = [];
  try {
    await sleep(500);
    const sent: {
      user: (typeof bridge.users)[number];
      text: string;
      t0: number;
      since: number;
      messageId: number;
    }[] = [];
    for (const [i, user] of bridge.users.entries()) {
      const text = `measure latency ${i}`;
      const since = h.tg.mark();
      const t0 = Date.now();
      const message = h.tg.sendUserMessage({ chatId: user.id, from: user, text });
      sent.push({ user, text, t0, since, messageId: message.message_id });
      // The next prompt waits until this run is over and its final was tried once; a retried final
      // may land during the next measurement (one HTTP call in another chat).
      await h.tg.waitFor(
        () =>
          h.spawns().some((s) => s.stdin === text) &&
          h.tg.calls.some(
            (c) => c.seq > since && c.params['chat_id'] === user.id && isFinalText(c.params['text']),
          ),
        { timeoutMs: 20_000, label: `prompt ${i} answered` },
      );
      if ((i + 1) % 10 === 0) log(`${i + 1}/${prompts} prompts`);
    }
    await h.tg.waitFor(() => sent.every((s) => finalCall(h.tg.calls, s.user.id, s.messageId)), {
      timeoutMs: 30_000,
      label: 'every final delivered',
    });
    for (const { user, text, t0, since, messageId } of sent) {
      const calls = h.tg.calls.filter((c) => c.seq > since && c.params['chat_id'] === user.id);
      const progress = calls.find((c) => c.method === 'sendMessage' && isProgressText(c.params['text']));
      const spawn = h.spawns().find((s) => s.stdin === text);
      const logged = spawn ? spawnLogTime(h.stderr, spawn.pid) : undefined;
      samples.push({
        progressMs: progress ? progress.time - t0 : null,
        bridgeSpawnMs: logged === undefined ? null : logged - t0,
        engineSpawnMs: spawn ? spawn.time - t0 : null,
        finalMs: finalCall(h.tg.calls, user.id, messageId)!.time - t0,
      });
    }
    return { samples, tooManyRequests: h.tg.tooManyRequestsCount() };
  } finally {
    await bridge.close();
  }
}

/** Epoch ms of the bridge's `engine … spawned pid <pid>` log line. */
function spawnLogTime(stderr: string, pid: number): number | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes('spawned pid')) continue;
    try {
      const entry = JSON.parse(line) as { time: number; pid: number; msg: string };
      if (entry.msg.endsWith(`spawned pid ${pid}`)) return entry.time;
    } catch {
      // not a JSON log line
    }
  }
  return undefined;
}

function series(samples: Sample[], key: keyof Sample) {
  const values = samples.map((s) => s[key]).filter((v): v is number => v !== null);
  return values.length > 0 ? { ...summary(values), missing: samples.length - values.length } : null;
}

export const benchmark: Benchmark = {
  name: 'latency',
  title: 'intake → engine spawn → first progress message',
  async run({ quick, log }) {
    const prompts = quick ? 15 : 50;
    const results: Record<string, unknown> = {
      prompts,
      chats: 'one private chat per prompt, each sent once the previous run is over',
    };
    const table: Table = {
      title: `Milliseconds from the update's availability, over ${prompts} prompts (Telegram limits on)`,
      columns: ['config', 'to', 'median', 'p95', 'min', 'max'],
      rows: [],
    };
    let tooMany = 0;
    for (const variant of VARIANTS) {
      log(`${variant.label}: ${prompts} prompts`);
      const { samples, tooManyRequests } = await measure(prompts, variant.telegram, log);
      tooMany += tooManyRequests;
      const measured = {
        progressSendMessage: series(samples, 'progressMs'),
        bridgeSpawn: series(samples, 'bridgeSpawnMs'),
        engineSpawnRecord: series(samples, 'engineSpawnMs'),
        finalSendMessage: series(samples, 'finalMs'),
      };
      results[variant.id] = { ...measured, tooManyRequests };
      const labels: Record<keyof typeof measured, string> = {
        progressSendMessage: 'progress sendMessage',
        bridgeSpawn: 'engine spawned (bridge log)',
        engineSpawnRecord: 'fake engine spawn record',
        finalSendMessage: 'final sendMessage',
      };
      for (const [key, label] of Object.entries(labels) as [keyof typeof measured, string][]) {
        const s = measured[key];
        if (!s) continue;
        const missing = s.missing > 0 ? ` (${s.missing} missing)` : '';
        table.rows.push([variant.label, label + missing, fmt(s.median), fmt(s.p95), fmt(s.min), fmt(s.max)]);
      }
    }
    return {
      tables: [table],
      results,
      notes: [
        'Fake engine: instant (no prompt tokens). Clock: Date.now() in the fake, the bridge and the engine (1 ms resolution).',
        `429 answers received during the run: ${tooMany}.`,
        'The default config holds every plain prompt for up to 150 ms (forward_coalesce_s, capped by the router) to gather forwards sent with it; the second config shows the path without that wait.',
      ],
    };
  },
};
