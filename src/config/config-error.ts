/**
 * A configuration problem the user can fix. Its message is one line (or a few, one per bad key)
 * that names the key, the value and what was expected; the CLI prints it as `error: <message>`
 * without a stack trace.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly configPath?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
