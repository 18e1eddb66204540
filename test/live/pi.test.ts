import { piAdapter } from '../../src/engines/pi.ts';
import { describeLiveEngine } from './live-suite.ts';

describeLiveEngine({
  adapter: piAdapter,
  turnTimeoutMs: 45_000,
  authError: /401/,
  // pi exits 0 when the provider fails; the failure is only in its events.
  authExitCode: 0,
  // The adapter picks the new session file's folder from the bridge's own PI_CODING_AGENT_DIR.
  beforeTurns: (sandbox) => {
    process.env['PI_CODING_AGENT_DIR'] = sandbox.env['PI_CODING_AGENT_DIR'];
  },
});
