import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTentacle } from '../support/run-cli.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();

describe('the tentacle command', () => {
  it('prints usage and exits 0 on --help', async () => {
    const result = await runTentacle(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: tentacle');
    expect(result.stdout).toContain('run [options]');
  });

  it('fails with exactly one clear line when the config is missing', async () => {
    const home = tempDir();
    const result = await runTentacle(['run', '--config', 'missing.toml'], { env: { HOME: home }, cwd: home });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: missing tentacle config at ${join(home, 'missing.toml')}`,
    ]);
  });

  it('names the bad key without a stack trace when the config is invalid', async () => {
    const dir = tempDir();
    const configPath = join(dir, 'tentacle.toml');
    await import('node:fs').then((fs) =>
      fs.writeFileSync(configPath, '[transports.telegram]\nbot_token = "1:x"\nchat_id = "abc"\n'),
    );
    const result = await runTentacle(['run', '--config', configPath]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('transports.telegram.chat_id: expected an integer, got "abc"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
