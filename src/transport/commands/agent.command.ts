import { resolveOverrides } from '../routing/engine-selection.ts';
import type { CommandContext, CommandHandler } from './command-context.ts';
import { type AdminTexts, requireAdmin } from './shared-admin.ts';
import { splitArgs } from './shared-args.ts';
import { resolveSettingsView } from './shared-resolution.ts';
import { commandScope } from './shared-scope.ts';

export const AGENT_USAGE = 'usage: `/agent`, `/agent set <engine>`, or `/agent clear`';

const ADMIN_TEXTS: AdminTexts = {
  missingSender: 'cannot verify sender for engine defaults.',
  failed: 'failed to verify engine permissions.',
  denied: 'changing default engines is restricted to group admins.',
};

/**
 * `/agent`: shows the engine a plain message here would use and why, its model and reasoning
 * overrides, every default layer and the engines tentacle knows (installed or not). `/agent set
 * <engine>` and `/agent clear` change the default of the topic (inside a forum topic) or of the chat;
 * in groups only admins may change it.
 *
 * @example
 *   // "/agent set claude" in a private chat → "chat default engine set to `claude`"
 */
export const agentCommand: CommandHandler = async (ctx) => {
  const [action = 'show', ...rest] = splitArgs(ctx.command.args);
  switch (action.toLowerCase()) {
    case 'show':
      if (rest.length === 0) return showAgent(ctx);
      break;
    case 'set':
      if (rest.length === 1) return setAgent(ctx, rest[0]!.toLowerCase());
      break;
    case 'clear':
      if (rest.length === 0) return clearAgent(ctx);
      break;
  }
  ctx.reply(AGENT_USAGE);
};

function showAgent(ctx: CommandContext): void {
  const view = resolveSettingsView(ctx);
  if (!view.ok) {
    ctx.reply(view.error);
    return;
  }
  const { engine, source } = view.engine;
  const overrides = resolveOverrides(engine, { topic: view.topic?.overrides, chat: view.chat.overrides });
  ctx.reply(
    [
      `engine: ${engine} (${source})`,
      `model: ${overrides.model.value ?? 'default'} (${overrides.model.source})`,
      `reasoning: ${overrides.reasoning.value ?? 'default'} (${overrides.reasoning.source})`,
      `defaults: topic: ${view.topic?.default_engine ?? 'none'}, chat: ${view.chat.default_engine ?? 'none'}, ` +
        `project: ${view.projectDefault ?? 'none'}, global: ${ctx.globalEngine}`,
      `available: ${ctx.engines.all.join(', ')}`,
    ].join('\n\n'),
  );
}

async function setAgent(ctx: CommandContext, name: string): Promise<void> {
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  const engine = ctx.engines.all.find((id) => id === name);
  if (engine === undefined) {
    return ctx.reply(`unknown engine \`${name}\`.\navailable engines: \`${ctx.engines.all.join(', ')}\``);
  }
  const scope = commandScope(ctx);
  ctx.prefs.update(scope.key, { default_engine: engine });
  ctx.reply(`${scope.name} default engine set to \`${engine}\``);
}

async function clearAgent(ctx: CommandContext): Promise<void> {
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  const scope = commandScope(ctx);
  ctx.prefs.update(scope.key, { default_engine: undefined });
  ctx.reply(`${scope.name} default engine cleared.`);
}
