import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TENTACLE_BIN = fileURLToPath(new URL('../../bin/tentacle.mjs', import.meta.url));

/** Runs `tentacle <args>` as a child process exactly as `npm start -- <args>` does. */
export async function runTentacle(
  args: string[],
  options: Options = {},
): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await execa(process.execPath, [TENTACLE_BIN, ...args], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
    ...options,
    env: { TENTACLE_CONFIG: '', ...options.env },
  });
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}
