import { opencodeAdapter } from '../../src/engines/opencode.ts';
import { describeLiveEngine } from './live-suite.ts';

describeLiveEngine({
  adapter: opencodeAdapter,
  turnTimeoutMs: 90_000,
  authError: /Incorrect API key/,
  authExitCode: 1,
});
