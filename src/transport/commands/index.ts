import { agentCommand } from './agent.command.ts';
import type { CommandHandler } from './command-context.ts';
import { ctxCommand } from './ctx.command.ts';
import { modelCommand } from './model.command.ts';
import { reasoningCommand } from './reasoning.command.ts';
import { topicCommand } from './topic.command.ts';
import { triggerCommand } from './trigger.command.ts';

/** The chat commands that show and change settings, by command name (lowercase, no `/`). */
export type SettingsCommandName = 'agent' | 'model' | 'reasoning' | 'trigger' | 'ctx' | 'topic';

/**
 * Handlers of the settings commands. Like every built-in they ignore trigger mode; showing is open to
 * everyone, changing is admin-only in groups.
 *
 * @example
 *   const handler = settingsCommands[parsed.name as SettingsCommandName];
 *   if (handler) await handler(ctx);
 */
export const settingsCommands: Readonly<Record<SettingsCommandName, CommandHandler>> = {
  agent: agentCommand,
  model: modelCommand,
  reasoning: reasoningCommand,
  trigger: triggerCommand,
  ctx: ctxCommand,
  topic: topicCommand,
};

/**
 * The handler of a settings command, or undefined for any other name.
 *
 * @example
 *   settingsCommandFor('model') // modelCommand
 *   settingsCommandFor('cancel') // undefined
 */
export function settingsCommandFor(name: string): CommandHandler | undefined {
  return Object.hasOwn(settingsCommands, name) ? settingsCommands[name as SettingsCommandName] : undefined;
}
