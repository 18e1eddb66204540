import type { ScopePrefs } from '../prefs.ts';
import type { ProjectContext } from '../routing/project-context.ts';
import { parseTopicKey, topicPrefsKey } from '../routing/topic-key.ts';
import type { CommandContext, CommandHandler } from './command-context.ts';
import { type AdminTexts, requireAdmin } from './shared-admin.ts';
import { splitArgs } from './shared-args.ts';
import { formatContext, parseProjectBranch, topicUsage } from './shared-context-args.ts';
import { projectChatAlias } from './shared-resolution.ts';
import { topicsCommandError } from './shared-topics.ts';

/**
 * takopi lets any group member create topics (takopi-behavior.md §17.13); creating one binds a new lane to
 * a repository and a worktree, so tentacle keeps it to admins like every other settings change.
 */
const ADMIN_TEXTS: AdminTexts = {
  missingSender: 'cannot verify sender for topic creation.',
  failed: 'failed to verify topic permissions.',
  denied: 'creating topics is restricted to group admins.',
};

/**
 * `/topic <project> @branch` (or `/topic @branch` in a project's own chat): creates a forum topic named
 * `proj @branch`, binds it to that project and branch, replies `created topic …` and greets the new topic
 * with its binding. Needs topics enabled for this chat. A context that already has a topic in this chat
 * gets no second one.
 *
 * @example
 *   // "/topic proj @feat/x" in the main forum → createTopic('proj @feat/x'), reply "created topic `proj @feat/x`."
 */
export const topicCommand: CommandHandler = async (ctx) => {
  if (!ctx.topicsEnabled) return ctx.reply(topicsCommandError(ctx.settings));
  const projectChat = projectChatAlias(ctx.settings, ctx.message.chatId);
  const usage = topicUsage(projectChat);
  const words = splitArgs(ctx.command.args);
  if (words.length === 0) return ctx.reply(`error:\n${usage}`);
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  const parsed = parseProjectBranch(words, {
    projects: Object.keys(ctx.settings.projects),
    impliedProject: projectChat,
    enforceImplied: true,
    requireBranch: true,
  });
  if (!parsed.ok) return ctx.reply(`error:\n${parsed.error}\n${usage}`);
  const { context } = parsed;
  const title = formatContext(context);
  if (existingTopic(ctx, context) !== undefined) {
    return ctx.reply(`topic already exists for ${title} in this chat.`);
  }
  let threadId: number;
  try {
    threadId = await ctx.createTopic(title);
  } catch {
    return ctx.reply('failed to create topic.');
  }
  ctx.prefs.update(topicPrefsKey(ctx.message.chatId, threadId), { context, topic_title: title });
  ctx.reply(`created topic \`${title}\`.`);
  ctx.sendToThread(threadId, `topic bound to \`${title}\``);
};

/** The thread of this chat already bound to exactly this project and branch, if any. */
function existingTopic(ctx: CommandContext, context: ProjectContext): number | undefined {
  for (const { scopeKey, data } of ctx.prefs.all()) {
    const key = parseTopicKey(scopeKey);
    if (key?.kind !== 'forum-topic' || key.chatId !== ctx.message.chatId) continue;
    const bound = (data as ScopePrefs).context;
    if (bound?.project === context.project && (bound.branch ?? undefined) === context.branch)
      return key.threadId;
  }
  return undefined;
}
