import type { EngineId } from '../../engines/events.ts';

/** Where the engine of a run came from; the last five are the labels `/agent` shows. */
export type EngineSource =
  | 'resume token'
  | 'directive'
  | 'topic default'
  | 'chat default'
  | 'project default'
  | 'global default';

/** Every layer that may name an engine, highest first. Unset layers are undefined or null. */
export interface EngineLayers {
  /** The engine of the session being resumed: a session only continues on its own engine. */
  resume?: EngineId | null | undefined;
  /** `/claude …` */
  directive?: EngineId | null | undefined;
  /** `/agent set` inside a forum topic. */
  topicDefault?: EngineId | null | undefined;
  /** `/agent set` in the chat. */
  chatDefault?: EngineId | null | undefined;
  /** `projects.<alias>.default_engine` of the resolved project. */
  projectDefault?: EngineId | null | undefined;
  /** `default_engine` from the config. */
  globalDefault: EngineId;
  /** `tentacle run --engine`: replaces the global default and keeps its label. */
  cliOverride?: EngineId | null | undefined;
}

export interface EngineChoice {
  engine: EngineId;
  source: EngineSource;
}

/**
 * Picks the engine of a run: resume token > directive > topic default > chat default > project default >
 * global default (or the `--engine` override in its place).
 *
 * @example
 *   selectEngine({ directive: 'claude', chatDefault: 'pi', globalDefault: 'codex' })
 *   // → { engine: 'claude', source: 'directive' }
 */
export function selectEngine(layers: EngineLayers): EngineChoice {
  const ordered: Array<[EngineId | null | undefined, EngineSource]> = [
    [layers.resume, 'resume token'],
    [layers.directive, 'directive'],
    [layers.topicDefault, 'topic default'],
    [layers.chatDefault, 'chat default'],
    [layers.projectDefault, 'project default'],
  ];
  for (const [engine, source] of ordered) if (engine) return { engine, source };
  return { engine: layers.cliOverride || layers.globalDefault, source: 'global default' };
}

/** The `/model` and `/reasoning` overrides stored for one engine in one scope. */
export interface EngineOverride {
  model?: string | null | undefined;
  reasoning?: string | null | undefined;
}

export type OverridesByEngine = Partial<Record<EngineId, EngineOverride>>;

/** Where an override came from, as `/model` and `/reasoning` show it. */
export type OverrideSource = 'topic override' | 'chat default' | 'no override';

export interface ResolvedOverride {
  value?: string | undefined;
  source: OverrideSource;
}

/**
 * The model and reasoning overrides that apply to a run on `engine`: a topic's override beats the chat's,
 * field by field (a topic may set only the model and still inherit the chat's reasoning level).
 *
 * @example
 *   resolveOverrides('codex', { topic: { codex: { model: 'o3' } }, chat: { codex: { reasoning: 'high' } } })
 *   // → { model: { value: 'o3', source: 'topic override' }, reasoning: { value: 'high', source: 'chat default' } }
 */
export function resolveOverrides(
  engine: EngineId,
  scopes: { topic?: OverridesByEngine | undefined; chat?: OverridesByEngine | undefined },
): { model: ResolvedOverride; reasoning: ResolvedOverride } {
  const topic = scopes.topic?.[engine];
  const chat = scopes.chat?.[engine];
  const pick = (field: keyof EngineOverride): ResolvedOverride => {
    const fromTopic = topic?.[field];
    if (fromTopic) return { value: fromTopic, source: 'topic override' };
    const fromChat = chat?.[field];
    if (fromChat) return { value: fromChat, source: 'chat default' };
    return { source: 'no override' };
  };
  return { model: pick('model'), reasoning: pick('reasoning') };
}
