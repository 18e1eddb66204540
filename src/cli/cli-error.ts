/**
 * A failure the CLI reports as one `error: …` line with an exit code, never a stack trace.
 * Thrown by commands for expected problems (bad config, already running, missing engine).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
