import { describe, expect, it } from 'vitest';
import { entityProblems } from '../../../src/transport/render/entity-rules.ts';
import {
  codeSpan,
  escapeMarkdown,
  isAllowedLinkUrl,
  renderMarkdown,
} from '../../../src/transport/render/markdown.ts';
import { entityView } from './rendered-checks.ts';

type Expected = Array<[string, string] | [string, string, string]>;

describe('renderMarkdown', () => {
  it.each<[string, string, string, Expected]>([
    ['plain text', 'hello world', 'hello world', []],
    ['bold', 'a **b** c', 'a b c', [['bold', 'b']]],
    ['bold with underscores', '__b__', 'b', [['bold', 'b']]],
    [
      'italic',
      '*i* and _j_',
      'i and j',
      [
        ['italic', 'i'],
        ['italic', 'j'],
      ],
    ],
    ['strikethrough', '~~gone~~', 'gone', [['strikethrough', 'gone']]],
    ['inline code', 'run `npm test` now', 'run npm test now', [['code', 'npm test']]],
    ['inline code keeps markdown literally', '`**x**`', '**x**', [['code', '**x**']]],
    [
      'nested bold and italic',
      '**a *b* c**',
      'a b c',
      [
        ['bold', 'a b c'],
        ['italic', 'b'],
      ],
    ],
    [
      'bold interrupted by code',
      '**run `ls` now**',
      'run ls now',
      [
        ['bold', 'run '],
        ['code', 'ls'],
        ['bold', ' now'],
      ],
    ],
    ['italic around code only', '*`x`*', 'x', [['code', 'x']]],
    ['bold in a bold heading counts once', '# a **b** c', 'a b c', [['bold', 'a b c']]],
    ['bold in bold counts once', '**a __b__ c**', 'a b c', [['bold', 'a b c']]],
    [
      'bold and italic on the same text',
      '***x***',
      'x',
      [
        ['bold', 'x'],
        ['italic', 'x'],
      ],
    ],
    [
      'fenced code with language',
      '```ts\nconst a = 1;\n```',
      'const a = 1;',
      [['pre', 'const a = 1;', 'ts']],
    ],
    [
      'fenced code with an info string',
      '```py title="x"\nprint()\n```',
      'print()',
      [['pre', 'print()', 'py']],
    ],
    ['fenced code without language', '```\nx\n\ny\n```', 'x\n\ny', [['pre', 'x\n\ny']]],
    ['tilde fence', '~~~sh\nls\n~~~', 'ls', [['pre', 'ls', 'sh']]],
    ['indented code', '    indented\n    more', 'indented\nmore', [['pre', 'indented\nmore']]],
    ['an unclosed fence runs to the end', '```js\nlet a', 'let a', [['pre', 'let a', 'js']]],
    ['heading as bold', '# Title\n\nbody', 'Title\n\nbody', [['bold', 'Title']]],
    ['setext heading', 'Title\n===', 'Title', [['bold', 'Title']]],
    [
      'blockquote',
      '> quoted **text**\n\nafter',
      'quoted text\n\nafter',
      [
        ['blockquote', 'quoted text'],
        ['bold', 'text'],
      ],
    ],
    ['nested blockquotes make one quote', '> a\n> > b', 'a\n\nb', [['blockquote', 'a\n\nb']]],
    [
      'code block in a quote',
      '> ```\n> x\n> ```',
      'x',
      [
        ['blockquote', 'x'],
        ['pre', 'x'],
      ],
    ],
    ['bullet list', '- a\n- b', '- a\n- b', []],
    ['star and plus bullets become dashes', '* a\n+ b', '- a\n\n- b', []],
    ['ordered list keeps its numbers', '3. x\n4. y', '3. x\n4. y', []],
    ['ordered list with parentheses', '1) x\n2) y', '1. x\n2. y', []],
    ['nested list is indented under its parent', '- a\n  - b\n    - c\n- d', '- a\n  - b\n    - c\n- d', []],
    ['list nested in an ordered list', '1. one\n   - sub\n2. two', '1. one\n   - sub\n2. two', []],
    ['loose list keeps blank lines', '- a\n\n- b', '- a\n\n- b', []],
    ['second paragraph of an item is indented', '- a\n\n  more', '- a\n\n  more', []],
    [
      'list inside a quote is quoted with its markers',
      '> - a\n> - b',
      '- a\n- b',
      [['blockquote', '- a\n- b']],
    ],
    ['quote inside a list item starts after the marker', '- > q', '- q', [['blockquote', 'q']]],
    [
      'code block in a list item on its own lines, unindented',
      '1. a\n\n   ```py\n   x\n   ```\n2. b',
      '1. a\n\nx\n\n2. b',
      [['pre', 'x', 'py']],
    ],
    [
      'item opening with a code block keeps its marker above',
      '- ```\n  code\n  ```\n- c',
      '-\ncode\n\n- c',
      [['pre', 'code']],
    ],
    ['empty list item keeps its marker', '- a\n-\n- b', '- a\n-\n- b', []],
    ['paragraphs separated by one blank line', 'one\n\n\n\ntwo', 'one\n\ntwo', []],
    ['soft break kept as a line break', 'one\ntwo', 'one\ntwo', []],
    ['hard break', 'one  \ntwo', 'one\ntwo', []],
    ['backslash hard break', 'one\\\ntwo', 'one\ntwo', []],
    ['thematic break', 'a\n\n---\n\nb', 'a\n\n———\n\nb', []],
    ['escapes', '\\*not italic\\*', '*not italic*', []],
    ['html is text', '<b>x</b> &amp; &lt;', '<b>x</b> & <', []],
    ['html block is text', '<div>\nhi\n</div>', '<div>\nhi\n</div>', []],
    [
      'unused table syntax stays as written',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      [],
    ],
    [
      'image as its alt text linking to it',
      '![diagram](https://x.org/d.png)',
      'diagram',
      [['text_link', 'diagram', 'https://x.org/d.png']],
    ],
    ['empty document', '', '', []],
    ['whitespace only', '  \n\n ', '', []],
  ])('renders %s', (_, markdown, text, entities) => {
    const rendered = renderMarkdown(markdown);
    expect(rendered.text).toBe(text);
    expect(entityView(rendered)).toEqual(entities);
    expect(entityProblems(rendered)).toEqual([]);
  });

  it.each<[string, string | null]>([
    ['https://example.com/a?b=c#d', 'https://example.com/a?b=c#d'],
    ['http://localhost:8080/x', 'http://localhost:8080/x'],
    ['tg://resolve?domain=telegram', 'tg://resolve?domain=telegram'],
    ['./docs/readme.md', null],
    ['/abs/path.ts', null],
    ['src/a.ts#L10', null],
    ['#anchor', null],
    ['ftp://example.com/x', null],
    ['mailto:a@b.c', null],
    ['https://', null],
  ])('turns a link to %s into a text_link only when allowed', (href, url) => {
    const rendered = renderMarkdown(`see [the target](${href}) now`);
    expect(rendered.text).toBe('see the target now');
    expect(entityView(rendered)).toEqual(url === null ? [] : [['text_link', 'the target', url]]);
  });

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x'])(
    'shows a link to %s as the text it was written as, with no entity',
    (href) => {
      const rendered = renderMarkdown(`see [the target](${href})`);
      expect(rendered.text).toBe(`see [the target](${href})`);
      expect(rendered.entities).toEqual([]);
    },
  );

  it('links autolinks to themselves', () => {
    expect(entityView(renderMarkdown('<https://a.example/x>'))).toEqual([
      ['text_link', 'https://a.example/x', 'https://a.example/x'],
    ]);
  });

  it('keeps formatting inside a link and drops code formatting there, which Telegram refuses', () => {
    const rendered = renderMarkdown('[**bold** and `code`](https://x.org)');
    expect(rendered.text).toBe('bold and code');
    expect(entityView(rendered)).toEqual([
      ['text_link', 'bold and code', 'https://x.org'],
      ['bold', 'bold'],
    ]);
  });

  it('leaves a refused link as its text with its inner formatting', () => {
    expect(entityView(renderMarkdown('[*x* `y`](./rel)'))).toEqual([
      ['italic', 'x'],
      ['code', 'y'],
    ]);
  });

  describe('offsets in UTF-16 code units', () => {
    it.each<[string, string, Array<[string, number, number]>]>([
      ['emoji before bold', '😀 **b**', [['bold', 3, 1]]],
      ['emoji inside bold', '**😀x**', [['bold', 0, 3]]],
      ['astral letters in code', '`𝔘𝔫` x', [['code', 0, 4]]],
      ['ZWJ family then italic', '👩‍👩‍👧 *k*', [['italic', 9, 1]]],
      ['flag inside a link', '[🇫🇷](https://fr.example)', [['text_link', 0, 4]]],
      ['keycap and skin tone', '1️⃣👍🏽 **z**', [['bold', 8, 1]]],
      [
        'right-to-left text',
        'שלום **עולם** مرحبا `كود`',
        [
          ['bold', 5, 4],
          ['code', 16, 3],
        ],
      ],
      ['combining accents', 'e\u0301\u0301 **é**', [['bold', 4, 1]]],
    ])('counts %s correctly', (_, markdown, expected) => {
      const rendered = renderMarkdown(markdown);
      expect(rendered.entities.map((e) => [e.type, e.offset, e.length])).toEqual(expected);
      expect(entityProblems(rendered)).toEqual([]);
    });

    it('replaces unpaired surrogates so no offset can fall inside a broken pair', () => {
      const rendered = renderMarkdown('a\uD83D **b** \uDE00c');
      expect(rendered.text).toBe('a\uFFFD b \uFFFDc');
      expect(entityView(rendered)).toEqual([['bold', 'b']]);
    });
  });

  it('sorts entities by offset, outer ones first', () => {
    const { entities } = renderMarkdown('> **a *b* `c`** [d](https://d.example) ~~e~~');
    const order = entities.map((e) => [e.offset, e.type]);
    expect(order).toEqual([
      [0, 'blockquote'],
      [0, 'bold'],
      [2, 'italic'],
      [4, 'code'],
      [6, 'text_link'],
      [8, 'strikethrough'],
    ]);
  });
});

describe('escapeMarkdown', () => {
  it.each([
    'rc=1 *failed* _here_',
    'Traceback:\n  File "a.py", line 1\n    raise `x`',
    '# not a heading\n- not a list\n1. not ordered\n> not quoted',
    '[x](https://y) <b> &amp; \\ ~~z~~',
    '    four spaces is not code',
  ])('makes %j render literally', (text) => {
    const rendered = renderMarkdown(escapeMarkdown(text));
    expect(rendered.entities).toEqual([]);
    expect(rendered.text).toBe(text.replace(/^[ \t]+/gm, (lead) => '\u00A0'.repeat(lead.length)));
  });
});

describe('codeSpan', () => {
  it.each(['npm test', 'echo `id`', '`start', 'end`', '``', ' padded ', 'a ``` b', '*not* [md](x)'])(
    'wraps %j so it renders as exactly that code',
    (text) => {
      const rendered = renderMarkdown(codeSpan(text));
      expect(rendered.text).toBe(text);
      expect(entityView(rendered)).toEqual([['code', text]]);
    },
  );

  it('gives nothing for empty text', () => {
    expect(codeSpan('')).toBe('');
  });

  it('puts a multi-line command on one line', () => {
    expect(renderMarkdown(codeSpan('a &&\nb')).text).toBe('a && b');
  });
});

describe('isAllowedLinkUrl', () => {
  it.each([
    ['https://a.b', true],
    ['tg:', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedLinkUrl(url)).toBe(allowed);
  });
});
