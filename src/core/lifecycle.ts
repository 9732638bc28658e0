import { StewardError } from './errors.js';

/**
 * An explicit state machine: one table of allowed transitions. Every lifecycle in the
 * data model (archives, alerts, services, changes…) is defined with this, so an illegal
 * transition is an error rather than a silent write.
 */
export interface Lifecycle<S extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly initial: S;
  canTransition(from: S, to: S): boolean;
  /** Throws E_CONFLICT naming both states when the move is not allowed. */
  assertTransition(from: S, to: S): void;
  nextStates(from: S): readonly S[];
  isTerminal(state: S): boolean;
}

export function defineLifecycle<const S extends string>(spec: {
  name: string;
  initial: S;
  transitions: Record<S, readonly S[]>;
}): Lifecycle<S> {
  const states = Object.keys(spec.transitions) as S[];
  for (const [from, tos] of Object.entries(spec.transitions) as [S, readonly S[]][]) {
    for (const to of tos) {
      if (!(to in spec.transitions)) {
        throw new Error(`lifecycle ${spec.name}: ${from} → ${to} names an unknown state`);
      }
    }
  }
  const lifecycle: Lifecycle<S> = {
    name: spec.name,
    states,
    initial: spec.initial,
    canTransition: (from, to) => spec.transitions[from]?.includes(to) ?? false,
    assertTransition(from, to) {
      if (!lifecycle.canTransition(from, to)) {
        const allowed = spec.transitions[from] ?? [];
        throw new StewardError('E_CONFLICT', `${spec.name}: cannot move from ${from} to ${to}`, {
          hint: allowed.length
            ? `from ${from} the allowed states are: ${allowed.join(', ')}`
            : `${from} is a final state`,
        });
      }
    },
    nextStates: (from) => spec.transitions[from] ?? [],
    isTerminal: (state) => (spec.transitions[state] ?? []).length === 0,
  };
  return lifecycle;
}
