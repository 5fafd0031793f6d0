/**
 * The identity of "the same deviation" across batches, so that a drift seen in file after
 * file is one thing with a history (and one incident), not a new surprise per file.
 */
import type { Finding } from '../sensor/findings.js';

/** The key of malformed input: it has no column. */
export const MALFORMED_KEY = 'malformed:*';

/** `kind:column`, e.g. `unknown_column:session_id`, `type_mismatch:quantity`; `malformed:*` for malformed input. */
export function findingKey(finding: Finding): string {
  if (finding.kind === 'malformed') return MALFORMED_KEY;
  // Each path inside a json column is its own deviation: `nested_type_change:payload.repository.id`.
  if (finding.kind === 'nested_type_change') return `${finding.kind}:${finding.column}.${finding.path}`;
  return `${finding.kind}:${finding.column}`;
}

/**
 * Whether a finding is a deviation from the contract: records that do not fit it as it
 * stands (quarantined, or with `new_column: ignore` a key dropped). Coercions are not: the
 * records reached silver as the contract says, so they are never drift nor noise.
 */
export function isDeviation(finding: Finding): boolean {
  switch (finding.kind) {
    case 'coercion':
      return false;
    case 'malformed':
    case 'unknown_column':
    case 'type_mismatch':
    case 'missing_required':
    case 'null_required':
    case 'enum_violation':
    case 'range_violation':
    case 'pattern_violation':
    case 'nested_type_change': // valid records, but not the shape earlier batches had: a person must see it
      return true;
    default: {
      const unhandled: never = finding;
      return unhandled;
    }
  }
}

/**
 * Whether a deviation can be drift. Malformed input cannot: it has no schema to evolve
 * (the closed action set holds no fix for bytes that do not parse), its records are
 * quarantined with their raw bytes whatever the controller says, and halting the table
 * would only hold back the valid records of other files. It still counts in the quarantine
 * rate, so a producer sending garbage shows as a degraded table.
 */
export function canDrift(finding: Finding): boolean {
  return isDeviation(finding) && finding.kind !== 'malformed';
}
