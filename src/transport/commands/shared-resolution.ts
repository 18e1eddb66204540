import type { Settings } from '../../config/load-config.ts';
import { type EngineId, isEngineId } from '../../engines/events.ts';
import type { ScopePrefs } from '../prefs.ts';
import { type EngineChoice, selectEngine } from '../routing/engine-selection.ts';
import {
  type ContextSource,
  type ProjectContext,
  resolveProjectContext,
} from '../routing/project-context.ts';
import type { CommandContext } from './command-context.ts';
import { type CommandScope, commandScope } from './shared-scope.ts';

/** What a plain message sent here (no directives) would run with, and the stored layers behind it. */
export interface SettingsView {
  scope: CommandScope;
  /** The chat's prefs, and the topic's when the command acts on a topic. */
  chat: ScopePrefs;
  topic: ScopePrefs | undefined;
  context: ProjectContext | undefined;
  contextSource: ContextSource;
  engine: EngineChoice;
  /** `projects.<alias>.default_engine` of the resolved project. */
  projectDefault: EngineId | undefined;
}

export type SettingsViewResult = ({ ok: true } & SettingsView) | { ok: false; error: string };

/**
 * Resolves the project context and the engine the way a prompt without directives would: the
 * replied-to message's `ctx:` line, the topic and chat bindings, the project chat, `default_project`;
 * then topic default > chat default > project default > global default. Fails only when the replied-to
 * `ctx:` line names a project that is no longer configured (that error text is the reply).
 *
 * An unbound topic of the main chat resolves to no project here rather than to the "isn't bound" error:
 * showing settings must work there, and `default_project` does not apply to such topics.
 *
 * @example
 *   const view = resolveSettingsView(ctx);
 *   if (view.ok) view.engine // { engine: 'claude', source: 'chat default' }
 */
export function resolveSettingsView(ctx: CommandContext): SettingsViewResult {
  const scope = commandScope(ctx);
  const chat = ctx.prefs.get(ctx.chatKey) as ScopePrefs;
  const topic = scope.name === 'topic' ? (ctx.prefs.get(scope.key) as ScopePrefs) : undefined;
  const mainChatTopic =
    scope.name === 'topic' && ctx.message.chatId === ctx.settings.transports.telegram.chat_id;
  const resolved = resolveProjectContext({
    projects: Object.keys(ctx.settings.projects),
    replyText: ctx.message.reply?.text,
    topicBinding: topic?.context,
    chatBinding: chat.context,
    projectChat: projectChatAlias(ctx.settings, ctx.message.chatId),
    defaultProject: mainChatTopic ? undefined : ctx.settings.default_project,
  });
  if (!resolved.ok) return resolved;
  const projectDefault = projectDefaultEngine(ctx.settings, resolved.context?.project);
  const engine = selectEngine({
    topicDefault: topic?.default_engine,
    chatDefault: chat.default_engine,
    projectDefault,
    globalDefault: ctx.globalEngine,
  });
  return {
    ok: true,
    scope,
    chat,
    topic,
    context: resolved.context,
    contextSource: resolved.source,
    engine,
    projectDefault,
  };
}

/**
 * The project whose own chat this is (`projects.<alias>.chat_id`), if any.
 *
 * @example
 *   projectChatAlias(settings, -200) // 'proj' when [projects.proj] chat_id = -200
 */
export function projectChatAlias(settings: Settings, chatId: number): string | undefined {
  return Object.values(settings.projects).find((project) => project.chat_id === chatId)?.alias;
}

function projectDefaultEngine(settings: Settings, alias: string | undefined): EngineId | undefined {
  const configured = alias === undefined ? null : (settings.projects[alias]?.default_engine ?? null);
  return configured !== null && isEngineId(configured) ? configured : undefined;
}
