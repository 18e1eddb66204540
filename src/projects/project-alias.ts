import { basename } from 'node:path';
import { RESERVED_COMMANDS } from '../config/schema.ts';
import { ENGINE_IDS } from '../engines/events.ts';

/** Aliases become `/alias` directives, so they stay one lowercase word. */
const ALIAS = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * The alias a repository gets when none is given: its folder name without a `.git` suffix, lowercased.
 *
 * @example
 *   defaultAlias('/src/My-App.git') // 'my-app'
 */
export function defaultAlias(repoPath: string): string {
  return basename(repoPath)
    .replace(/\.git$/i, '')
    .toLowerCase();
}

/**
 * Why `alias` cannot name a project, or undefined when it can. An engine id or a reserved command would
 * be read as that directive instead of the project.
 *
 * @example
 *   aliasError('codex') // "alias 'codex' is an engine id; pick another"
 */
export function aliasError(alias: string): string | undefined {
  if ((ENGINE_IDS as readonly string[]).includes(alias))
    return `alias '${alias}' is an engine id; pick another`;
  if ((RESERVED_COMMANDS as readonly string[]).includes(alias)) {
    return `alias '${alias}' is a reserved command (/${alias}); pick another`;
  }
  if (!ALIAS.test(alias)) {
    return `alias '${alias}' must be lowercase letters, digits, '-' or '_' (it is used as /${alias})`;
  }
  return undefined;
}
