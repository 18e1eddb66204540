import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (this file is test/live/live-paths.ts). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Holds `claude`, `codex`, `opencode` and `pi`, linked to the pinned CLIs in test/live/node_modules. */
export const LIVE_BIN = path.join(REPO_ROOT, 'test', 'live', 'bin');

/** Where committed captures of the real CLIs' output are refreshed (`LIVE_UPDATE_CAPTURES=1`). */
export const CAPTURES_DIR = path.join(REPO_ROOT, 'test', 'live', 'captures');

/**
 * Parent of every sandbox. Not under /tmp: codex refuses to set up its helper binaries under the
 * system temp dir (it warns "Refusing to create helper binaries under temporary dir").
 */
export const LIVE_TMP = process.env['TENTACLE_LIVE_TMP'] ?? path.join(REPO_ROOT, '.tmp', 'live');

/** The binaries the live tier needs, missing ones first; empty when everything is installed. */
export function missingLiveBinaries(): string[] {
  return ['claude', 'codex', 'opencode', 'pi'].filter((name) => !existsSync(path.join(LIVE_BIN, name)));
}
