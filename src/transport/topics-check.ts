import { effectiveTopicScope, type TopicScopeInput } from './routing/topic-scope.ts';
import type { TelegramClient } from './telegram-client.ts';

/**
 * Checks that every chat whose forum topics tentacle would run is a forum supergroup where the bot
 * can manage topics (creator, or administrator with `can_manage_topics`): without that, `/topic`
 * and topic renames fail at run time.
 *
 * @returns the first problem as one sentence naming the chat and the fix, or undefined when the
 *   setup is sound. A Bot API failure is reported the same way.
 * @example
 *   await checkTopicsSetup(client, botId, { enabled: true, scope: 'auto', mainChatId: -100, projectChatIds: [] })
 *   // 'topics enabled but bot lacks manage topics permission (chat_id=-100); grant can_manage_topics.'
 */
export async function checkTopicsSetup(
  client: TelegramClient,
  botId: number,
  input: TopicScopeInput,
  options: { timeoutMs?: number } = {},
): Promise<string | undefined> {
  const scope = effectiveTopicScope(input);
  const chatIds =
    scope === 'main'
      ? [input.mainChatId]
      : scope === 'projects'
        ? [...input.projectChatIds]
        : [input.mainChatId, ...input.projectChatIds];
  if (scope === 'projects' && chatIds.length === 0) {
    return 'topics enabled but no project chats are configured; set projects.<alias>.chat_id for forum chats or use scope="main".';
  }
  const call = { timeoutMs: options.timeoutMs ?? 10_000 };
  for (const chatId of chatIds) {
    let chat: Awaited<ReturnType<TelegramClient['getChat']>>;
    try {
      chat = await client.getChat(chatId, call);
    } catch (error) {
      return `failed to fetch chat info for topics validation (${chatId}): ${(error as Error).message}`;
    }
    if (chat.type !== 'supergroup') {
      return `topics enabled but chat is not a supergroup (chat_id=${chatId}); convert the group and enable topics.`;
    }
    if (chat.is_forum !== true) {
      return `topics enabled but chat does not have topics enabled (chat_id=${chatId}); turn on topics in group settings.`;
    }
    let member: Awaited<ReturnType<TelegramClient['getChatMember']>>;
    try {
      member = await client.getChatMember(chatId, botId, call);
    } catch (error) {
      return `failed to fetch bot permissions (chat_id=${chatId}); promote the bot to admin with manage topics. (${(error as Error).message})`;
    }
    if (member.status === 'creator') continue;
    if (member.status !== 'administrator') {
      return `topics enabled but bot is not an admin (chat_id=${chatId}); promote it and grant manage topics.`;
    }
    if (member.can_manage_topics !== true) {
      return `topics enabled but bot lacks manage topics permission (chat_id=${chatId}); grant can_manage_topics.`;
    }
  }
  return undefined;
}
