import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { EngineAdapter } from './adapter.ts';
import { claudeAdapter } from './claude.ts';
import { codexAdapter } from './codex.ts';
import { ENGINE_IDS, type EngineId } from './events.ts';
import { opencodeAdapter } from './opencode.ts';
import { piAdapter } from './pi.ts';

/** Every engine tentacle can drive, by id. */
export const ADAPTERS: Readonly<Record<EngineId, EngineAdapter>> = {
  codex: codexAdapter,
  claude: claudeAdapter,
  opencode: opencodeAdapter,
  pi: piAdapter,
};

/** The adapters' resume codecs, in a fixed order, for resolving resume lines in messages. */
export const RESUME_CODECS = ENGINE_IDS.map((engine) => ({ engine, resume: ADAPTERS[engine].resume }));

/**
 * The absolute path of `binary` on `PATH`, or undefined. Engines are found by their binary names
 * (DESIGN §5); a missing one is reported, not thrown.
 */
export function findOnPath(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Which engines have their CLI on PATH. */
export function installedEngines(env: NodeJS.ProcessEnv = process.env): EngineId[] {
  return ENGINE_IDS.filter((engine) => findOnPath(ADAPTERS[engine].binary, env) !== undefined);
}
