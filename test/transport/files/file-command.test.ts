import { describe, expect, it } from 'vitest';
import { FILE_USAGE, parseFileCommand } from '../../../src/transport/files/file-command.ts';

const options = { engines: ['codex', 'claude'] as const, projects: ['app'], botUsername: 'tentacle_bot' };
const parse = (args: string) => parseFileCommand(args, options);

describe('parseFileCommand', () => {
  it.each([
    ['put docs/spec.pdf', { action: 'put', force: false, directives: '', path: 'docs/spec.pdf' }],
    ['put --force docs/spec.pdf', { action: 'put', force: true, directives: '', path: 'docs/spec.pdf' }],
    ['put /app @feat/x docs/', { action: 'put', force: false, directives: '/app @feat/x', path: 'docs/' }],
    ['put /app --force @feat x.md', { action: 'put', force: true, directives: '/app @feat', path: 'x.md' }],
    ['PUT my notes.md', { action: 'put', force: false, directives: '', path: 'my notes.md' }],
    ['put /app', { action: 'put', force: false, directives: '/app', path: '' }],
    ['put', { action: 'put', force: false, directives: '', path: '' }],
    ['get src', { action: 'get', force: false, directives: '', path: 'src' }],
    ['get /app .', { action: 'get', force: false, directives: '/app', path: '.' }],
    ['put x.md\nsecond line', { action: 'put', force: false, directives: '', path: 'x.md' }],
  ])('reads %j', (args, expected) => {
    expect(parse(args)).toEqual({ ok: true, ...expected });
  });

  it('keeps a path that looks like a command as the path, so the path rules refuse it', () => {
    expect(parse('put /etc/passwd')).toMatchObject({
      ok: true,
      directives: '/etc/passwd',
      path: '/etc/passwd',
    });
    expect(parse('get /app /etc/x')).toMatchObject({ ok: true, directives: '/app /etc/x', path: '/etc/x' });
  });

  it.each([
    ['', FILE_USAGE],
    ['list', FILE_USAGE],
    ['put --x a', 'unknown flag: --x'],
    ['get --force a', 'unknown flag: --force'],
    ['put /codex /claude a', 'error:\nmultiple engine directives'],
  ])('refuses %j with %j', (args, error) => {
    expect(parse(args)).toEqual({ ok: false, error });
  });
});
