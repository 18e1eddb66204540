import { CommanderError } from 'commander';

/**
 * Ends a command with `exitCode` and prints nothing: `config get` of a missing key exits 1 with no
 * output, as scripts expect. `runCli` returns a CommanderError's exit code without printing.
 */
export function silentExit(exitCode: number): CommanderError {
  return new CommanderError(exitCode, 'tentacle.silentExit', '');
}
