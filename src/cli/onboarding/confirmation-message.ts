import type { WorkflowPreset } from './workflows.ts';

/**
 * The message the wizard sends to the captured chat once the config is saved: how to talk to
 * tentacle in the chosen workflow.
 *
 * @example
 *   confirmationMessage(WORKFLOW_PRESETS.handoff).split('\n')[0] // 'tentacle is configured and ready.'
 */
export function confirmationMessage(preset: WorkflowPreset): string {
  const lines = ['tentacle is configured and ready.', ''];
  if (preset.session_mode === 'chat') {
    lines.push(
      'chat sessions:',
      '- send a message to start',
      '- send another message to continue the same session',
      '- reply to an older answer to branch from there',
      '- /new starts a fresh session',
    );
  } else {
    lines.push(
      'reply to continue:',
      '- send a message to start',
      '- reply to an answer to continue that session',
    );
  }
  if (preset.topics.enabled) {
    lines.push(
      '',
      'topics:',
      '- /topic <project> @<branch> opens a topic for a project and branch',
      '- /ctx shows or changes what a topic is bound to',
      '- /new resets the topic’s session',
    );
  }
  lines.push('', 'tip: /agent set <engine> picks the default agent for this chat or topic');
  if ((preset.session_mode === 'chat' || preset.topics.enabled) && !preset.show_resume_line) {
    lines.push('', 'resume lines are hidden; set show_resume_line = true to show them.');
  }
  return lines.join('\n');
}
