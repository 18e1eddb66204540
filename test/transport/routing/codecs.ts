import { claudeAdapter } from '../../../src/engines/claude.ts';
import { codexAdapter } from '../../../src/engines/codex.ts';
import { opencodeAdapter } from '../../../src/engines/opencode.ts';
import { piAdapter } from '../../../src/engines/pi.ts';
import type { EngineCodec } from '../../../src/transport/routing/resume-lines.ts';

/** The real engines' resume codecs, in the default engine order. */
export const codecs: EngineCodec[] = [codexAdapter, claudeAdapter, opencodeAdapter, piAdapter].map(
  (adapter) => ({
    engine: adapter.id,
    resume: adapter.resume,
  }),
);
