import type { ScopePrefs } from '../prefs.ts';
import { resolveTriggerMode, TRIGGER_MODES, type TriggerMode } from '../routing/trigger-mode.ts';
import type { CommandContext, CommandHandler } from './command-context.ts';
import { type AdminTexts, requireAdmin } from './shared-admin.ts';
import { splitArgs } from './shared-args.ts';
import { commandScope } from './shared-scope.ts';

export const TRIGGER_USAGE = 'usage: `/trigger`, `/trigger all`, `/trigger mentions`, or `/trigger clear`';

const ADMIN_TEXTS: AdminTexts = {
  missingSender: 'cannot verify sender for trigger settings.',
  failed: 'failed to verify trigger permissions.',
  denied: 'changing trigger mode is restricted to group admins.',
};

const SOURCE_LABELS = { topic: 'topic override', chat: 'chat default', default: 'default' } as const;

/**
 * `/trigger`: shows or changes when plain messages start a run: `all` of them, or only `mentions`
 * (an @mention, a reply to the bot, a known command). `/trigger all|mentions|clear` acts on the topic
 * inside a forum topic, else on the chat; in groups only admins may change it.
 *
 * Decision (takopi stores a topic's `all` as unset, takopi-behavior.md §17.8): `all` is stored as it is,
 * so a topic set to `all` does answer every message in a chat set to `mentions`.
 *
 * @example
 *   // "/trigger mentions" in a group, from an admin → "chat trigger mode set to `mentions`"
 */
export const triggerCommand: CommandHandler = async (ctx) => {
  const words = splitArgs(ctx.command.args);
  const action = words[0]?.toLowerCase() ?? 'show';
  if (words.length <= 1) {
    if (action === 'show') return showTrigger(ctx);
    const mode = TRIGGER_MODES.find((m) => m === action);
    if (mode !== undefined) return setTrigger(ctx, mode);
    if (action === 'clear') return clearTrigger(ctx);
  }
  ctx.reply(TRIGGER_USAGE);
};

function showTrigger(ctx: CommandContext): void {
  const scope = commandScope(ctx);
  const chat = (ctx.prefs.get(ctx.chatKey) as ScopePrefs).trigger_mode;
  const topic = scope.name === 'topic' ? (ctx.prefs.get(scope.key) as ScopePrefs).trigger_mode : undefined;
  const resolved = resolveTriggerMode({ topic, chat });
  ctx.reply(
    [
      `trigger: ${resolved.mode} (${SOURCE_LABELS[resolved.source]})`,
      `defaults: topic: ${topic ?? 'none'}, chat: ${chat ?? 'none'}`,
      `available: ${TRIGGER_MODES.join(', ')}`,
    ].join('\n\n'),
  );
}

async function setTrigger(ctx: CommandContext, mode: TriggerMode): Promise<void> {
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  const scope = commandScope(ctx);
  ctx.prefs.update(scope.key, { trigger_mode: mode });
  ctx.reply(`${scope.name} trigger mode set to \`${mode}\``);
}

async function clearTrigger(ctx: CommandContext): Promise<void> {
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  const scope = commandScope(ctx);
  ctx.prefs.update(scope.key, { trigger_mode: undefined });
  ctx.reply(
    scope.name === 'topic'
      ? 'topic trigger mode cleared (using chat default).'
      : 'chat trigger mode reset to `all`.',
  );
}
