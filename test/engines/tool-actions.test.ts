import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/engines/events.ts';
import {
  relativizeCommand,
  relativizePath,
  toolInputPath,
  toolKindAndTitle,
} from '../../src/engines/tool-actions.ts';

const cwd = '/home/dev/project';

describe('toolKindAndTitle', () => {
  it.each<[string, Json, string, string]>([
    ['Bash', { command: 'ls -la' }, 'command', 'ls -la'],
    ['bash', { command: `cat ${cwd}/src/a.ts ${cwd}/b.md` }, 'command', 'cat src/a.ts b.md'],
    ['shell', { command: ['git', 'status'] }, 'command', 'git status'],
    ['KillShell', {}, 'command', 'KillShell'],
    ['Write', { file_path: `${cwd}/notes.md` }, 'file_change', 'notes.md'],
    ['edit', { filePath: 'src/x.ts' }, 'file_change', 'src/x.ts'],
    ['MultiEdit', { path: '/elsewhere/x.ts' }, 'file_change', '/elsewhere/x.ts'],
    ['NotebookEdit', {}, 'file_change', 'NotebookEdit'],
    ['Read', { file_path: `${cwd}/README.md` }, 'tool', 'read: `README.md`'],
    ['read', {}, 'tool', 'read'],
    ['Glob', { pattern: '**/*.ts' }, 'tool', 'glob: `**/*.ts`'],
    ['glob', {}, 'tool', 'glob'],
    ['Grep', { pattern: 'TODO' }, 'tool', 'grep: TODO'],
    ['grep', { pattern: '' }, 'tool', 'grep'],
    ['find', { pattern: '*.md' }, 'tool', 'find: *.md'],
    ['find', {}, 'tool', 'find'],
    ['ls', { path: cwd }, 'tool', 'ls: `.`'],
    ['LS', {}, 'tool', 'ls'],
    ['WebSearch', { query: 'vitest each' }, 'web_search', 'vitest each'],
    ['web_search', {}, 'web_search', 'search'],
    ['WebFetch', { url: 'https://example.com' }, 'web_search', 'https://example.com'],
    ['web_fetch', {}, 'web_search', 'fetch'],
    ['TodoWrite', { todos: [] }, 'note', 'update todos'],
    ['todoread', {}, 'note', 'read todos'],
    ['AskUserQuestion', { questions: [] }, 'note', 'ask user'],
    ['Task', { description: 'explore the repo', prompt: 'long prompt' }, 'subagent', 'explore the repo'],
    ['agent', { prompt: 'look around' }, 'subagent', 'look around'],
    ['Task', {}, 'subagent', 'Task'],
    ['mcp__github__search', { q: 'x' }, 'tool', 'mcp__github__search'],
  ])('classifies %s %j as %s titled %j', (name, input, kind, title) => {
    expect(toolKindAndTitle(name, input, { cwd })).toEqual({ kind, title });
  });

  it('gives sub-agent tools the kind the engine asks for', () => {
    expect(toolKindAndTitle('task', { description: 'd' }, { taskKind: 'tool' })).toEqual({
      kind: 'tool',
      title: 'd',
    });
  });

  it('looks the path up only under the engine path keys, in their order', () => {
    const input = { path: 'b.ts', file_path: 'a.ts' };
    expect(toolKindAndTitle('write', input, { pathKeys: ['path'] }).title).toBe('b.ts');
    expect(toolKindAndTitle('write', input, { pathKeys: ['file_path', 'path'] }).title).toBe('a.ts');
    expect(toolKindAndTitle('write', { filePath: 'c.ts' }, { pathKeys: ['path'] }).title).toBe('write');
  });

  it('treats a non-object input as empty', () => {
    expect(toolKindAndTitle('Bash', null)).toEqual({ kind: 'command', title: 'Bash' });
    expect(toolKindAndTitle('Read', 'README.md')).toEqual({ kind: 'tool', title: 'read' });
  });

  it('leaves paths untouched when no cwd is known', () => {
    expect(toolKindAndTitle('read', { path: '/a/b' }).title).toBe('read: `/a/b`');
  });
});

describe('relativizePath', () => {
  it.each([
    [`${cwd}/src/a.ts`, cwd, 'src/a.ts'],
    [`${cwd}/src/a.ts`, `${cwd}/`, 'src/a.ts'],
    [cwd, cwd, '.'],
    [`${cwd}/`, cwd, '.'],
    [`${cwd}-other/a.ts`, cwd, `${cwd}-other/a.ts`],
    ['relative/a.ts', cwd, 'relative/a.ts'],
    ['C:\\work\\repo\\src\\a.ts', 'C:\\work\\repo', 'src/a.ts'],
    ['/etc/passwd', '/', '/etc/passwd'],
    ['', cwd, ''],
  ])('maps %j under %j to %j', (value, base, expected) => {
    expect(relativizePath(value, base)).toBe(expected);
  });
});

describe('relativizeCommand', () => {
  it.each([
    [`cd ${cwd}/src && cat ${cwd}/a.txt`, cwd, 'cd src && cat a.txt'],
    [`ls ${cwd}`, cwd, `ls ${cwd}`],
    [`cat ${cwd}-other/a`, cwd, `cat ${cwd}-other/a`],
    ['echo hi', undefined, 'echo hi'],
    ['cat /etc/hosts', '/', 'cat /etc/hosts'],
  ])('maps %j under %j to %j', (value, base, expected) => {
    expect(relativizeCommand(value, base)).toBe(expected);
  });
});

describe('toolInputPath', () => {
  it('returns the first non-empty string among the keys', () => {
    expect(toolInputPath({ file_path: '', path: 'x' }, ['file_path', 'path'])).toBe('x');
    expect(toolInputPath({ file_path: 3 }, ['file_path'])).toBeUndefined();
    expect(toolInputPath(['x'], ['0'])).toBeUndefined();
  });
});
