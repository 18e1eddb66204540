import type { AnyStateMachine } from 'xstate';

/** One transition as the page draws it. */
export interface ChartTransition {
  /** The event (`ENGINE.COMPLETED`), `always`, or `done: terminateOrphan` for an invoked actor's end. */
  event: string;
  /** State ids it goes to; empty for a transition that stays (actions only). */
  targets: string[];
  /** The named guard, `guarded` for an inline one, null when unguarded. */
  guard: string | null;
  /** Named actions (inline assignments are left out). */
  actions: string[];
}

/** A state node of a machine definition, drawn as a box. */
export interface ChartNode {
  /** Full id, e.g. `topic.running.engine`. */
  id: string;
  /** The node's own name, e.g. `engine`. */
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the initial child state. */
  initial: string | null;
  /** Actors invoked while in this state, by their registered name. */
  invokes: string[];
  transitions: ChartTransition[];
  children: ChartNode[];
}

/**
 * The drawable shape of a machine definition (`topicMachine.root`): states nested as they are
 * declared, each with its transitions, guards, named actions and invoked actors.
 *
 * @example
 *   chartOf(topicMachine).children.map((c) => c.key) // ['idle', 'running', 'resuming']
 */
export function chartOf(machine: AnyStateMachine): ChartNode {
  return nodeOf(machine.root as unknown as StateNodeLike);
}

interface TransitionLike {
  target?: readonly { id: string }[] | undefined;
  guard?: unknown;
  actions: readonly unknown[];
}

interface StateNodeLike {
  id: string;
  key: string;
  type: ChartNode['type'];
  initial?: { target: readonly { id: string }[] } | undefined;
  invoke: readonly { src: unknown; id: string }[];
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[] | undefined;
  states: Record<string, StateNodeLike>;
}

function nodeOf(node: StateNodeLike): ChartNode {
  const invokes = node.invoke.map((invoke) => (typeof invoke.src === 'string' ? invoke.src : invoke.id));
  const byInvokeId = new Map(node.invoke.map((invoke, i) => [invoke.id, invokes[i]!]));
  const transitions: ChartTransition[] = [];
  for (const [eventType, list] of node.transitions) {
    for (const transition of list)
      transitions.push(transitionOf(eventLabel(eventType, byInvokeId), transition));
  }
  for (const transition of node.always ?? []) transitions.push(transitionOf('always', transition));
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    initial: node.initial?.target[0]?.id ?? null,
    invokes,
    transitions,
    children: Object.values(node.states).map(nodeOf),
  };
}

function transitionOf(event: string, transition: TransitionLike): ChartTransition {
  return {
    event,
    targets: (transition.target ?? []).map((target) => target.id),
    guard: guardName(transition.guard),
    actions: transition.actions.flatMap((action) => {
      const name = actionName(action);
      return name ? [name] : [];
    }),
  };
}

/** `xstate.done.actor.<invoke id>` reads better as `done: <actor name>`. */
function eventLabel(eventType: string, byInvokeId: Map<string, string>): string {
  const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (match) return `${match[1]}: ${byInvokeId.get(match[2]!) ?? match[2]}`;
  return eventType;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') {
    return (guard as { type: string }).type;
  }
  return 'guarded';
}

/** Named actions only: XState's built-ins (assign, sendTo…) are implementation, not behaviour. */
function actionName(action: unknown): string | null {
  if (typeof action === 'string') return action;
  if (action && typeof action === 'object' && typeof (action as { type?: unknown }).type === 'string') {
    return (action as { type: string }).type;
  }
  return null;
}

/** The ids of the active state nodes for a state value: `{ running: 'engine' }` → topic.running, topic.running.engine. */
export function activeStateIds(rootId: string, value: unknown): string[] {
  const ids: string[] = [rootId];
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'string') {
      ids.push(`${prefix}.${v}`);
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const [key, child] of Object.entries(v)) {
      ids.push(`${prefix}.${key}`);
      walk(`${prefix}.${key}`, child);
    }
  };
  walk(rootId, value);
  return ids;
}
