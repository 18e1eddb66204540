import type { CommandHandler } from './command-context.ts';
import { overrideCommand } from './shared-overrides.ts';

export const MODEL_USAGE =
  'usage: `/model`, `/model set <model>`, `/model set <engine> <model>`, or `/model clear [engine]`';

/**
 * `/model`: shows or changes the model override of an engine, per topic or per chat (a topic's beats the
 * chat's). The value is passed to the engine as `--model`; tentacle does not check it.
 *
 * @example
 *   // "/model set codex o3" in a private chat →
 *   // "chat model override set to `o3` for `codex`.\nIf you want a clean start on the new model, run `/new`."
 */
export const modelCommand: CommandHandler = overrideCommand({
  field: 'model',
  usage: MODEL_USAGE,
  admin: {
    missingSender: 'cannot verify sender for model overrides.',
    failed: 'failed to verify model override permissions.',
    denied: 'changing model overrides is restricted to group admins.',
  },
  availableLine: (ctx) => `available engines: ${ctx.engines.all.join(', ')}`,
  normalize: (value) => ({ ok: true, value }),
  setReply: (scope, model, engine) =>
    `${scope} model override set to \`${model}\` for \`${engine}\`.\n` +
    'If you want a clean start on the new model, run `/new`.',
  clearReply: (scope) =>
    scope === 'topic' ? 'topic model override cleared (using chat default).' : 'chat model override cleared.',
});
