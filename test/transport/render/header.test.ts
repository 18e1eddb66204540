import { describe, expect, it } from 'vitest';
import { type HeaderInput, renderHeader } from '../../../src/transport/render/header.ts';
import { entityView } from './rendered-checks.ts';

describe('renderHeader', () => {
  it.each<[HeaderInput, string]>([
    [{ status: 'starting', engine: 'codex', elapsedSeconds: 0 }, 'starting · codex · 0s'],
    [
      { status: 'working', engine: 'claude', elapsedSeconds: 65, step: 7 },
      'working · claude · 1m 05s · step 7',
    ],
    [{ status: 'queued', engine: 'codex', elapsedSeconds: 0 }, 'queued · codex · 0s'],
    [{ status: 'done', engine: 'codex', elapsedSeconds: 8, step: 3 }, 'done · codex · 8s · step 3'],
    [{ status: 'done', engine: 'codex', elapsedSeconds: 11, step: 0 }, 'done · codex · 11s'],
    [{ status: 'error', engine: 'pi', elapsedSeconds: 0 }, 'error · pi · 0s'],
    [
      { status: 'interrupted', engine: 'opencode', elapsedSeconds: 3780, step: 2 },
      'interrupted · opencode · 1h 03m · step 2',
    ],
    [
      { status: 'done', engine: 'codex', elapsedSeconds: 8, step: 3, continued: { index: 2, total: 3 } },
      'done · codex · 8s · continued (2/3)',
    ],
  ])('renders %j as %s', (input, text) => {
    const header = renderHeader(input);
    expect(header.text).toBe(text);
    expect(header.entities).toEqual([]);
  });

  it('shows cancelled as inline code', () => {
    const header = renderHeader({ status: 'cancelled', engine: 'codex', elapsedSeconds: 12, step: 3 });
    expect(header.text).toBe('cancelled · codex · 12s · step 3');
    expect(entityView(header)).toEqual([['code', 'cancelled']]);
  });
});
