import { describe, expect, it } from 'vitest';
import { aliasError, defaultAlias } from '../../src/projects/project-alias.ts';

describe('defaultAlias', () => {
  it.each([
    ['/src/app', 'app'],
    ['/src/My-App.git', 'my-app'],
    ['/srv/Shared.GIT', 'shared'],
  ])('%s → %s', (path, alias) => {
    expect(defaultAlias(path)).toBe(alias);
  });
});

describe('aliasError', () => {
  it.each(['app', 'my-app', 'app_2', '2fa'])('accepts %j', (alias) => {
    expect(aliasError(alias)).toBeUndefined();
  });

  it.each([
    ['codex', "alias 'codex' is an engine id; pick another"],
    ['pi', "alias 'pi' is an engine id; pick another"],
    ['topic', "alias 'topic' is a reserved command (/topic); pick another"],
    ['file', "alias 'file' is a reserved command (/file); pick another"],
    ['', "alias '' must be lowercase letters, digits, '-' or '_' (it is used as /)"],
    ['a.b', "alias 'a.b' must be lowercase letters, digits, '-' or '_' (it is used as /a.b)"],
    ['-x', "alias '-x' must be lowercase letters, digits, '-' or '_' (it is used as /-x)"],
  ])('refuses %j', (alias, error) => {
    expect(aliasError(alias)).toBe(error);
  });
});
