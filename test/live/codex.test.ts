import { codexAdapter } from '../../src/engines/codex.ts';
import { describeLiveEngine } from './live-suite.ts';

describeLiveEngine({
  adapter: codexAdapter,
  turnTimeoutMs: 45_000,
  authError: /401 Unauthorized/,
  authExitCode: 1,
});
