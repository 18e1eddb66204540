import type { EngineTranslator, ProcessExit, RunRequest } from './adapter.ts';
import type { ActionEvent, EngineEvent, EngineId } from './events.ts';

/**
 * Wraps a translator so `prelude` comes out first, before anything the engine prints.
 *
 * @example
 * withPrelude(translator, reasoningPrelude('claude', { reasoning: 'high', prompt, cwd }));
 */
export function withPrelude(translator: EngineTranslator, prelude: EngineEvent[]): EngineTranslator {
  let pending = prelude;
  const take = (): EngineEvent[] => {
    const out = pending;
    pending = [];
    return out;
  };
  return {
    translateLine: (line) => [...take(), ...translator.translateLine(line)],
    finish: (exit) => [...take(), ...translator.finish(exit)],
  };
}

/**
 * The note that a `/reasoning` override is ignored, for engines without a reasoning setting; empty
 * when the request has no override.
 */
export function reasoningPrelude(engine: EngineId, request: Pick<RunRequest, 'reasoning'>): ActionEvent[] {
  if (!request.reasoning) return [];
  const title = `reasoning override is not supported for \`${engine}\`; ignoring.`;
  return [
    {
      type: 'action',
      engine,
      action: { id: `${engine}.override.reasoning`, kind: 'note', title, detail: {} },
      phase: 'completed',
      ok: true,
      message: null,
      level: null,
    },
  ];
}

/** `rc=N`, or `signal SIGTERM` when the process was killed. */
export function describeExit(exit: ProcessExit): string {
  return exit.code !== null ? `rc=${exit.code}` : `signal ${exit.signal ?? 'unknown'}`;
}
