import type { EngineTranslator, ProcessExit } from './adapter.ts';
import type {
  ActionEvent,
  CompletedEvent,
  EngineEvent,
  EngineId,
  JsonObject,
  ResumeToken,
} from './events.ts';

/**
 * The part of every adapter's translation that does not depend on the engine: line hygiene,
 * JSON decoding, the event invariants, and numbered warning notes.
 *
 * An adapter supplies `translate` (one decoded JSON object → events) and `finish` (end-of-stream
 * and exit-code rules). This wrapper guarantees, whatever the engine prints:
 * - blank lines are skipped, surrounding whitespace (including `\r`) is ignored;
 * - a line that is not a JSON object becomes a warning action, never an exception;
 * - an exception in `translate` becomes a warning action naming the engine;
 * - a second `started` is dropped (a different token becomes a warning);
 * - nothing is emitted after `completed`, and `finish` adds nothing once `completed` was seen.
 */
export interface JsonlTranslatorSpec<State> {
  engine: EngineId;
  initialState(): State;
  translate(json: JsonObject, ctx: TranslateContext<State>): EngineEvent[];
  /** Called once at exit when no `completed` was emitted; must return a `completed` last. */
  finish(exit: ProcessExit, ctx: TranslateContext<State>): EngineEvent[];
}

export interface TranslateContext<State> {
  state: State;
  engine: EngineId;
  /** The token announced by `started` so far (or the one the run resumed). */
  resume: ResumeToken | null;
  /** A warning action with a run-unique id `<engine>.note.<n>`. */
  note(message: string, detail?: JsonObject): ActionEvent;
  /** Next value of the run's note counter (shared with other synthetic ids such as thinking blocks). */
  nextNoteNumber(): number;
}

export function createJsonlTranslator<State>(
  spec: JsonlTranslatorSpec<State>,
  resumeValue?: string,
): EngineTranslator {
  let noteCounter = 0;
  let started = false;
  let completed = false;
  const ctx: TranslateContext<State> = {
    state: spec.initialState(),
    engine: spec.engine,
    resume: resumeValue ? { engine: spec.engine, value: resumeValue } : null,
    nextNoteNumber: () => ++noteCounter,
    note: (message, detail = {}) => warningNote(spec.engine, ++noteCounter, message, detail),
  };

  const admit = (events: EngineEvent[]): EngineEvent[] => {
    const out: EngineEvent[] = [];
    for (const event of events) {
      if (completed) break;
      if (event.type === 'started') {
        if (started) {
          if (ctx.resume && event.resume.value !== ctx.resume.value) {
            out.push(
              ctx.note(`${spec.engine} reported a second session id ${event.resume.value}; ignoring it`),
            );
          }
          continue;
        }
        started = true;
        ctx.resume = event.resume;
      }
      if (event.type === 'completed') completed = true;
      out.push(event);
    }
    return out;
  };

  return {
    translateLine(rawLine: string): EngineEvent[] {
      if (completed) return [];
      const line = rawLine.trim();
      if (line === '') return [];
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return admit([ctx.note(`invalid JSON from ${spec.engine}; ignoring line`, { line: clip(line) })]);
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        return admit([ctx.note(`invalid JSON from ${spec.engine}; ignoring line`, { line: clip(line) })]);
      }
      try {
        return admit(spec.translate(json as JsonObject, ctx));
      } catch (error) {
        return admit([
          ctx.note(`${spec.engine} translation error; ignoring event`, {
            error: error instanceof Error ? error.message : String(error),
            type: String((json as JsonObject)['type'] ?? ''),
          }),
        ]);
      }
    },
    finish(exit: ProcessExit): EngineEvent[] {
      if (completed) return [];
      return admit(spec.finish(exit, ctx));
    },
  };
}

export function warningNote(
  engine: EngineId,
  n: number,
  message: string,
  detail: JsonObject = {},
): ActionEvent {
  return {
    type: 'action',
    engine,
    action: { id: `${engine}.note.${n}`, kind: 'warning', title: message, detail },
    phase: 'completed',
    ok: false,
    message,
    level: 'warning',
  };
}

/** The synthetic failed `completed` used by exit-code rules, with the stderr tail appended. */
export function failedCompletion(
  engine: EngineId,
  error: string,
  options: {
    answer?: string;
    resume?: ResumeToken | null;
    usage?: JsonObject | null;
    stderrTail?: string[];
  } = {},
): CompletedEvent {
  const tail = (options.stderrTail ?? []).filter((l) => l.trim() !== '');
  const fullError = tail.length > 0 ? `${error}\n${tail.join('\n')}` : error;
  return {
    type: 'completed',
    engine,
    ok: false,
    answer: options.answer ?? '',
    resume: options.resume ?? null,
    error: fullError,
    usage: options.usage ?? null,
  };
}

function clip(line: string): string {
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
