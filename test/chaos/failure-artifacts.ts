import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { BridgeHarness } from '../support/bridge-harness.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/chaos/', import.meta.url));
const timeline: string[] = [];

/** Notes a moment of the current test (a kill, a restart, a fault armed) for its artifacts. */
export function note(what: string): void {
  timeline.push(`${Date.now()} ${what}`);
}

/**
 * After a failed test (or every test, with CHAOS_KEEP_ARTIFACTS=1), keeps what explains it under
 * `test-artifacts/chaos/<test>-seed<N>/`: the bridge's directory (config, SQLite state, fake engine
 * records), every Bot API call the fake answered, the bridge's last stderr, and the test's notes.
 * Register it after `useTempDir`, so it runs before the directory is removed.
 */
export function keepArtifactsOnFailure(current: () => BridgeHarness | undefined, seed: number): void {
  afterEach((ctx) => {
    const notes = timeline.splice(0);
    const h = current();
    const keep = ctx.task.result?.state === 'fail' || process.env['CHAOS_KEEP_ARTIFACTS'] === '1';
    if (!h || !keep) return;
    const name = `${ctx.task.suite?.name ?? ''} ${ctx.task.name}`.replace(/\(seed \d+\)/, '');
    const dir = join(ARTIFACTS, `${name.replace(/[^\w]+/g, '-').slice(0, 100)}-seed${seed}`);
    mkdirSync(dir, { recursive: true });
    cpSync(h.dir, join(dir, 'bridge'), { recursive: true });
    writeFileSync(join(dir, 'telegram-calls.json'), JSON.stringify(h.tg.calls, null, 1));
    writeFileSync(join(dir, 'tentacle-stderr.log'), h.stderr);
    writeFileSync(join(dir, 'timeline.txt'), `${notes.join('\n')}\n`);
    process.stderr.write(`chaos: kept the test's artifacts in ${dir} (replay: CHAOS_SEED=${seed})\n`);
  });
}
