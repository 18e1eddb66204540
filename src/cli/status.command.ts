import { existsSync } from 'node:fs';
import { lockPathFor, resolveConfigPath, resolveStatePath } from '../config/config-path.ts';
import { parseConfigText, readConfigText } from '../config/load-config.ts';
import { openStore, type Store } from '../store/store.ts';
import { formatElapsed } from '../transport/render/elapsed.ts';
import { CliError } from './cli-error.ts';
import { readLock } from './lockfile.ts';
import { readStatus, type StatusReport } from './status-report.ts';

export interface StatusOptions {
  config?: string;
  json?: boolean;
  watch?: boolean;
}

const WATCH_INTERVAL_MS = 1_000;
const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/**
 * `tentacle status [--json] [--watch]`: the bridge's topics, runs, queues and pending outbox rows,
 * read from the state database without writing to it (it works while the bridge runs).
 * `--watch` redraws every second until Ctrl-C: in a terminal the screen is cleared first; piped,
 * each report follows the last (one JSON document per line with `--json`).
 */
export async function statusCommand(options: StatusOptions): Promise<void> {
  const configPath = resolveConfigPath({ flag: options.config });
  const statePath = resolveStatePath(configPath, statePathFrom(configPath));
  const lockPath = lockPathFor(configPath);
  const print = (report: StatusReport, clear: boolean) => {
    const body = options.json
      ? JSON.stringify(report, null, options.watch ? undefined : 2)
      : renderStatus(report);
    process.stdout.write(`${clear ? CLEAR_SCREEN : ''}${body}\n`);
  };
  let store: Store | undefined;
  const snapshot = () => {
    try {
      store ??= existsSync(statePath) ? openStore(statePath, { readonly: true }) : undefined;
      return readStatus({ configPath, statePath, store, lock: readLock(lockPath), now: Date.now() });
    } catch (error) {
      throw new CliError(`cannot read the state database ${statePath}: ${(error as Error).message}`);
    }
  };
  try {
    if (!options.watch) {
      print(snapshot(), false);
      return;
    }
    const clear = process.stdout.isTTY === true && !options.json;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      while (!stop.signal.aborted) {
        print(snapshot(), clear);
        if (!clear && !options.json) process.stdout.write('\n');
        await sleep(WATCH_INTERVAL_MS, stop.signal);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    store?.close();
  }
}

/** `state_path` from the file as written; status must work even when other keys are invalid. */
function statePathFrom(configPath: string): string | null {
  if (!existsSync(configPath)) throw new CliError(`missing tentacle config at ${configPath}`);
  const raw = parseConfigText(readConfigText(configPath), configPath);
  const value = raw['state_path'];
  return typeof value === 'string' && value ? value : null;
}

/**
 * The report as text, e.g.
 * ```
 * bridge: running (pid 4242)
 * state: /home/me/.tentacle/tentacle.db (schema v1)
 * inbox: 0 pending
 * topics: 1
 *   tg:123 · running
 *     run: codex · 1m 05s · pid 5151 · resume 0199a…
 * outbox: empty
 * ```
 */
export function renderStatus(report: StatusReport): string {
  const lines: string[] = [];
  const { bridge } = report;
  if (bridge.running) lines.push(`bridge: running (pid ${bridge.pid})`);
  else if (bridge.staleLock) lines.push(`bridge: not running (stale lockfile names pid ${bridge.pid})`);
  else lines.push('bridge: not running');
  if (!report.database.exists) {
    lines.push(`state: no database yet at ${report.database.path} (the bridge has not run)`);
    return lines.join('\n');
  }
  lines.push(`state: ${report.database.path} (schema v${report.database.schemaVersion ?? '?'})`);
  if (report.inbox) lines.push(`inbox: ${report.inbox.pending} pending`);
  lines.push(`topics: ${report.topics.length}`);
  for (const topic of report.topics) {
    const age = formatElapsed((report.generatedAt - topic.updatedAt) / 1000);
    lines.push(`  ${topic.topicKey} · ${topic.state} · changed ${age} ago`);
    if (!topic.snapshotReadable) lines.push('    snapshot: unreadable (restarts from stored facts)');
    if (topic.run) {
      const run = topic.run;
      const parts = [
        `${run.recovering ? 'recovering' : 'run'}: ${run.engine}`,
        formatElapsed(run.ageSeconds),
        run.pid === null ? 'no process yet' : `pid ${run.pid}${run.pidAlive ? '' : ' (gone)'}`,
      ];
      if (run.resumeToken) parts.push(`resume ${run.resumeToken}`);
      lines.push(`    ${parts.join(' · ')}`);
      if (run.cwd) lines.push(`    cwd: ${run.cwd}`);
    }
    if (topic.fileWait) {
      const left = formatElapsed((topic.fileWait.deadline - report.generatedAt) / 1000);
      lines.push(`    waiting for a file: ${topic.fileWait.path} (${left} left)`);
    }
    if (topic.queue.length > 0) {
      const engines = topic.queue.map((job) => job.engine).join(', ');
      lines.push(`    queue: ${topic.queue.length} waiting (${engines})`);
    }
    if (topic.binding) {
      const branch = topic.binding.branch ? ` @${topic.binding.branch}` : '';
      lines.push(`    binding: ${topic.binding.project}${branch} (${topic.binding.scope})`);
    }
    if (topic.defaultEngine) lines.push(`    default engine: ${topic.defaultEngine}`);
    const sessions = Object.entries(topic.sessions);
    if (sessions.length > 0) {
      lines.push(`    sessions: ${sessions.map(([engine, token]) => `${engine} ${token}`).join(', ')}`);
    }
  }
  if (report.outbox.length === 0) {
    lines.push('outbox: empty');
  } else {
    lines.push(`outbox: ${report.outbox.length} pending`);
    for (const row of report.outbox) {
      const parts = [`#${row.id} ${row.kind} → ${row.topicKey}`, `attempts ${row.attempts}`];
      const wait = row.nextAttemptAt - report.generatedAt;
      if (wait > 0) parts.push(`next try in ${formatElapsed(wait / 1000)}`);
      if (row.lastError) parts.push(`last error: ${row.lastError}`);
      lines.push(`  ${parts.join(' · ')}`);
    }
  }
  return lines.join('\n');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
