import type {
  ActionEvent,
  ActionKind,
  ActionPhase,
  EngineEvent,
  EngineId,
  Json,
  JsonObject,
  ResumeToken,
} from './events.ts';

/**
 * What the progress and final messages of one run need to know, folded from its engine events.
 *
 * Plain JSON and bounded, so it can sit in a topic's persisted context and be rewritten on every
 * event: a run of 100,000 events keeps the same handful of lines as a run of ten.
 */
export interface ProgressState {
  engine: EngineId;
  /** The session token, once `started` (or `completed`) announced it. */
  resume: ResumeToken | null;
  /** Action lines in the order their ids were first seen, the latest `MAX_PROGRESS_LINES` of them. */
  lines: ProgressLine[];
  /** Distinct actions seen, `turn` actions excepted: the header's `step N`. */
  step: number;
  /** Ids pushed out of `lines` before they completed, so their later events are not counted again. */
  evictedOpenIds: string[];
  /** Text of the latest warnings (warning actions, warning- or error-level actions). */
  warnings: string[];
  /** Set by `completed`. The answer is not kept here: the final layout takes it from the event. */
  outcome: { ok: boolean; error: string | null } | null;
  /** Number of events applied. */
  events: number;
}

/** One action as the progress message shows it. */
export interface ProgressLine {
  id: string;
  kind: ActionKind;
  /** Markdown as the adapter produced it, bounded by `MAX_TITLE_LENGTH`. */
  title: string;
  phase: ActionPhase;
  /** The latest `ok` the engine reported for this action, null when it said nothing. */
  ok: boolean | null;
  /** `detail.exit_code` when it is an integer. */
  exitCode: number | null;
  /** The first `MAX_FILE_CHANGES` entries of `detail.changes`, for `files: update a.py, …`. */
  changes: FileChange[];
  /** How many entries `detail.changes` had in total. */
  changeCount: number;
}

export interface FileChange {
  path: string;
  /** `add`, `delete` or `update` (anything else is shown as `update`). */
  kind: string;
}

export const MAX_PROGRESS_LINES = 20;
export const MAX_TITLE_LENGTH = 1000;
export const MAX_FILE_CHANGES = 3;
const MAX_WARNINGS = 10;
const MAX_WARNING_LENGTH = 500;
const MAX_EVICTED_OPEN_IDS = 100;
const MAX_ERROR_LENGTH = 4000;

/**
 * The state of a run before any event arrived.
 *
 * @example
 * initialProgress('codex'); // → { engine: 'codex', resume: null, lines: [], step: 0, … }
 */
export function initialProgress(engine: EngineId): ProgressState {
  return {
    engine,
    resume: null,
    lines: [],
    step: 0,
    evictedOpenIds: [],
    warnings: [],
    outcome: null,
    events: 0,
  };
}

/**
 * Folds one engine event into the state; never mutates `state`.
 *
 * An action id seen before replaces its line in place (phase, ok, exit code, title); a new id is
 * appended and counted as a step unless it is a `turn`. The resume token is taken from the first
 * event that carries one.
 *
 * @example
 * let state = initialProgress('codex');
 * state = applyEngineEvent(state, { type: 'started', engine: 'codex', resume: { engine: 'codex', value: 't1' } });
 * state = applyEngineEvent(state, {
 *   type: 'action', engine: 'codex', phase: 'started',
 *   action: { id: 'a', kind: 'command', title: 'ls', detail: {} },
 * });
 * state.step; // → 1
 */
export function applyEngineEvent(state: ProgressState, event: EngineEvent): ProgressState {
  const events = state.events + 1;
  switch (event.type) {
    case 'started':
      return { ...state, events, resume: state.resume ?? event.resume };
    case 'completed':
      return {
        ...state,
        events,
        resume: state.resume ?? event.resume ?? null,
        outcome: { ok: event.ok, error: event.error ? clip(event.error, MAX_ERROR_LENGTH) : null },
      };
    case 'action':
      return { ...applyAction(state, event), events };
  }
}

function applyAction(state: ProgressState, event: ActionEvent): ProgressState {
  const warnings = isWarning(event)
    ? [...state.warnings, clip(event.message || event.action.title, MAX_WARNING_LENGTH)].slice(-MAX_WARNINGS)
    : state.warnings;
  const { action } = event;
  if (action.kind === 'turn') return warnings === state.warnings ? state : { ...state, warnings };

  const index = state.lines.findIndex((line) => line.id === action.id);
  if (index >= 0) {
    const lines = [...state.lines];
    lines[index] = toLine(event, state.lines[index]);
    return { ...state, lines, warnings };
  }
  if (state.evictedOpenIds.includes(action.id)) {
    // Its line is gone already; only forget it once it completes.
    const evictedOpenIds =
      event.phase === 'completed'
        ? state.evictedOpenIds.filter((id) => id !== action.id)
        : state.evictedOpenIds;
    return { ...state, evictedOpenIds, warnings };
  }

  const lines = [...state.lines, toLine(event, undefined)];
  let evictedOpenIds = state.evictedOpenIds;
  while (lines.length > MAX_PROGRESS_LINES) {
    const evicted = lines.shift()!;
    if (evicted.phase !== 'completed')
      evictedOpenIds = [...evictedOpenIds, evicted.id].slice(-MAX_EVICTED_OPEN_IDS);
  }
  return { ...state, lines, evictedOpenIds, warnings, step: state.step + 1 };
}

function toLine(event: ActionEvent, previous: ProgressLine | undefined): ProgressLine {
  const { action } = event;
  const changes = fileChanges(action.detail);
  const exitCode = action.detail.exit_code;
  return {
    id: action.id,
    kind: action.kind,
    title: clip(action.title, MAX_TITLE_LENGTH),
    phase: event.phase,
    ok: typeof event.ok === 'boolean' ? event.ok : (previous?.ok ?? null),
    exitCode:
      typeof exitCode === 'number' && Number.isInteger(exitCode) ? exitCode : (previous?.exitCode ?? null),
    changes: changes ? changes.slice(0, MAX_FILE_CHANGES) : (previous?.changes ?? []),
    changeCount: changes ? changes.length : (previous?.changeCount ?? 0),
  };
}

function fileChanges(detail: JsonObject): FileChange[] | null {
  const raw = detail.changes;
  if (!Array.isArray(raw)) return null;
  const changes: FileChange[] = [];
  for (const entry of raw) {
    if (!isObject(entry) || typeof entry.path !== 'string' || entry.path === '') continue;
    changes.push({
      path: clip(entry.path, MAX_WARNING_LENGTH),
      kind: typeof entry.kind === 'string' ? entry.kind : 'update',
    });
  }
  return changes.length > 0 ? changes : null;
}

function isWarning(event: ActionEvent): boolean {
  return event.action.kind === 'warning' || event.level === 'warning' || event.level === 'error';
}

/** At most `max` UTF-16 units, never ending on half a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
