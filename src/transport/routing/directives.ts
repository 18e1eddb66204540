import type { EngineId } from '../../engines/events.ts';
import { isBotUsername } from './bot-mention.ts';

/** What the leading directives of a prompt asked for. */
export interface Directives {
  engine?: EngineId | undefined;
  /** The project alias as configured (lowercase). */
  project?: string | undefined;
  branch?: string | undefined;
  /** True when a leading `@botname` mention was removed. */
  mentionedBot: boolean;
  /** The prompt with the directives removed; `continue` when the message held nothing else. */
  prompt: string;
}

export interface DirectiveOptions {
  engines: readonly EngineId[];
  /** Configured project aliases. */
  projects: readonly string[];
  /** This bot's username, when known: decides which `@suffix` and which `@mention` are ours. */
  botUsername?: string | undefined;
}

export type DirectivesResult = { ok: true; directives: Directives } | { ok: false; error: string };

/** The prompt given to an engine when a message held only directives (takopi's wording). */
export const CONTINUE_PROMPT = 'continue';

/**
 * Reads the directives at the start of the first non-empty line: `/<engine>`, `/<project>` and
 * `@<branch>`, in any order, at most one of each. Parsing stops at the first token that is none of
 * them, so `/claude fix /this/path` keeps `/this/path`. Names match case-insensitively. The rest of the
 * first line is kept as written and the other lines are kept untouched.
 *
 * Decisions where takopi has a quirk (takopi-behavior.md §17.6):
 * - a leading `@botname` (this bot) is a mention, not a branch: it is removed and sets `mentionedBot`;
 * - `/engine@suffix` is a directive when the suffix is this bot, or when the bot's username is not known
 *   yet (takopi strips any suffix); `/claude@otherbot` is addressed to another bot and ends the directives.
 *
 * @example
 *   parseDirectives('/claude /proj @feat/x fix it', { engines: ['claude'], projects: ['proj'] })
 *   // → { ok: true, directives: { engine: 'claude', project: 'proj', branch: 'feat/x', prompt: 'fix it', … } }
 *   parseDirectives('/codex /claude hi', { engines: ['codex', 'claude'], projects: [] })
 *   // → { ok: false, error: 'error:\nmultiple engine directives' }
 */
export function parseDirectives(text: string, options: DirectiveOptions): DirectivesResult {
  const none: Directives = { mentionedBot: false, prompt: text };
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => line.trim() !== '');
  if (index < 0) return { ok: true, directives: none };
  const line = lines[index]!;

  const engines = new Map(options.engines.map((engine) => [engine.toLowerCase(), engine]));
  const projects = new Map(options.projects.map((alias) => [alias.toLowerCase(), alias]));
  const found: Directives = { mentionedBot: false, prompt: '' };
  let consumedTo = 0;
  let consumedAny = false;

  for (const token of line.matchAll(/\S+/g)) {
    const word = token[0];
    const kind = classifyToken(word, engines, projects, options.botUsername);
    if (kind.type === 'stop') break;
    if (kind.type === 'engine') {
      if (found.engine !== undefined) return duplicate('engine');
      found.engine = kind.engine;
    } else if (kind.type === 'project') {
      if (found.project !== undefined) return duplicate('project');
      found.project = kind.project;
    } else if (kind.type === 'branch') {
      if (found.branch !== undefined) return duplicate('@branch');
      found.branch = kind.branch;
    } else {
      found.mentionedBot = true;
    }
    consumedAny = true;
    consumedTo = token.index + word.length;
  }

  if (!consumedAny) return { ok: true, directives: none };
  const rest = line.slice(consumedTo).trim();
  if (rest === '') lines.splice(index, 1);
  else lines[index] = rest;
  const prompt = lines.join('\n').trim();
  return { ok: true, directives: { ...found, prompt: prompt === '' ? CONTINUE_PROMPT : prompt } };
}

type TokenKind =
  | { type: 'engine'; engine: EngineId }
  | { type: 'project'; project: string }
  | { type: 'branch'; branch: string }
  | { type: 'mention' }
  | { type: 'stop' };

function classifyToken(
  word: string,
  engines: Map<string, EngineId>,
  projects: Map<string, string>,
  botUsername: string | undefined,
): TokenKind {
  if (word.startsWith('/')) {
    const [name = '', suffix] = word.slice(1).split('@', 2);
    if (name === '') return { type: 'stop' };
    if (suffix !== undefined && botUsername && !isBotUsername(suffix, botUsername)) return { type: 'stop' };
    const key = name.toLowerCase();
    const engine = engines.get(key);
    if (engine !== undefined) return { type: 'engine', engine };
    const project = projects.get(key);
    if (project !== undefined) return { type: 'project', project };
    return { type: 'stop' };
  }
  if (word.startsWith('@')) {
    const value = word.slice(1);
    if (value === '') return { type: 'stop' };
    if (isBotUsername(value, botUsername)) return { type: 'mention' };
    return { type: 'branch', branch: value };
  }
  return { type: 'stop' };
}

function duplicate(kind: 'engine' | 'project' | '@branch'): DirectivesResult {
  return { ok: false, error: `error:\nmultiple ${kind} directives` };
}
