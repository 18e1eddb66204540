import type { CommandHandler } from './command-context.ts';
import { overrideCommand } from './shared-overrides.ts';

/** The reasoning levels `/reasoning set` accepts (codex's `model_reasoning_effort` values). */
export const REASONING_LEVELS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;

export const REASONING_USAGE =
  'usage: `/reasoning`, `/reasoning set <level>`, `/reasoning set <engine> <level>`, or `/reasoning clear [engine]`';

/**
 * `/reasoning`: shows or changes the reasoning level override of an engine, per topic or per chat. Only
 * codex applies it; a run on another engine notes that it is ignored, so setting it is still allowed.
 *
 * @example
 *   // "/reasoning set HIGH" in a topic, codex in use →
 *   // "topic reasoning override set to `high` for `codex`.\nIf you want a clean start on the new setting, run `/new`."
 */
export const reasoningCommand: CommandHandler = overrideCommand({
  field: 'reasoning',
  usage: REASONING_USAGE,
  admin: {
    missingSender: 'cannot verify sender for reasoning overrides.',
    failed: 'failed to verify reasoning override permissions.',
    denied: 'changing reasoning overrides is restricted to group admins.',
  },
  availableLine: () => `available levels: ${REASONING_LEVELS.join(', ')}`,
  normalize: (value) => {
    const level = value.toLowerCase();
    if ((REASONING_LEVELS as readonly string[]).includes(level)) return { ok: true, value: level };
    return {
      ok: false,
      error: `unknown reasoning level \`${value}\`.\navailable levels: ${REASONING_LEVELS.join(', ')}`,
    };
  },
  setReply: (scope, level, engine) =>
    `${scope} reasoning override set to \`${level}\` for \`${engine}\`.\n` +
    'If you want a clean start on the new setting, run `/new`.',
  clearReply: (scope) =>
    scope === 'topic'
      ? 'topic reasoning override cleared (using chat default).'
      : 'chat reasoning override cleared.',
});
