import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineId } from '../../src/engines/events.ts';
import { CAPTURES_DIR } from './live-paths.ts';

/** Whether this run refreshes the committed captures (`LIVE_UPDATE_CAPTURES=1`). */
export const UPDATE_CAPTURES = process.env['LIVE_UPDATE_CAPTURES'] === '1';

/**
 * Writes `test/live/captures/<engine>-<scenario>.jsonl` with the CLI's stdout lines when
 * `LIVE_UPDATE_CAPTURES=1`; does nothing otherwise. Sandbox paths and the mock's port are replaced
 * by fixed placeholders so that captures from different machines compare equal.
 *
 * @example
 * saveCapture('codex', 'text', result.lines, sandbox.placeholders);
 */
export function saveCapture(
  engine: EngineId,
  scenario: string,
  lines: string[],
  placeholders: [string, string][],
): void {
  if (!UPDATE_CAPTURES) return;
  mkdirSync(CAPTURES_DIR, { recursive: true });
  const text = lines.map((line) => normalise(line, placeholders)).join('\n');
  writeFileSync(path.join(CAPTURES_DIR, `${engine}-${scenario}.jsonl`), text === '' ? '' : `${text}\n`);
}

/** Replaces each placeholder's real value (longest first, so a repo path wins over its sandbox root). */
export function normalise(line: string, placeholders: [string, string][]): string {
  const ordered = [...placeholders].sort((a, b) => b[0].length - a[0].length);
  return ordered.reduce((text, [real, fixed]) => text.split(real).join(fixed), line);
}
