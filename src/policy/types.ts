/** The guardrail's vocabulary: per action, apply automatically, wait for a person, or refuse. */
import type { ActionKind, PlannedAction } from '../agent/actions.js';

export type PolicyVerdict = 'auto' | 'approve' | 'deny';

/** `policy:` in agentic-etl.yaml: a verdict per action kind; unset kinds take the safe defaults. */
export type PolicyConfig = Partial<Record<ActionKind, PolicyVerdict>>;

export interface Decision {
  planned: PlannedAction;
  verdict: PolicyVerdict;
  /** Why: the config key, the contract's evolution rule or the hard rule that decided. */
  reason: string;
}
