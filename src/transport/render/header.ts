import type { EngineId } from '../../engines/events.ts';
import { formatElapsed } from './elapsed.ts';
import { codeText, joinTexts, plainText, type RenderedText } from './rendered-text.ts';

/** The status word at the start of every progress, final and placeholder message. */
export type RunStatus = 'queued' | 'starting' | 'working' | 'done' | 'error' | 'cancelled' | 'interrupted';

export interface HeaderInput {
  status: RunStatus;
  engine: EngineId;
  elapsedSeconds: number;
  /** Distinct actions seen so far; shown only when above zero. */
  step?: number | undefined;
  /** For the follow-ups of a split final: chunk `index` (1-based) of `total`; replaces the step. */
  continued?: { index: number; total: number } | undefined;
}

const SEPARATOR = ' · ';

/**
 * `<status> · <engine> · <elapsed>[ · step N]`, or `… · continued (i/n)` on split follow-ups.
 * `cancelled` is shown as inline code so it stands out from the running statuses.
 *
 * @example
 * renderHeader({ status: 'working', engine: 'claude', elapsedSeconds: 65, step: 7 }).text;
 * // → 'working · claude · 1m 05s · step 7'
 */
export function renderHeader(input: HeaderInput): RenderedText {
  const status = input.status === 'cancelled' ? codeText('cancelled') : plainText(input.status);
  const parts = [input.engine, formatElapsed(input.elapsedSeconds)];
  if (input.continued) parts.push(`continued (${input.continued.index}/${input.continued.total})`);
  else if (input.step !== undefined && input.step > 0) parts.push(`step ${input.step}`);
  return joinTexts([status, plainText(`${SEPARATOR}${parts.join(SEPARATOR)}`)]);
}
