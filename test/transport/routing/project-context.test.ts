import { describe, expect, it } from 'vitest';
import {
  type ProjectContextInput,
  type ProjectContextResult,
  resolveProjectContext,
  UNBOUND_TOPIC_ERROR,
} from '../../../src/transport/routing/project-context.ts';

const projects = ['alpha', 'beta', 'gamma'];

describe('resolveProjectContext', () => {
  it.each<[string, Omit<ProjectContextInput, 'projects'>, ProjectContextResult]>([
    [
      'the reply ctx line over directives',
      { replyText: 'answer\n\nctx: alpha @br', directives: { project: 'beta', branch: 'other' } },
      { ok: true, context: { project: 'alpha', branch: 'br' }, source: 'reply ctx' },
    ],
    [
      'the reply ctx line over bindings and the default',
      { replyText: '`ctx: Alpha`', topicBinding: { project: 'beta', branch: 'x' }, defaultProject: 'gamma' },
      { ok: true, context: { project: 'alpha' }, source: 'reply ctx' },
    ],
    [
      'directives over the ambient context',
      { directives: { project: 'beta', branch: 'feat' }, topicBinding: { project: 'alpha', branch: 'main' } },
      { ok: true, context: { project: 'beta', branch: 'feat' }, source: 'directives' },
    ],
    [
      'the topic binding over the chat binding',
      { topicBinding: { project: 'alpha', branch: 't' }, chatBinding: { project: 'beta', branch: 'c' } },
      { ok: true, context: { project: 'alpha', branch: 't' }, source: 'topic binding' },
    ],
    [
      'the chat binding over the project chat',
      { chatBinding: { project: 'beta', branch: 'c' }, projectChat: 'gamma', defaultProject: 'alpha' },
      { ok: true, context: { project: 'beta', branch: 'c' }, source: 'chat binding' },
    ],
    [
      'the project chat over the default project',
      { projectChat: 'gamma', defaultProject: 'alpha' },
      { ok: true, context: { project: 'gamma' }, source: 'project chat' },
    ],
    [
      'the default project last',
      { defaultProject: 'alpha' },
      { ok: true, context: { project: 'alpha' }, source: 'default project' },
    ],
    ['no context at all', {}, { ok: true, context: undefined, source: 'none' }],
    [
      'the ambient branch when a directive names the same project',
      { directives: { project: 'alpha' }, topicBinding: { project: 'alpha', branch: 'kept' } },
      { ok: true, context: { project: 'alpha', branch: 'kept' }, source: 'directives' },
    ],
    [
      'no ambient branch when a directive names another project',
      { directives: { project: 'beta' }, topicBinding: { project: 'alpha', branch: 'dropped' } },
      { ok: true, context: { project: 'beta' }, source: 'directives' },
    ],
    [
      'a directive branch on the ambient project',
      { directives: { branch: 'feat/x' }, chatBinding: { project: 'beta', branch: 'old' } },
      { ok: true, context: { project: 'beta', branch: 'feat/x' }, source: 'directives' },
    ],
    [
      'a directive branch on the default project',
      { directives: { branch: 'feat/x' }, defaultProject: 'alpha' },
      { ok: true, context: { project: 'alpha', branch: 'feat/x' }, source: 'directives' },
    ],
    [
      'no context for a branch without any project (the run uses the startup cwd)',
      { directives: { branch: 'feat/x' } },
      { ok: true, context: undefined, source: 'none' },
    ],
    [
      'the next layer when a binding names a removed project',
      { topicBinding: { project: 'gone', branch: 'x' }, chatBinding: { project: 'beta' } },
      { ok: true, context: { project: 'beta' }, source: 'chat binding' },
    ],
    [
      'a bound main-chat topic',
      { mainChatTopic: true, topicBinding: { project: 'alpha', branch: 'b' }, defaultProject: 'beta' },
      { ok: true, context: { project: 'alpha', branch: 'b' }, source: 'topic binding' },
    ],
    [
      'directives in an unbound main-chat topic',
      { mainChatTopic: true, directives: { project: 'beta' }, defaultProject: 'alpha' },
      { ok: true, context: { project: 'beta' }, source: 'directives' },
    ],
  ])('takes %s', (_, input, expected) => {
    expect(resolveProjectContext({ projects, ...input })).toEqual(expected);
  });

  it('names the unknown project of a ctx line in its error', () => {
    const result = resolveProjectContext({
      projects,
      replyText: 'ctx: ghost @br',
      directives: { project: 'alpha' },
    });
    expect(result).toEqual({
      ok: false,
      error: "error:\nunknown project 'ghost' in ctx line; start a new thread or add it back to your config",
    });
  });

  it.each<[string, Omit<ProjectContextInput, 'projects'>]>([
    ['with only a default project', { mainChatTopic: true, defaultProject: 'alpha' }],
    [
      'with only a branch directive',
      { mainChatTopic: true, directives: { branch: 'x' }, defaultProject: 'alpha' },
    ],
  ])('refuses an unbound main-chat topic %s', (_, input) => {
    expect(resolveProjectContext({ projects, ...input })).toEqual({ ok: false, error: UNBOUND_TOPIC_ERROR });
  });
});
