import { describe, expect, it } from 'vitest';
import { splitShellWords, unwrapShellInvocation } from '../../src/engines/shell-quote.ts';

describe('splitShellWords', () => {
  it.each<[string, string[]]>([
    ['ls -la', ['ls', '-la']],
    ['  spaced\t out  ', ['spaced', 'out']],
    [`bash -lc 'echo "hi there"'`, ['bash', '-lc', 'echo "hi there"']],
    [`echo "a \\"quoted\\" \\\\ word"`, ['echo', 'a "quoted" \\ word']],
    [`echo "keeps \\n as is"`, ['echo', 'keeps \\n as is']],
    [`echo it\\'s`, ['echo', "it's"]],
    [`a'b'"c"d`, ['abcd']],
    [`echo ''`, ['echo', '']],
    ['', []],
  ])('splits %s', (line, words) => {
    expect(splitShellWords(line)).toEqual(words);
  });

  it.each([
    ["echo 'unterminated"],
    ['echo "unterminated'],
    ['trailing \\'],
    ['ls | wc -l'],
    ['a && b'],
    ['echo $HOME'],
    ['echo "$HOME"'],
    ['echo `date`'],
    ['cat < file'],
    ['(sub)'],
  ])('gives up on %s', (line) => {
    expect(splitShellWords(line)).toBeUndefined();
  });
});

describe('unwrapShellInvocation', () => {
  it.each<[string, string | undefined]>([
    [`/bin/bash -lc 'echo hi'`, 'echo hi'],
    [`bash -c "npm test"`, 'npm test'],
    [`/usr/bin/zsh -lc 'ls | wc -l'`, 'ls | wc -l'],
    [`sh -c 'a' extra`, undefined],
    [`/bin/bash -x 'echo hi'`, undefined],
    [`python -c 'print(1)'`, undefined],
    [`bash -lc ''`, undefined],
    ['pytest -q', undefined],
  ])('unwraps %s', (command, script) => {
    expect(unwrapShellInvocation(command)).toBe(script);
  });
});
