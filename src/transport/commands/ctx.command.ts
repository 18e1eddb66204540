import type { ScopePrefs } from '../prefs.ts';
import type { ProjectContext } from '../routing/project-context.ts';
import type { CommandContext, CommandHandler } from './command-context.ts';
import { type AdminTexts, requireAdmin } from './shared-admin.ts';
import { splitArgs } from './shared-args.ts';
import { ctxSetUsage, formatContext, parseProjectBranch, topicUsage } from './shared-context-args.ts';
import { projectChatAlias, resolveSettingsView } from './shared-resolution.ts';
import { type CommandScope, commandScope } from './shared-scope.ts';
import { topicsScopeLabel } from './shared-topics.ts';

export const CTX_UNKNOWN_ACTION = 'unknown `/ctx` command. use `/ctx`, `/ctx set`, or `/ctx clear`.';

/**
 * takopi lets any group member rebind a chat or topic (takopi-behavior.md §17.13). A binding decides
 * which repository every later run works in, so tentacle treats it like the other settings: admins only.
 */
const ADMIN_TEXTS: AdminTexts = {
  missingSender: 'cannot verify sender for context bindings.',
  failed: 'failed to verify context permissions.',
  denied: 'changing context bindings is restricted to group admins.',
};

/**
 * `/ctx`: shows the bound and the resolved project context (with where it came from), binds one with
 * `/ctx set <project> [@branch]` or removes the binding with `/ctx clear`. Inside a forum topic it acts on
 * the topic, whose title follows the binding (`proj @branch`); elsewhere on the chat, whose binding then
 * applies to every message there. In a project's own chat the project is implied (`/ctx set @branch`).
 *
 * @example
 *   // "/ctx set proj @feat/x" in a private chat → "chat bound to `proj @feat/x`"
 */
export const ctxCommand: CommandHandler = async (ctx) => {
  const [action = 'show', ...rest] = splitArgs(ctx.command.args);
  const scope = commandScope(ctx);
  switch (action.toLowerCase()) {
    case 'show':
      return showCtx(ctx, scope);
    case 'set':
      return setCtx(ctx, scope, rest);
    case 'clear':
      return clearCtx(ctx, scope);
    default:
      ctx.reply(CTX_UNKNOWN_ACTION);
  }
};

function showCtx(ctx: CommandContext, scope: CommandScope): void {
  const view = resolveSettingsView(ctx);
  if (!view.ok) {
    ctx.reply(view.error);
    return;
  }
  const bound = scope.name === 'topic' ? view.topic?.context : view.chat.context;
  const lines = [
    `bound ctx: ${formatContext(bound)}`,
    `resolved ctx: ${formatContext(view.context)} (source: ${view.contextSource})`,
  ];
  if (scope.name === 'topic') {
    lines.unshift(`topics: enabled (scope=${topicsScopeLabel(ctx.settings)})`);
    if (!bound && projectChatAlias(ctx.settings, ctx.message.chatId) === undefined) {
      const topicForm = topicUsage(undefined).replace(/^usage: /, '');
      const ctxForm = ctxSetUsage(undefined).replace(/^usage: /, '');
      lines.push(`note: unbound topic — bind with ${topicForm} or ${ctxForm}`);
    }
  } else if (!bound) {
    lines.push(`note: no bound context — bind with ${ctxSetUsage(undefined).replace(/^usage: /, '')}`);
  }
  ctx.reply(lines.join('\n'));
}

async function setCtx(ctx: CommandContext, scope: CommandScope, words: string[]): Promise<void> {
  const projectChat = projectChatAlias(ctx.settings, ctx.message.chatId);
  // A topic of a project chat belongs to that project. A chat binding may name any project; `@branch`
  // alone means the chat's own project, else `default_project`.
  const implied =
    scope.name === 'topic' ? projectChat : (projectChat ?? ctx.settings.default_project ?? undefined);
  const usage = ctxSetUsage(scope.name === 'topic' ? projectChat : undefined);
  if (words.length === 0) return ctx.reply(`error:\n${usage}`);
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  const parsed = parseProjectBranch(words, {
    projects: Object.keys(ctx.settings.projects),
    impliedProject: implied,
    enforceImplied: scope.name === 'topic',
  });
  if (!parsed.ok) return ctx.reply(`error:\n${parsed.error}\n${usage}`);
  if (scope.name === 'topic') await bindTopic(ctx, scope.key, parsed.context);
  else ctx.prefs.update(scope.key, { context: parsed.context });
  ctx.reply(`${scope.name} bound to \`${formatContext(parsed.context)}\``);
}

/** Binds the topic and renames it to match, calling Telegram only when the title really changes. */
async function bindTopic(ctx: CommandContext, key: string, context: ProjectContext): Promise<void> {
  const before = ctx.prefs.update(key, { context }) as ScopePrefs;
  const title = formatContext(context);
  if (before.topic_title === title) return;
  try {
    await ctx.renameTopic(title);
  } catch {
    // Not shown to the user (takopi §5); the title stays unrecorded so the next binding tries again.
    return;
  }
  ctx.prefs.update(key, { topic_title: title });
}

async function clearCtx(ctx: CommandContext, scope: CommandScope): Promise<void> {
  if (!(await requireAdmin(ctx, ADMIN_TEXTS))) return;
  ctx.prefs.update(scope.key, { context: undefined });
  ctx.reply(scope.name === 'topic' ? 'topic binding cleared.' : 'chat context cleared.');
}
