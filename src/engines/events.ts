/**
 * The normalized event model every engine adapter produces.
 *
 * An engine's own JSONL is translated into three event types: `started` (the engine told us its
 * session token), `action` (something the agent did, shown as one progress line) and `completed`
 * (the run is over, with the final answer). The rest of tentacle only ever sees these.
 *
 * Invariants (checked by `assertEventInvariants` in tests, for every adapter and fixture):
 * - at most one `started`;
 * - after `started`, exactly one `completed`, and it is the last event;
 * - action ids are stable across the phases of one action and unique per action within a run;
 * - events come in the order the engine produced them.
 *
 * Every type here is plain JSON so events can be persisted and sent between actors as they are.
 */

/** The engines tentacle knows how to drive, by the name of their CLI binary. */
export const ENGINE_IDS = ['codex', 'claude', 'opencode', 'pi'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export function isEngineId(value: string): value is EngineId {
  return (ENGINE_IDS as readonly string[]).includes(value);
}

/** A session token of one engine: what `codex resume <value>` (and the like) resumes. */
export interface ResumeToken {
  engine: EngineId;
  value: string;
}

export const ACTION_KINDS = [
  'command',
  'tool',
  'file_change',
  'web_search',
  'subagent',
  'note',
  'turn',
  'warning',
  'telemetry',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export type ActionPhase = 'started' | 'updated' | 'completed';
export type ActionLevel = 'debug' | 'info' | 'warning' | 'error';

/** JSON value, as found in `detail`, `meta` and `usage`. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Action {
  /** Stable for every phase of the same action, unique within the run. */
  id: string;
  kind: ActionKind;
  /** One line shown in the progress message (markdown allowed, e.g. a command in backticks). */
  title: string;
  detail: JsonObject;
}

export interface StartedEvent {
  type: 'started';
  engine: EngineId;
  resume: ResumeToken;
  title?: string | null;
  meta?: JsonObject | null;
}

export interface ActionEvent {
  type: 'action';
  engine: EngineId;
  action: Action;
  phase: ActionPhase;
  ok?: boolean | null;
  message?: string | null;
  level?: ActionLevel | null;
}

export interface CompletedEvent {
  type: 'completed';
  engine: EngineId;
  ok: boolean;
  /** The final answer, markdown. May be empty. */
  answer: string;
  resume?: ResumeToken | null;
  error?: string | null;
  usage?: JsonObject | null;
}

export type EngineEvent = StartedEvent | ActionEvent | CompletedEvent;
