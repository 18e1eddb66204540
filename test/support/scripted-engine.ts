import { fromCallback } from 'xstate';
import type { CompletedEvent, EngineId, StartedEvent } from '../../src/engines/events.ts';
import type { EngineProcessEventForTopic, EngineRunInput } from '../../src/machines/topic.types.ts';

/** One invocation of the scripted engine: what it was asked, and a handle to answer as the engine. */
export interface ScriptedRun {
  input: EngineRunInput;
  received: string[];
  stopped: boolean;
  send(event: EngineProcessEventForTopic): void;
  /** started → completed with `answer`. */
  finish(answer: string, token?: string): void;
}

/**
 * A stand-in for the engine process actor in pure machine tests: records each invocation and lets
 * the test play the engine's part. (Runtime and end-to-end tests use the real actor and real
 * processes.)
 */
export function scriptedEngine(options: { bootId?: string } = {}) {
  const runs: ScriptedRun[] = [];
  const lost: EngineRunInput[] = [];
  const logic = fromCallback<{ type: string }, EngineRunInput>(({ input, sendBack, receive }) => {
    // Like the real actor: an instance restored from an earlier boot never spawns, it reports the loss.
    if (options.bootId !== undefined && input.bootId !== options.bootId) {
      lost.push(input);
      sendBack({ type: 'ENGINE.LOST', runId: input.runId });
      return;
    }
    const run: ScriptedRun = {
      input,
      received: [],
      stopped: false,
      send: (event) => sendBack(event),
      finish: (answer, token = `tok-${input.runId}`) => {
        run.send({ type: 'ENGINE.STARTED', runId: input.runId, event: started(input.engine, token) });
        run.send({
          type: 'ENGINE.COMPLETED',
          runId: input.runId,
          event: completed(input.engine, answer, token),
        });
      },
    };
    receive((event) => run.received.push(event.type));
    runs.push(run);
    return () => {
      run.stopped = true;
    };
  });
  return { logic, runs, lost };
}

export function started(engine: EngineId, token: string): StartedEvent {
  return { type: 'started', engine, resume: { engine, value: token }, title: null, meta: null };
}

export function completed(engine: EngineId, answer: string, token: string | null, ok = true): CompletedEvent {
  return {
    type: 'completed',
    engine,
    ok,
    answer,
    resume: token ? { engine, value: token } : null,
    error: ok ? null : 'failed',
    usage: null,
  };
}
