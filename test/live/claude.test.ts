import { claudeAdapter } from '../../src/engines/claude.ts';
import { describeLiveEngine } from './live-suite.ts';

describeLiveEngine({
  adapter: claudeAdapter,
  turnTimeoutMs: 45_000,
  // With a bearer token (ANTHROPIC_AUTH_TOKEN) claude words a 401 as a login problem.
  authError: /Not logged in|401|authenticate/i,
  authExitCode: 1,
});
