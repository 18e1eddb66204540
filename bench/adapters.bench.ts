/**
 * adapters: how fast each engine's JSONL becomes normalized events. The stream is 100,000 lines in
 * the engine's own shape, built from its capture in `test/fixtures/engines/<engine>/<engine>-tool.jsonl`:
 * the capture's opening lines, then its tool round repeated with unique ids, then its closing lines.
 *
 * Two figures: the translator alone (`ADAPTERS[engine].createTranslator(request).translateLine`, in
 * this process, after a warm-up), and `tentacle events <engine> FILE` as a process (the same code path
 * plus reading the file, printing one JSON object per event, and Node's startup).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { EngineId } from '../src/engines/events.ts';
import { ADAPTERS } from '../src/engines/registry.ts';
import { TENTACLE_BIN } from '../test/support/run-cli.ts';
import type { Benchmark, Table } from './lib/report.ts';
import { REPO_ROOT } from './lib/report.ts';
import { fmt, median } from './lib/stats.ts';

const LINES = 100_000;

/** The capture's tool round (0-based line indexes, inclusive): what a long agent run repeats. */
const TOOL_ROUND: Record<EngineId, [number, number]> = {
  // item.started + item.completed of a command_execution
  codex: [2, 3],
  // assistant tool_use + user tool_result
  claude: [1, 2],
  // tool_use, step_finish (tool-calls), step_start of the next step
  opencode: [1, 3],
  // a whole tool turn: assistant message_start, toolcall_* updates, tool_execution_*, toolResult, turn_end, turn_start
  pi: [5, 19],
};

/** Keys holding per-item ids; session ids stay as they are (a second session would be a warning). */
const ID_KEY = /^(id|callID|toolCallId|tool_use_id|messageID)$/;

function withUniqueIds(value: unknown, suffix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withUniqueIds(v, suffix));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        typeof v === 'string' && ID_KEY.test(k) ? `${v}_r${suffix}` : withUniqueIds(v, suffix),
      ]),
    );
  }
  return value;
}

/** The 100,000-line stream for one engine. */
export function syntheticStream(engine: EngineId, total = LINES): string[] {
  const file = join(REPO_ROOT, 'test/fixtures/engines', engine, `${engine}-tool.jsonl`);
  const capture = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const [from, to] = TOOL_ROUND[engine];
  const head = capture.slice(0, from);
  const round = capture.slice(from, to + 1).map((l) => JSON.parse(l) as unknown);
  const tail = capture.slice(to + 1);
  const middle: string[] = [];
  for (let i = 0; middle.length < total - head.length - tail.length; i++) {
    middle.push(JSON.stringify(withUniqueIds(round[i % round.length], String(Math.floor(i / round.length)))));
  }
  return [...head, ...middle, ...tail];
}

function translateAll(engine: EngineId, lines: readonly string[]) {
  const translator = ADAPTERS[engine].createTranslator({ prompt: 'bench', cwd: tmpdir() });
  let events = 0;
  let actions = 0;
  let warnings = 0;
  const count = (list: ReturnType<typeof translator.translateLine>) => {
    events += list.length;
    for (const e of list) {
      if (e.type !== 'action') continue;
      actions++;
      if (e.action.kind === 'warning') warnings++;
    }
  };
  const start = process.hrtime.bigint();
  for (const line of lines) count(translator.translateLine(line));
  count(translator.finish({ code: 0, signal: null, stderrTail: [] }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, events, actions, warnings };
}

export const benchmark: Benchmark = {
  name: 'adapters',
  title: 'JSONL lines per second per engine (100,000-line streams)',
  async run({ quick, log }) {
    const repeats = quick ? 3 : 7;
    const cliRuns = quick ? 1 : 3;
    const dir = mkdtempSync(join(tmpdir(), 'tentacle-bench-adapters-'));
    const results: Record<string, unknown> = { lines: LINES, repeats, cliRuns };
    const table: Table = {
      title: `Translator: median of ${repeats} runs after a warm-up; CLI: median of ${cliRuns} runs`,
      columns: [
        'engine',
        'bytes/line',
        'translator lines/s',
        'µs/line',
        'MB/s',
        'events out',
        'warnings',
        'CLI s',
        'CLI lines/s',
      ],
      rows: [],
    };
    try {
      for (const engine of Object.keys(ADAPTERS) as EngineId[]) {
        const lines = syntheticStream(engine);
        const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
        translateAll(engine, lines);
        const runs = Array.from({ length: repeats }, () => translateAll(engine, lines));
        const seconds = median(runs.map((r) => r.seconds));
        const { events, warnings } = runs[0]!;
        const file = join(dir, `${engine}.jsonl`);
        writeFileSync(file, `${lines.join('\n')}\n`);
        const cli: number[] = [];
        for (let i = 0; i < cliRuns; i++) {
          const start = performance.now();
          const run = await execa(process.execPath, [TENTACLE_BIN, 'events', engine, file], {
            stdout: 'ignore',
            reject: false,
            timeout: 120_000,
          });
          if (run.exitCode !== 0) throw new Error(`tentacle events ${engine} failed: ${run.stderr}`);
          cli.push((performance.now() - start) / 1000);
        }
        const cliSeconds = median(cli);
        results[engine] = {
          bytes,
          translatorSeconds: runs.map((r) => r.seconds),
          linesPerSecond: LINES / seconds,
          events,
          actions: runs[0]!.actions,
          warnings,
          cliSeconds: cli,
          cliLinesPerSecond: LINES / cliSeconds,
        };
        table.rows.push([
          engine,
          fmt(bytes / LINES),
          fmt(LINES / seconds),
          fmt((seconds / LINES) * 1e6, 2),
          fmt(bytes / seconds / 1e6, 1),
          fmt(events),
          fmt(warnings),
          fmt(cliSeconds, 2),
          fmt(LINES / cliSeconds),
        ]);
        log(`${engine}: ${fmt(LINES / seconds)} lines/s`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      tables: [table],
      results,
      notes: [
        'Stream: the capture `test/fixtures/engines/<engine>/<engine>-tool.jsonl` with its tool round repeated to 100,000 lines; ids (`id`, `callID`, `toolCallId`, `tool_use_id`, `messageID`) get a per-round suffix, session ids stay.',
        '"events out" counts started + actions + completed; "warnings" counts warning actions (0 means every synthetic line was understood).',
        'CLI: `tentacle events <engine> FILE > /dev/null`, wall time including Node and tsx startup.',
      ],
    };
  },
};
