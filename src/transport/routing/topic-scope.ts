import type { Settings } from '../../config/load-config.ts';

/** The facts that decide which chats run forum topics as separate conversations. */
export interface TopicScopeInput {
  enabled: boolean;
  scope: 'auto' | 'main' | 'projects' | 'all';
  mainChatId: number;
  /** `projects.*.chat_id` values that are set. */
  projectChatIds: readonly number[];
}

/** Reads the topic scope facts from the settings. */
export function topicScopeFrom(settings: Settings): TopicScopeInput {
  const telegram = settings.transports.telegram;
  return {
    enabled: telegram.topics.enabled,
    scope: telegram.topics.scope,
    mainChatId: telegram.chat_id,
    projectChatIds: Object.values(settings.projects).flatMap((project) =>
      project.chat_id === null ? [] : [project.chat_id],
    ),
  };
}

/**
 * The scope `auto` resolves to: `projects` when any project has its own chat, else `main`.
 *
 * @example
 *   effectiveTopicScope({ enabled: true, scope: 'auto', mainChatId: -1, projectChatIds: [] }) // 'main'
 */
export function effectiveTopicScope(input: TopicScopeInput): 'main' | 'projects' | 'all' {
  if (input.scope !== 'auto') return input.scope;
  return input.projectChatIds.length > 0 ? 'projects' : 'main';
}

/**
 * Whether messages in this chat's forum topics get their own lane, bindings and prefs.
 *
 * @example
 *   topicsEnabledFor(-100, { enabled: true, scope: 'main', mainChatId: -100, projectChatIds: [-200] }) // true
 *   topicsEnabledFor(-200, { enabled: true, scope: 'main', mainChatId: -100, projectChatIds: [-200] }) // false
 */
export function topicsEnabledFor(chatId: number, input: TopicScopeInput): boolean {
  if (!input.enabled) return false;
  const scope = effectiveTopicScope(input);
  const inMain = chatId === input.mainChatId;
  const inProjects = input.projectChatIds.includes(chatId);
  if (scope === 'main') return inMain;
  if (scope === 'projects') return inProjects;
  return inMain || inProjects;
}
