import { describe, expect, it } from 'vitest';
import { type FooterInput, renderFooter } from '../../../src/transport/render/footer.ts';
import { entityView } from './rendered-checks.ts';

describe('renderFooter', () => {
  it.each<[string, FooterInput, string, Array<[string, string]>]>([
    [
      'the ctx line then the resume line',
      { context: { project: 'proj', branch: 'feat/x' }, resumeLine: '`codex resume 019b`' },
      'ctx: proj @feat/x\ncodex resume 019b',
      [
        ['code', 'ctx: proj @feat/x'],
        ['code', 'codex resume 019b'],
      ],
    ],
    ['a project without branch', { context: { project: 'proj' } }, 'ctx: proj', [['code', 'ctx: proj']]],
    [
      'only the resume line',
      { resumeLine: '`claude --resume 8c1b-44`' },
      'claude --resume 8c1b-44',
      [['code', 'claude --resume 8c1b-44']],
    ],
    [
      'a quoted pi token with spaces',
      { resumeLine: '`pi --session "my session"`' },
      'pi --session "my session"',
      [['code', 'pi --session "my session"']],
    ],
    ['nothing', { context: null, resumeLine: null }, '', []],
    ['a blank resume line', { resumeLine: '  ' }, '', []],
  ])('renders %s', (_, input, text, entities) => {
    const footer = renderFooter(input);
    expect(footer.text).toBe(text);
    expect(entityView(footer)).toEqual(entities);
  });

  it('keeps markdown characters of a project name literal', () => {
    expect(renderFooter({ context: { project: '*p*_`x`', branch: 'a_b' } }).text).toBe('ctx: *p*_`x` @a_b');
  });
});
