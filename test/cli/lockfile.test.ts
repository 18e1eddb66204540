import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlreadyRunningError, acquireLock, isProcessAlive } from '../../src/cli/lockfile.ts';
import { tokenFingerprint } from '../../src/logging/token-fingerprint.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();
const TOKEN = '123:secret-token-value';

describe('acquireLock', () => {
  it('writes {pid, token_fingerprint} and removes it on release', () => {
    const path = join(tempDir(), 'tentacle.toml.lock');
    const release = acquireLock(path, TOKEN, { pid: 111, isAlive: () => false });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      pid: 111,
      token_fingerprint: tokenFingerprint(TOKEN),
    });
    expect(tokenFingerprint(TOKEN)).toMatch(/^[0-9a-f]{10}$/);
    release();
    expect(existsSync(path)).toBe(false);
  });

  it.each([
    ['a dead pid with the same token', { pid: 222, sameToken: true, alive: false }, 'takes over'],
    ['a live pid with another token', { pid: 222, sameToken: false, alive: true }, 'takes over'],
    ['a live pid with the same token', { pid: 222, sameToken: true, alive: true }, 'refuses'],
  ])('%s: %s', (_name, existing, outcome) => {
    const path = join(tempDir(), 'tentacle.toml.lock');
    const fingerprint = tokenFingerprint(existing.sameToken ? TOKEN : 'other:token');
    writeFileSync(path, JSON.stringify({ pid: existing.pid, token_fingerprint: fingerprint }));
    const attempt = () =>
      acquireLock(path, TOKEN, { pid: 111, isAlive: (pid) => pid === 222 && existing.alive });
    if (outcome === 'refuses') {
      expect(attempt).toThrow(AlreadyRunningError);
      expect(attempt).toThrow(`already running (pid 222); remove ${path} if stale`);
      expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(222);
    } else {
      attempt();
      expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(111);
    }
  });

  it('takes over an unreadable lockfile', () => {
    const path = join(tempDir(), 'tentacle.toml.lock');
    writeFileSync(path, 'garbage');
    acquireLock(path, TOKEN, { pid: 111, isAlive: () => true });
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(111);
  });

  it('does not remove a lock another process took over since', () => {
    const path = join(tempDir(), 'tentacle.toml.lock');
    const release = acquireLock(path, TOKEN, { pid: 111, isAlive: () => false });
    acquireLock(path, TOKEN, { pid: 333, isAlive: () => false });
    release();
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(333);
  });

  it('probes real pids', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});
