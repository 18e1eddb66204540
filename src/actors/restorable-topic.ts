import type { AnyActorScope, AnyStateMachine } from 'xstate';
import type { TopicInput } from '../machines/topic.types.ts';

/**
 * XState restores a child actor only as part of restoring its parent, but tentacle persists each
 * topic on its own (one row per topic, restored lazily). This wraps the topic machine so that a
 * topic spawned with `input.restore` starts from that persisted snapshot: restored invoked actors
 * (the engine process) are re-created with their saved input, which is how a lost run is noticed
 * (DESIGN §4).
 *
 * A snapshot that no longer fits the machine makes `onRestoreFailed` decide the fresh input (the
 * topic's durable facts) instead of failing the supervisor.
 */
export function restorableTopicLogic<TMachine extends AnyStateMachine>(
  machine: TMachine,
  onRestoreFailed: (input: TopicInput, error: unknown) => TopicInput,
): TMachine {
  const logic = Object.create(machine) as TMachine;
  logic.getInitialSnapshot = (scope: AnyActorScope, input: TopicInput) => {
    if (input?.restore === undefined) return machine.getInitialSnapshot(scope, input);
    try {
      const snapshot = machine.restoreSnapshot(input.restore as never, scope);
      if (snapshot.status !== 'active') throw new Error(`snapshot status is ${snapshot.status}`);
      return snapshot;
    } catch (error) {
      return machine.getInitialSnapshot(scope, onRestoreFailed(input, error));
    }
  };
  return logic;
}
