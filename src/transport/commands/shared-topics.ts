import type { Settings } from '../../config/load-config.ts';
import { effectiveTopicScope, topicScopeFrom } from '../routing/topic-scope.ts';

/**
 * Shown when a topics command (`/topic`) is used while `[transports.telegram.topics]` is off. takopi has
 * no text for this (it sends the command to the agent as a prompt); its scope errors would point the user
 * at `topics.scope`, which is not the setting that is missing.
 */
export const TOPICS_DISABLED = 'topics are disabled; set `enabled = true` in `[transports.telegram.topics]`.';

/**
 * Why topics commands do not work in a chat whose forum topics are not in scope: the setting is off, or
 * the chat is outside `topics.scope`.
 *
 * @example
 *   topicsCommandError(settingsWithScope('auto'))
 *   // 'topics commands are only available in the main chat (auto scope). to use topics in project chats, set `topics.scope = "projects"`.'
 */
export function topicsCommandError(settings: Settings): string {
  const input = topicScopeFrom(settings);
  if (!input.enabled) return TOPICS_DISABLED;
  const auto = input.scope === 'auto';
  switch (effectiveTopicScope(input)) {
    case 'main':
      return auto
        ? 'topics commands are only available in the main chat (auto scope). to use topics in project chats, set `topics.scope = "projects"`.'
        : 'topics commands are only available in the main chat.';
    case 'projects':
      return auto
        ? 'topics commands are only available in project chats (auto scope). to use topics in the main chat, set `topics.scope = "main"`.'
        : 'topics commands are only available in project chats.';
    default:
      return 'topics commands are only available in the main or project chats.';
  }
}

/**
 * The scope as `/ctx` shows it: `auto (main)` when `auto` resolved to `main`, else the scope itself.
 *
 * @example
 *   topicsScopeLabel(settingsWithScope('auto')) // 'auto (main)'
 */
export function topicsScopeLabel(settings: Settings): string {
  const input = topicScopeFrom(settings);
  const effective = effectiveTopicScope(input);
  return input.scope === 'auto' ? `auto (${effective})` : effective;
}
