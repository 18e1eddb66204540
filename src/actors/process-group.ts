import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Process-group handling for engine processes.
 *
 * Every engine runs as the leader of its own process group (spawned detached), so one signal to
 * `-pid` reaches the CLI and every tool process it started. A pid alone is not an identity: after
 * a crash of the bridge the pid of an old engine may belong to an unrelated process, so the
 * kernel's start time of the process (field 22 of `/proc/<pid>/stat`) is stored next to the pid
 * and checked before any signal is sent.
 */

export type TerminateOutcome = 'gone' | 'terminated' | 'killed';

export interface TerminateOptions {
  /** Start time recorded when the process was spawned; a different live process is never signalled. */
  startTime?: string | null | undefined;
  /** How long the group gets to exit after SIGTERM before SIGKILL. */
  graceMs?: number | undefined;
}

const POLL_MS = 25;
/** Bound on the wait after SIGKILL; the kernel normally needs microseconds. */
const KILL_WAIT_MS = 2_000;

/**
 * The start time (clock ticks since boot) of a process from one `/proc/<pid>/stat` text, or null
 * when the text is not a stat line or the process is a zombie (dead, only waiting to be reaped).
 *
 * Why by hand: the second field is the command name in parentheses, and that name may itself
 * contain spaces and parentheses, so the fields are counted from the LAST `)`.
 *
 * @example
 * parseProcStatStartTime('42 (a) (b c) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 ...') // '987654'
 */
export function parseProcStatStartTime(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after the name start at field 3 (state); starttime is field 22.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const startTime = fields[22 - 3];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return null;
  if (state === 'Z' || state === 'X' || state === 'x') return null;
  return startTime;
}

/**
 * The start time of a live process, or null when it is gone (or a zombie, or /proc is missing).
 * Used to tell a live process from a reused pid after a crash.
 *
 * @example
 * const startTime = readProcessStartTime(child.pid); // e.g. '8734512'
 */
export function readProcessStartTime(pid: number): string | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    return parseProcStatStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is still the very process that had `startTime` (not a newer one reusing the pid).
 *
 * @example
 * if (isSameProcessAlive(run.pid, run.startTime)) await terminateProcessGroup(run.pid, run);
 */
export function isSameProcessAlive(pid: number, startTime: string): boolean {
  return readProcessStartTime(pid) === startTime;
}

/**
 * Whether any live (non-zombie) process is still in process group `pgid`. Zombies are skipped
 * because a dead but unreaped member still makes `kill(-pgid, 0)` succeed.
 */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const fields = stat
      .slice(close + 1)
      .trim()
      .split(/\s+/);
    // fields[0] is the state (field 3), fields[2] the process group (field 5).
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/**
 * Ends a process group: SIGTERM to the group, SIGKILL to the group after `graceMs` if anything in
 * it is still alive. Resolves to what it took: `'gone'` (nothing was signalled), `'terminated'`
 * (SIGTERM was enough) or `'killed'`.
 *
 * With `startTime`, a pid that now belongs to another process is never signalled. When the leader
 * is gone but members of its group remain, the group is still ended: Linux does not hand out a pid
 * that is in use as a process-group id, so `-pid` can only reach the old group. ESRCH is not an
 * error; it means the group is already gone.
 *
 * @example
 * await terminateProcessGroup(run.pid, { startTime: run.startTime, graceMs: 2000 }); // 'terminated'
 */
export async function terminateProcessGroup(
  pid: number,
  { startTime, graceMs = 2_000 }: TerminateOptions = {},
): Promise<TerminateOutcome> {
  if (!Number.isSafeInteger(pid) || pid <= 1) return 'gone';
  if (isReused(pid, startTime)) return 'gone';
  if (!isProcessGroupAlive(pid)) return 'gone';
  if (!signalGroup(pid, 'SIGTERM')) return 'gone';
  if (await waitForGroupExit(pid, graceMs)) return 'terminated';
  if (isReused(pid, startTime)) return 'terminated';
  if (!signalGroup(pid, 'SIGKILL')) return 'terminated';
  await waitForGroupExit(pid, KILL_WAIT_MS);
  return 'killed';
}

/** True when a live process holds `pid` but it is not the one that started at `startTime`. */
function isReused(pid: number, startTime: string | null | undefined): boolean {
  if (startTime === undefined || startTime === null) return false;
  const current = readProcessStartTime(pid);
  return current !== null && current !== startTime;
}

/**
 * Sends `signal` to the whole group; false when it could not be sent: ESRCH (the group is gone)
 * or EPERM (the group id now belongs to another user's processes, so it is not ours to end).
 */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isProcessGroupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
