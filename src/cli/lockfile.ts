import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tokenFingerprint } from '../logging/token-fingerprint.ts';

export interface LockContent {
  pid: number;
  token_fingerprint: string;
}

/** Another live bridge holds the lock with the same bot token. */
export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(`already running (pid ${pid}); remove ${lockPath} if stale`);
  }
}

/**
 * The single-instance lock `<config path>.lock` (DESIGN §5): JSON `{pid, token_fingerprint}`.
 * Two pollers on one token knock each other off Telegram with 409s, so a live pid with the same
 * token refuses to start; a dead pid, another token, or an unreadable file is taken over.
 *
 * @returns a release function that removes the file if it still names this process.
 * @throws AlreadyRunningError
 */
export function acquireLock(
  lockPath: string,
  token: string,
  options: { pid?: number; isAlive?: (pid: number) => boolean } = {},
): () => void {
  const pid = options.pid ?? process.pid;
  const isAlive = options.isAlive ?? isProcessAlive;
  const fingerprint = tokenFingerprint(token);
  const existing = readLock(lockPath);
  if (
    existing &&
    existing.pid !== pid &&
    existing.token_fingerprint === fingerprint &&
    isAlive(existing.pid)
  ) {
    throw new AlreadyRunningError(lockPath, existing.pid);
  }
  const content: LockContent = { pid, token_fingerprint: fingerprint };
  const temp = `${lockPath}.${pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  renameSync(temp, lockPath);
  return () => {
    if (readLock(lockPath)?.pid === pid) rmSync(lockPath, { force: true });
  };
}

export function readLock(lockPath: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number' || typeof parsed.token_fingerprint !== 'string') return undefined;
    return { pid: parsed.pid, token_fingerprint: parsed.token_fingerprint };
  } catch {
    return undefined;
  }
}

/** Signal 0 probes a pid; EPERM means it exists but belongs to someone else. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
