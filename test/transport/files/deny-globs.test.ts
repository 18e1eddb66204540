import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY_GLOBS } from '../../../src/config/schema.ts';
import { deniedBy } from '../../../src/transport/files/deny-globs.ts';

describe('deniedBy', () => {
  it.each([
    ['.env', '.env'],
    ['app/.env', '.env'],
    ['.envrc', '.envrc'],
    ['key.pem', '*.pem'],
    ['certs/prod/key.pem', '*.pem'],
    ['.ssh/id_ed25519', '.ssh/**'],
    ['home/.ssh/keys/id', '.ssh/**'],
    ['.ssh', '.ssh/**'],
    ['.git/config', '.git/**'],
    ['vendor/.git/hooks/pre-commit', '.git/**'],
  ])('denies %s with the default rules (by %s)', (path, rule) => {
    expect(deniedBy(path, DEFAULT_DENY_GLOBS)).toBe(rule);
  });

  it.each([['docs/spec.pdf'], ['.env.example'], ['src/pem.ts'], ['ssh/config'], ['environment']])(
    'lets %s through the default rules',
    (path) => {
      expect(deniedBy(path, DEFAULT_DENY_GLOBS)).toBeUndefined();
    },
  );

  it.each([
    ['secrets', 'secrets/db/password.txt', 'a folder rule covers what the folder holds'],
    ['/build', 'build/out.js', 'a leading slash anchors the rule at the root'],
    ['*.log', 'logs/today.log', 'a star does not cross segments but the rule floats'],
    ['data/*.csv', 'x/data/a.csv', 'a multi-segment rule matches at any depth'],
    ['**/tmp/**', 'a/b/tmp/c/d', 'double stars match any depth'],
    ['file?.txt', 'file1.txt', 'a question mark is one character'],
    ['[abc].txt', 'b.txt', 'a class is one of its characters'],
    ['[!abc].txt', 'd.txt', 'a negated class is none of them'],
  ])('denies by %s: %s (%s)', (rule, path) => {
    expect(deniedBy(path, [rule])).toBe(rule);
  });

  it.each([
    ['/build', 'src/build/out.js', 'an anchored rule does not float'],
    ['data/*.csv', 'data/x/a.csv', 'a star stays within one segment'],
    ['[!abc].txt', 'a.txt', 'a negated class refuses its characters'],
    ['file.txt', 'file_txt', 'a dot is a dot'],
    ['', 'anything', 'an empty rule denies nothing'],
  ])('does not deny by %s: %s (%s)', (rule, path) => {
    expect(deniedBy(path, [rule])).toBeUndefined();
  });

  it('names the first rule that matches', () => {
    expect(deniedBy('a/key.pem', ['*.txt', '*.pem', 'a/**'])).toBe('*.pem');
  });
});
