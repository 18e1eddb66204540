/**
 * soak: 100 fake runs at once, 200 JSONL lines each (codex shape: 194 flooded commands plus the
 * session, the `echo hi` round and the answer), one private chat per run, Telegram's limits on in the
 * fake. The bridge's own CPU time (utime + stime from `/proc/<pid>/stat`, the pid from the lockfile)
 * is read before the prompts and after the last progress message was cleaned up; its RSS is sampled
 * every 100 ms. The engines' CPU is theirs, not the bridge's (children are not counted).
 */

import { finalCall, isProgressText, sleep, startBenchBridge } from './lib/bridge.ts';
import { cpuTimeMs, memoryMiB } from './lib/proc.ts';
import type { Benchmark, Table } from './lib/report.ts';
import { fmt, median } from './lib/stats.ts';

const RUNS = 100;
const LINES_PER_RUN = 200;
// flood=N prints N lines; a codex run adds 6 of its own (thread, turn, item started/completed, answer, turn end).
const PROMPT = `soak [[fake:flood=${LINES_PER_RUN - 6}]][[fake:delay=10]]`;

interface SoakRun {
  wallS: number;
  lastFinalS: number;
  cpuMs: number;
  idleCpuMsPerS: number;
  events: number;
  baselineRssMiB: number;
  peakRssMiB: number;
  tooManyRequests: number;
  apiCalls: number;
}

async function soak(runs: number, log: (m: string) => void): Promise<SoakRun> {
  const bridge = await startBenchBridge({ privateChats: runs });
  const { harness: h, pid } = bridge;
  try {
    await sleep(1_000);
    // What the bridge spends doing nothing (long polling, timers), to tell it apart.
    const idleStart = cpuTimeMs(pid);
    await sleep(3_000);
    const idleCpuMsPerS = (cpuTimeMs(pid) - idleStart) / 3;
    const baselineRssMiB = memoryMiB(pid).rss;
    let peakRssMiB = baselineRssMiB;
    const sampler = setInterval(() => {
      peakRssMiB = Math.max(peakRssMiB, memoryMiB(pid).rss);
    }, 100);
    const since = h.tg.mark();
    const cpuBefore = cpuTimeMs(pid);
    const t0 = Date.now();
    const sent = bridge.users.map((user) => ({
      chatId: user.id,
      message: h.tg.sendUserMessage({ chatId: user.id, from: user, text: PROMPT }),
    }));
    const finals = () => sent.map((s) => finalCall(h.tg.calls, s.chatId, s.message.message_id));
    await h.tg.waitFor(() => finals().every(Boolean), { timeoutMs: 180_000, label: `${runs} finals` });
    const lastFinalS = (Math.max(...finals().map((c) => c!.time)) - t0) / 1000;
    log(`${runs} finals in ${lastFinalS.toFixed(1)} s`);
    await h.tg
      .waitFor(
        () => sent.every((s) => !h.tg.chatLog(s.chatId).some((m) => m.fromBot && isProgressText(m.text))),
        { timeoutMs: 120_000, label: 'progress messages deleted' },
      )
      .catch(() => undefined);
    const cpuMs = cpuTimeMs(pid) - cpuBefore;
    const wallS = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    const events = h.spawns().length * LINES_PER_RUN;
    return {
      wallS,
      lastFinalS,
      cpuMs,
      idleCpuMsPerS,
      events,
      baselineRssMiB,
      peakRssMiB: Math.max(peakRssMiB, memoryMiB(pid).rss),
      tooManyRequests: h.tg.tooManyRequestsCount(),
      apiCalls: h.tg.calls.filter((c) => c.seq > since && c.method !== 'getUpdates').length,
    };
  } finally {
    await bridge.close();
  }
}

export const benchmark: Benchmark = {
  name: 'soak',
  title: `${RUNS} parallel fake runs of ${LINES_PER_RUN} events each`,
  async run({ quick, log }) {
    const repeats = quick ? 1 : 2;
    const list: SoakRun[] = [];
    for (let i = 0; i < repeats; i++) {
      log(`soak #${i + 1}: ${RUNS} runs × ${LINES_PER_RUN} lines`);
      list.push(await soak(RUNS, log));
    }
    const m = (f: (r: SoakRun) => number) => median(list.map(f));
    const table: Table = {
      title: `${RUNS} runs at once, ${LINES_PER_RUN} engine lines each (median of ${repeats})`,
      columns: ['measure', 'value'],
      rows: [
        ['events (engine JSONL lines)', fmt(m((r) => r.events))],
        ['bridge CPU, ms', fmt(m((r) => r.cpuMs))],
        [
          'bridge CPU per event, µs',
          fmt(
            m((r) => (r.cpuMs * 1000) / r.events),
            1,
          ),
        ],
        [
          'idle bridge CPU, ms per s',
          fmt(
            m((r) => r.idleCpuMsPerS),
            1,
          ),
        ],
        [
          's to last final',
          fmt(
            m((r) => r.lastFinalS),
            1,
          ),
        ],
        [
          's until progress messages cleaned up',
          fmt(
            m((r) => r.wallS),
            1,
          ),
        ],
        ['bridge RSS before, MiB', fmt(m((r) => r.baselineRssMiB))],
        ['bridge peak RSS, MiB', fmt(m((r) => r.peakRssMiB))],
        ['Bot API calls (no getUpdates)', fmt(m((r) => r.apiCalls))],
        ['429s', fmt(list.reduce((n, r) => n + r.tooManyRequests, 0))],
      ],
    };
    return {
      tables: [table],
      results: { runs: RUNS, linesPerRun: LINES_PER_RUN, prompt: PROMPT, repeats: list },
      notes: [
        `Prompt \`${PROMPT}\`: 10 ms between lines, so each run streams for about 2 s once its process is up; 100 Node processes starting at once on this machine stretch that.`,
        'CPU per event divides all the bridge’s CPU in the window (intake, 100 spawns, translation, one snapshot commit per event, progress renders, the outbox) by the engine lines.',
      ],
    };
  },
};
