import { describe, expect, it } from 'vitest';
import { lockPathFor, resolveConfigPath, resolveStatePath } from '../../src/config/config-path.ts';

describe('resolveConfigPath', () => {
  it.each([
    [{ flag: 'a.toml', env: { TENTACLE_CONFIG: '/env.toml' } }, '/work/a.toml'],
    [{ env: { TENTACLE_CONFIG: '/env.toml' } }, '/env.toml'],
    [{ env: {} }, '/home/me/.tentacle/tentacle.toml'],
    [{ flag: '~/x.toml', env: {} }, '/home/me/x.toml'],
  ])('prefers --config, then TENTACLE_CONFIG, then ~/.tentacle (%j)', (options, expected) => {
    expect(resolveConfigPath({ ...options, home: '/home/me', cwd: '/work' })).toBe(expected);
  });

  it('puts the state database and the lockfile next to the config', () => {
    expect(resolveStatePath('/c/tentacle.toml', null)).toBe('/c/tentacle.db');
    expect(resolveStatePath('/c/tentacle.toml', 'state/t.db')).toBe('/c/state/t.db');
    expect(resolveStatePath('/c/tentacle.toml', '/abs/t.db')).toBe('/abs/t.db');
    expect(lockPathFor('/c/tentacle.toml')).toBe('/c/tentacle.toml.lock');
  });
});
