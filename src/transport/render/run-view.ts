import type { EngineId } from '../../engines/events.ts';
import type { ProgressState } from '../../engines/progress-state.ts';
import type { RunContext } from './footer.ts';

/** What every layout needs to know about a run, all plain JSON. */
export interface RunView {
  engine: EngineId;
  /** Seconds since the run started, as of the event being rendered (there is no ticking clock). */
  elapsedSeconds: number;
  /** The run's folded events; absent or null before any arrived. Gives the step and action lines. */
  progress?: ProgressState | null | undefined;
  /**
   * The engine's resume line as its codec formats it (`` `codex resume 019b…` ``); null until the
   * engine announced its session.
   */
  resumeLine?: string | null | undefined;
  /** Project and branch of the run, for the `ctx:` line. */
  context?: RunContext | null | undefined;
  /** The run's working directory: file paths in action lines are shown relative to it. */
  cwd?: string | null | undefined;
}
