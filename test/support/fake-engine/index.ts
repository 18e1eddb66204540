import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Helpers around the fake engine executable (`fake-engine.mjs`, see its header for the prompt
 * tokens and environment variables it understands).
 *
 * @example
 * const env = { ...process.env, PATH: fakeEnginePath(), FAKE_ENGINE_RECORD: recordFile };
 * // … run the bridge with `env`, talk to it …
 * assertNoConcurrentSessions(readFakeRecords(recordFile));
 */

/** Directory holding `codex`, `claude`, `opencode` and `pi`; put it first on PATH. */
export const fakeEngineBinDir: string = join(dirname(fileURLToPath(import.meta.url)), 'bin');

/** A PATH with the fake engines first, then `basePath`. */
export function fakeEnginePath(basePath: string | undefined = process.env['PATH']): string {
  return basePath ? `${fakeEngineBinDir}${delimiter}${basePath}` : fakeEngineBinDir;
}

interface RecordBase {
  engine: string;
  pid: number;
  /** Epoch milliseconds. */
  time: number;
}

export interface FakeSpawnRecord extends RecordBase {
  kind: 'spawn';
  argv: string[];
  /** What was read from stdin; null when stdin was still open after a short wait (or a TTY). */
  stdin: string | null;
  cwd: string;
  /** Selected variables plus every TENTACLE_* and FAKE_*; secret-looking values are `<redacted>`. */
  env: Record<string, string>;
  sessionId: string;
  resumed: boolean;
}

export interface FakeSignalRecord extends RecordBase {
  kind: 'signal';
  signal: string;
}

export interface FakeExitRecord extends RecordBase {
  kind: 'exit';
  code: number;
  signal?: string;
}

/** Written when a process started serving a session that another live fake process held. */
export interface FakeConflictRecord extends RecordBase {
  kind: 'conflict';
  sessionId: string;
  otherPid: number;
}

export type FakeRecord = FakeSpawnRecord | FakeSignalRecord | FakeExitRecord | FakeConflictRecord;

/** Every record of a FAKE_ENGINE_RECORD file, in file order; an absent file has none. */
export function readFakeRecords(file: string): FakeRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FakeRecord);
}

/**
 * Throws when one engine session was ever served by two live processes at once.
 *
 * Evidence, strongest first: a `conflict` record (the fake saw the other holder alive when it
 * started); otherwise overlapping lifetimes from spawn to exit. A process killed by SIGKILL leaves
 * no exit record: its lifetime ends at its last `signal` record (the bridge always sends SIGTERM
 * first), and one with neither record is taken as still running.
 */
export function assertNoConcurrentSessions(records: FakeRecord[]): void {
  const conflict = records.find((r): r is FakeConflictRecord => r.kind === 'conflict');
  if (conflict) {
    throw new Error(
      `${conflict.engine} session ${conflict.sessionId}: pid ${conflict.pid} started while pid ${conflict.otherPid} was still serving it`,
    );
  }
  const ends = new Map<FakeSpawnRecord, number>();
  records.forEach((r, i) => {
    if (r.kind !== 'spawn') return;
    // The records of this process are the ones after its spawn with its pid, up to a reuse of the pid.
    let end = Number.POSITIVE_INFINITY;
    for (const later of records.slice(i + 1)) {
      if (later.pid !== r.pid) continue;
      if (later.kind === 'spawn') break;
      if (later.kind === 'exit') {
        end = later.time;
        break;
      }
      if (later.kind === 'signal') end = later.time;
    }
    ends.set(r, end);
  });
  const bySession = new Map<string, FakeSpawnRecord[]>();
  for (const r of records) {
    if (r.kind !== 'spawn') continue;
    const key = `${r.engine}:${r.sessionId}`;
    bySession.set(key, [...(bySession.get(key) ?? []), r]);
  }
  for (const [key, spawns] of bySession) {
    const sorted = [...spawns].sort((a, b) => a.time - b.time);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1]!;
      const current = sorted[i]!;
      const previousEnd = ends.get(previous) ?? Number.POSITIVE_INFINITY;
      if (current.time < previousEnd) {
        const until = Number.isFinite(previousEnd) ? `until ${previousEnd}` : 'with no recorded end';
        throw new Error(
          `session ${key}: pid ${current.pid} started at ${current.time} while pid ${previous.pid} ran (${previous.time} ${until})`,
        );
      }
    }
  }
}
