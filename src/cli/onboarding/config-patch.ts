import { stringify as stringifyToml } from 'smol-toml';
import type { EngineId } from '../../engines/events.ts';
import { DEFAULT_API_ROOT } from '../../transport/telegram-client.ts';
import { isTable } from '../toml-literal.ts';
import type { WorkflowPreset } from './workflows.ts';

/** What the wizard learned. */
export interface WizardAnswers {
  token: string;
  chatId: number;
  preset: WorkflowPreset;
  /** Null when no engine is installed and the user saved anyway. */
  defaultEngine: EngineId | null;
  /** The Bot API root the wizard used; written only when it is not Telegram's. */
  apiRoot: string;
}

export interface ConfigSet {
  path: string[];
  value: unknown;
}

/**
 * The leaves the wizard writes. Everything else in an existing config (projects, engine tables,
 * files, voice, comments) is left as it was.
 */
export function answerSets(answers: WizardAnswers, token = answers.token): ConfigSet[] {
  const telegram = ['transports', 'telegram'];
  const sets: ConfigSet[] = [];
  if (answers.defaultEngine !== null) sets.push({ path: ['default_engine'], value: answers.defaultEngine });
  sets.push(
    { path: ['transport'], value: 'telegram' },
    { path: [...telegram, 'bot_token'], value: token },
    { path: [...telegram, 'chat_id'], value: answers.chatId },
  );
  if (answers.apiRoot !== DEFAULT_API_ROOT)
    sets.push({ path: [...telegram, 'api_root'], value: answers.apiRoot });
  sets.push(
    { path: [...telegram, 'session_mode'], value: answers.preset.session_mode },
    { path: [...telegram, 'show_resume_line'], value: answers.preset.show_resume_line },
    { path: [...telegram, 'topics', 'enabled'], value: answers.preset.topics.enabled },
    { path: [...telegram, 'topics', 'scope'], value: answers.preset.topics.scope },
  );
  return sets;
}

/** `existing` with the sets applied (tables created as needed); `existing` is not changed. */
export function applySets(
  existing: Record<string, unknown>,
  sets: readonly ConfigSet[],
): Record<string, unknown> {
  const merged = structuredClone(existing);
  for (const { path, value } of sets) {
    let node = merged;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (!isTable(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return merged;
}

/** The config the wizard is about to write, token masked, for the confirmation step. */
export function previewConfig(answers: WizardAnswers): string {
  return stringifyToml(applySets({}, answerSets(answers, maskToken(answers.token)))).trim();
}

/**
 * Enough of a token to recognize it, never enough to use it: the bot id (public anyway) and the
 * last characters of a full-length secret.
 *
 * @example
 *   maskToken('123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw') // '123456789:...Dsaw'
 *   maskToken('123:short') // '123:****'
 */
export function maskToken(token: string): string {
  const trimmed = token.trim();
  const colon = trimmed.indexOf(':');
  const id = colon >= 0 ? trimmed.slice(0, colon) : '';
  const secret = colon >= 0 ? trimmed.slice(colon + 1) : trimmed;
  return `${id}:${secret.length >= 20 ? `...${secret.slice(-4)}` : '****'}`;
}
