import { randomUUID } from 'node:crypto';
import type { Settings } from '../config/load-config.ts';
import { ENGINE_IDS, type EngineId } from '../engines/events.ts';
import { RESUME_CODECS } from '../engines/registry.ts';
import type { JobSession, RunJob } from '../machines/topic.types.ts';
import type { PrefsScopes } from './prefs.ts';
import { parseDirectives } from './routing/directives.ts';
import { resolveOverrides, selectEngine } from './routing/engine-selection.ts';
import type { IncomingMessage } from './routing/message-kind.ts';
import { type ProjectContext, resolveProjectContext } from './routing/project-context.ts';
import { resolveResume, stripResumeLines } from './routing/resume-lines.ts';
import { type Lane, resolveLane, type SessionOwnerLookup } from './routing/topic-key.ts';
import { topicScopeFrom, topicsEnabledFor } from './routing/topic-scope.ts';
import { worktreePath } from './routing/worktree-path.ts';

export interface PromptInput {
  message: IncomingMessage;
  /** The prompt text (the message text, with forwarded texts appended). */
  text: string;
  settings: Settings;
  prefs: PrefsScopes;
  bot: { username: string };
  /** The default engine after the `--engine` override. */
  globalEngine: EngineId;
  /** Where runs without a project happen: the bridge's working directory. */
  startupCwd: string;
  /** The sessions index: owning lane and original cwd of an engine session. */
  findSession(engine: EngineId, token: string): { topicKey: string; cwd: string | null } | undefined;
  now: number;
}

export type ResolvedPrompt =
  | {
      ok: true;
      lane: Lane;
      threadId: number | null;
      job: RunJob;
      /** Directives named a project in a forum topic: the topic is (re)bound to it. */
      bindTopic: ProjectContext | undefined;
      /** A worktree the run needs (created by the topic before the run, when missing). */
      worktree: { project: string; branch: string; path: string } | undefined;
    }
  | { ok: false; error: string };

/**
 * Turns a message into a run request, in takopi's order (§2.2, §3, §4): directives from the first
 * line, resume lines in the message then in the replied-to message, the project context, the
 * engine (resume token > directive > topic > chat > project > global), overrides, the lane (topic
 * key) and the working directory. Pure: everything it needs comes in `input`.
 */
export function resolvePrompt(input: PromptInput): ResolvedPrompt {
  const { message, settings, prefs } = input;
  const projects = Object.keys(settings.projects);
  const parsed = parseDirectives(input.text, {
    engines: ENGINE_IDS,
    projects,
    botUsername: input.bot.username,
  });
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const directives = parsed.directives;

  const resume = resolveResume(directives.prompt, message.reply?.text, RESUME_CODECS);
  const prompt = stripResumeLines(directives.prompt, RESUME_CODECS);

  const topicsEnabled = topicsEnabledFor(message.chatId, topicScopeFrom(settings));
  const inTopic = message.threadId !== undefined && topicsEnabled;
  const projectChat = Object.values(settings.projects).find((p) => p.chat_id === message.chatId)?.alias;
  const context = resolveProjectContext({
    projects,
    replyText: message.reply?.text,
    directives: { project: directives.project, branch: directives.branch },
    topicBinding: inTopic ? prefs.topic?.context : undefined,
    chatBinding: prefs.chat.context,
    projectChat,
    defaultProject: settings.default_project,
    mainChatTopic: inTopic && message.chatId === settings.transports.telegram.chat_id,
  });
  if (!context.ok) return { ok: false, error: context.error };
  const project = context.context ? settings.projects[context.context.project] : undefined;

  const choice = selectEngine({
    resume: resume?.token.engine,
    directive: directives.engine,
    topicDefault: inTopic ? prefs.topic?.default_engine : undefined,
    chatDefault: prefs.chat.default_engine,
    projectDefault: (project?.default_engine as EngineId | null | undefined) ?? undefined,
    globalDefault: input.globalEngine,
  });
  const engine = choice.engine;
  const overrides = resolveOverrides(engine, {
    topic: inTopic ? prefs.topic?.overrides : undefined,
    chat: prefs.chat.overrides,
  });

  let cwd = project?.path ?? input.startupCwd;
  let worktree: { project: string; branch: string; path: string } | undefined;
  const branch = context.context?.branch;
  if (project && branch) {
    const path = worktreePath(project, branch);
    if (!path.ok) return { ok: false, error: path.error };
    cwd = path.path;
    worktree = { project: project.alias, branch, path: path.path };
  }

  const findOwner: SessionOwnerLookup = (e, token) => input.findSession(e, token)?.topicKey;
  const lane = resolveLane({
    chatId: message.chatId,
    chatType: message.chatType,
    messageId: message.messageId,
    senderId: message.senderId,
    threadId: message.threadId,
    topicsEnabled,
    sessionMode: settings.transports.telegram.session_mode,
    resume: resume?.token,
    findOwner,
  });

  let session: JobSession = { mode: 'new' };
  if (resume) {
    session = { mode: 'token', token: resume.token.value };
    // A resumed session runs where it was created: opencode hangs and pi prompts elsewhere.
    const known = input.findSession(resume.token.engine, resume.token.value);
    if (known?.cwd) {
      cwd = known.cwd;
      worktree = undefined;
    }
  } else if (lane.kind === 'chat' || lane.kind === 'forum-topic') {
    session = { mode: 'stored' };
  }

  const job: RunJob = {
    jobId: randomUUID(),
    prompt,
    engine,
    session,
    cwd,
    model: overrides.model.value ?? null,
    reasoning: overrides.reasoning.value ?? null,
    context: context.context
      ? { project: context.context.project, branch: context.context.branch ?? null }
      : null,
    worktree: worktree ? { project: worktree.project, branch: worktree.branch } : null,
    userMessageId: message.messageId,
    senderId: message.senderId ?? null,
    placeholderMessageId: null,
    enqueuedAt: input.now,
    origin: 'user',
  };
  const bindTopic =
    inTopic && context.source === 'directives' && context.context !== undefined ? context.context : undefined;
  return {
    ok: true,
    lane,
    threadId: lane.kind === 'forum-topic' ? (message.threadId ?? null) : null,
    job,
    bindTopic,
    worktree,
  };
}
