import { existsSync } from 'node:fs';
import { CliError } from '../cli-error.ts';
import { silentExit } from '../silent-exit.ts';
import { runOnboarding } from './wizard.ts';

/**
 * Decides, before `tentacle run` loads its config, whether the setup wizard runs: with
 * `--onboard`, or when no config exists and both stdin and stdout are terminals (and
 * `TENTACLE_NO_INTERACTIVE` is unset). Without a terminal a missing config stays the usual
 * one-line error; `--onboard` without one is refused.
 *
 * @throws CliError `--onboard requires a TTY`; a silent exit 1 when the user cancels the wizard.
 */
export async function onboardIfNeeded(
  configPath: string,
  onboard: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const interactive =
    process.stdin.isTTY === true && process.stdout.isTTY === true && !env['TENTACLE_NO_INTERACTIVE'];
  if (onboard && !interactive) throw new CliError('--onboard requires a TTY');
  if (!onboard && (!interactive || existsSync(configPath))) return;
  if (!(await runOnboarding({ configPath, force: onboard, env }))) throw silentExit(1);
}
