/**
 * The ground-truth vocabulary of the chaos monkey: which deviation a record carries (a
 * label), and what the ingestion core must make of it (an expectation with the reason
 * kinds the sensor should report). Expectations assume the contract of contract.ts with
 * its default `coercion: lossless`, and no healing yet.
 */
import type { ReasonKind } from '../sensor/types.js';

/** Sporadic poison pills: at most one per record, independent of the record's neighbours. */
export type FaultKind =
  | 'unknown_column'
  | 'wrong_type'
  | 'coercible_amount'
  | 'coercible_user_id'
  | 'missing_required'
  | 'enum_violation'
  | 'null_required'
  | 'nested_object'
  | 'malformed_json'
  | 'negative_amount'
  | 'truncated_last_line';

/** Every fault kind, in a stable order. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'unknown_column',
  'wrong_type',
  'coercible_amount',
  'coercible_user_id',
  'missing_required',
  'enum_violation',
  'null_required',
  'nested_object',
  'malformed_json',
  'negative_amount',
  'truncated_last_line',
];

/** Sustained drift: from a given file on, the producer changed and every affected record shows it. */
export type DriftKind = 'new_column' | 'int_to_float' | 'rename' | 'new_enum_value' | 'incompatible_type';

/** Every drift kind, in the order drifts are applied to a record (see drift.ts). */
export const DRIFT_KINDS: readonly DriftKind[] = ['new_enum_value', 'int_to_float', 'new_column', 'rename', 'incompatible_type'];

/** A manifest label: fault and drift kinds share no name, so one list holds both. */
export type ChaosLabel = FaultKind | DriftKind;

/** Where a record must end up: silver as is, silver after a lossless coercion, or quarantine. */
export type Expectation = 'silver' | 'coerced' | 'quarantine';

export interface LabelOutcome {
  expect: Expectation;
  /** Reason kinds the sensor should report for this label (empty unless quarantined). */
  reasons: ReasonKind[];
}

const DRIFT_SET: ReadonlySet<string> = new Set(DRIFT_KINDS);

export function isDriftKind(label: string): label is DriftKind {
  return DRIFT_SET.has(label);
}

export function isFaultKind(label: string): label is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(label);
}

/** What one label alone makes of a record. */
export function labelOutcome(label: ChaosLabel): LabelOutcome {
  switch (label) {
    case 'coercible_amount':
    case 'coercible_user_id':
      return { expect: 'coerced', reasons: [] };
    case 'unknown_column':
    case 'new_column':
    case 'rename': // `device` (optional) is gone and the unknown key `device_type` appears
      return { expect: 'quarantine', reasons: ['unknown_column'] };
    case 'wrong_type':
    case 'nested_object':
    case 'int_to_float':
    case 'incompatible_type':
      return { expect: 'quarantine', reasons: ['type_mismatch'] };
    case 'missing_required':
      return { expect: 'quarantine', reasons: ['missing_required'] };
    case 'null_required':
      return { expect: 'quarantine', reasons: ['null_required'] };
    case 'enum_violation':
    case 'new_enum_value':
      return { expect: 'quarantine', reasons: ['enum_violation'] };
    case 'negative_amount':
      return { expect: 'quarantine', reasons: ['below_min'] };
    case 'malformed_json':
    case 'truncated_last_line':
      return { expect: 'quarantine', reasons: ['malformed'] };
  }
}

const RANK: Record<Expectation, number> = { silver: 0, coerced: 1, quarantine: 2 };

/**
 * What a record carrying all `labels` must make: the worst single outcome, with the
 * union of reason kinds (sorted). A malformed line hides everything else, since the
 * sensor cannot see inside it.
 */
export function combineLabels(labels: readonly ChaosLabel[]): LabelOutcome {
  let expect: Expectation = 'silver';
  const reasons = new Set<ReasonKind>();
  for (const label of labels) {
    const outcome = labelOutcome(label);
    if (RANK[outcome.expect] > RANK[expect]) expect = outcome.expect;
    for (const reason of outcome.reasons) reasons.add(reason);
  }
  if (reasons.has('malformed')) return { expect: 'quarantine', reasons: ['malformed'] };
  return { expect, reasons: [...reasons].sort() };
}

/** The outcome once every drift label is healed (schema evolved, type widened, rename mapped). */
export function combineHealed(labels: readonly ChaosLabel[]): Expectation {
  if (labels.some((l) => l === 'malformed_json' || l === 'truncated_last_line')) return 'quarantine';
  return combineLabels(labels.filter((l) => !isDriftKind(l))).expect;
}
