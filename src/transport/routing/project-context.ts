import { parseContextLine } from './context-line.ts';

/** A project and maybe a branch: where a run works. */
export interface ProjectContext {
  /** The configured alias (lowercase). */
  project: string;
  branch?: string | undefined;
}

/** Where the resolved context came from, as `/ctx` shows it. */
export type ContextSource =
  | 'reply ctx'
  | 'directives'
  | 'topic binding'
  | 'chat binding'
  | 'project chat'
  | 'default project'
  | 'none';

export interface ProjectContextInput {
  /** Configured project aliases. */
  projects: readonly string[];
  /** Text of the replied-to message (its `ctx:` line, if any). */
  replyText?: string | undefined;
  /** `/project` and `@branch` directives of the message. */
  directives?: { project?: string | undefined; branch?: string | undefined } | undefined;
  /** The forum topic's binding (`/topic`, `/ctx set` in the topic, or an earlier directive there). */
  topicBinding?: ProjectContext | null | undefined;
  /** The chat's `/ctx set` binding. */
  chatBinding?: ProjectContext | null | undefined;
  /** The project whose `chat_id` is this chat. */
  projectChat?: string | null | undefined;
  /** `default_project` from the config. */
  defaultProject?: string | null | undefined;
  /**
   * A topic message in the main chat with topics enabled there: `default_project` does not apply and,
   * with no other project, the message is refused with UNBOUND_TOPIC_ERROR.
   */
  mainChatTopic?: boolean | undefined;
}

export type ProjectContextResult =
  | { ok: true; context: ProjectContext | undefined; source: ContextSource }
  | { ok: false; error: string };

/** The reply to a prompt in a main-chat topic that has no project (takopi's wording, verbatim). */
export const UNBOUND_TOPIC_ERROR =
  "this topic isn't bound to a project yet.\nusage: `/ctx set <project> [@branch]` or usage: `/topic <project> @branch`";

/**
 * Resolves the project and branch of a run, in order:
 * 1. the `ctx:` line of the replied-to message — then `/project` and `@branch` directives are ignored, and a
 *    project no longer configured is an error;
 * 2. the directives;
 * 3. the ambient context: the topic binding, then the chat `/ctx` binding, then the chat's own project;
 * 4. `default_project` (never in a main-chat forum topic, which must be bound instead).
 * An `@branch` directive applies to whichever project was found; the ambient branch is kept only when the
 * ambient project is the project in use. With no project a branch is dropped and the run happens in the
 * bridge's working directory. The source is `directives` whenever a directive shaped the result.
 *
 * Decision: a binding that names a project removed from the config is skipped rather than failing every
 * message in that chat; the next layer applies.
 *
 * @example
 *   resolveProjectContext({ projects: ['proj'], directives: { branch: 'feat/x' }, defaultProject: 'proj' })
 *   // → { ok: true, context: { project: 'proj', branch: 'feat/x' }, source: 'directives' }
 */
export function resolveProjectContext(input: ProjectContextInput): ProjectContextResult {
  const known = new Map(input.projects.map((alias) => [alias.toLowerCase(), alias]));
  const lookup = (name: string | null | undefined) => (name ? known.get(name.toLowerCase()) : undefined);

  const fromReply = parseContextLine(input.replyText);
  if (fromReply) {
    const project = lookup(fromReply.project);
    if (project === undefined) {
      return {
        ok: false,
        error: `error:\nunknown project '${fromReply.project}' in ctx line; start a new thread or add it back to your config`,
      };
    }
    return { ok: true, context: withBranch(project, fromReply.branch), source: 'reply ctx' };
  }

  const ambientLayers: Array<[ProjectContext | null | undefined, ContextSource]> = [
    [input.topicBinding, 'topic binding'],
    [input.chatBinding, 'chat binding'],
    [input.projectChat ? { project: input.projectChat } : undefined, 'project chat'],
  ];
  let ambient: { project: string; branch?: string | undefined; source: ContextSource } | undefined;
  for (const [binding, source] of ambientLayers) {
    const project = lookup(binding?.project);
    if (binding && project !== undefined) {
      ambient = { project, branch: binding.branch, source };
      break;
    }
  }

  const directiveProject = lookup(input.directives?.project);
  const directiveBranch = input.directives?.branch || undefined;
  let project: string | undefined;
  let branch: string | undefined;
  let source: ContextSource;
  if (directiveProject !== undefined) {
    project = directiveProject;
    branch = directiveBranch ?? (ambient?.project === project ? ambient.branch : undefined);
    source = 'directives';
  } else if (ambient) {
    project = ambient.project;
    branch = directiveBranch ?? ambient.branch;
    source = directiveBranch ? 'directives' : ambient.source;
  } else {
    project = input.mainChatTopic ? undefined : lookup(input.defaultProject);
    branch = directiveBranch;
    source = directiveBranch ? 'directives' : 'default project';
  }

  if (project === undefined) {
    if (input.mainChatTopic) return { ok: false, error: UNBOUND_TOPIC_ERROR };
    return { ok: true, context: undefined, source: 'none' };
  }
  return { ok: true, context: withBranch(project, branch), source };
}

function withBranch(project: string, branch: string | undefined): ProjectContext {
  return branch ? { project, branch } : { project };
}
