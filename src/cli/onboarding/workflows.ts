/**
 * The three ways to use tentacle that the wizard offers. Each is only a preset for
 * `session_mode`, `show_resume_line` and `topics`; every key can be changed later.
 */
export type Workflow = 'assistant' | 'workspace' | 'handoff';

export interface WorkflowPreset {
  session_mode: 'chat' | 'stateless';
  show_resume_line: boolean;
  topics: { enabled: boolean; scope: 'auto' };
}

export const WORKFLOW_PRESETS: Readonly<Record<Workflow, WorkflowPreset>> = {
  // One ongoing conversation per chat; /new starts over.
  assistant: { session_mode: 'chat', show_resume_line: false, topics: { enabled: false, scope: 'auto' } },
  // A forum group: one topic per project and branch, each its own conversation.
  workspace: { session_mode: 'chat', show_resume_line: false, topics: { enabled: true, scope: 'auto' } },
  // Every message starts fresh; reply to an answer (or paste its resume line in a terminal) to continue.
  handoff: { session_mode: 'stateless', show_resume_line: true, topics: { enabled: false, scope: 'auto' } },
};

/** The choices of "how will you use tentacle?", in the order shown. */
export const WORKFLOW_CHOICES: readonly { value: Workflow; label: string; hint: string }[] = [
  { value: 'assistant', label: 'assistant', hint: 'ongoing chat, /new to reset · recommended' },
  { value: 'workspace', label: 'workspace', hint: "projects + branches in forum topics, i'll set those up" },
  { value: 'handoff', label: 'handoff', hint: 'reply to continue, resume lines for the terminal' },
];

/** A short made-up exchange per workflow, shown before the choice. */
export const WORKFLOW_PREVIEWS: Readonly<Record<Workflow, string>> = {
  assistant: [
    '[you] add a dark mode toggle',
    '[bot] done · codex · 9s',
    '[you] make it remember the choice',
    '[bot] done · codex · 5s',
    '[you] /new            ← start fresh',
    '[you] why is the build slow?',
  ].join('\n'),
  workspace: [
    'topics: app @main │ app @feat/login │ docs @main',
    '[you] (in app @feat/login) add rate limiting',
    '[bot] done · codex · 14s',
    '[you] now write the tests',
    '[bot] done · codex · 8s',
  ].join('\n'),
  handoff: [
    '[you] fix the flaky upload test',
    '[bot] done · codex · 11s',
    '      codex resume 0199a2…   ← reply, or paste in a terminal',
    '[you] (reply) also cover retries',
    '[bot] done · codex · 6s',
  ].join('\n'),
};
