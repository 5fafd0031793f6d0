/**
 * What exactly an incident is about, finer than a finding key. A key (`kind:column`) groups
 * one kind of deviation on one column across batches; a signature also names the value
 * where the value is the question: each enum value that persists is its own signature
 * (`enum_violation:event_type="share"`), since allowing `share` says nothing about `like`.
 * A rejected incident remembers the signatures it was refused for: the same drift joins it
 * and stays refused, a new value (or a new kind of drift on the column) is a new incident.
 * The same signatures pick an incident's records out of quarantine, to tell whether they
 * are still there. Pure.
 */
import type { EnumViolationFinding, Finding } from '../sensor/findings.js';
import type { Reason } from '../sensor/types.js';
import { findingKey, MALFORMED_KEY } from './finding-key.js';

const enumKey = (column: string) => `enum_violation:${column}`;
const valueSignature = (column: string, value: string) => `${enumKey(column)}=${JSON.stringify(value)}`;

/**
 * The finding key a quarantine reason belongs to (reason kinds are finer than finding
 * kinds: below_min and above_max are one range finding); undefined for `circuit_open`,
 * which says nothing about the record itself.
 */
export function reasonKey(reason: Reason): string | undefined {
  switch (reason.kind) {
    case 'malformed':
      return MALFORMED_KEY;
    case 'below_min':
    case 'above_max':
      return `range_violation:${reason.column ?? '*'}`;
    case 'pattern_mismatch':
      return `pattern_violation:${reason.column ?? '*'}`;
    case 'missing_required':
    case 'null_required':
    case 'type_mismatch':
    case 'enum_violation':
    case 'unknown_column':
      return `${reason.kind}:${reason.column ?? '*'}`;
    case 'circuit_open':
      return undefined;
    default: {
      const unhandled: never = reason.kind;
      return unhandled;
    }
  }
}

/**
 * The values of an enum finding that persist: each above half the drift threshold of the
 * batch's records — the rule the rules brain plans extend_enum by; the rest are strays.
 */
export function persistentValues(finding: EnumViolationFinding, driftThreshold: number): string[] {
  const records = finding.share > 0 ? finding.count / finding.share : 0;
  const floor = (driftThreshold / 2) * records;
  return finding.newValues.filter((entry) => entry.count > floor).map((entry) => entry.value);
}

/** A finding's signatures: its key, or for an enum one per persisting value (the key when none persists). */
export function findingSignatures(finding: Finding, driftThreshold: number): string[] {
  if (finding.kind !== 'enum_violation') return [findingKey(finding)];
  const values = persistentValues(finding, driftThreshold);
  return values.length === 0 ? [enumKey(finding.column)] : values.map((value) => valueSignature(finding.column, value));
}

/**
 * Whether `owned` (an incident's signatures) covers `signature`. An enum key without a
 * value (stray values only) is covered by any incident about that enum column: strays are
 * noise of the episode, not a new question.
 */
export function covers(owned: ReadonlySet<string>, signature: string): boolean {
  if (owned.has(signature)) return true;
  if (!signature.startsWith('enum_violation:') || signature.includes('="')) return false;
  for (const mine of owned) if (mine.startsWith(`${signature}="`)) return true;
  return false;
}

/** Whether a quarantined record's reason is one of the incident's (by its signatures). */
export function reasonMatches(reason: Reason, owned: ReadonlySet<string>): boolean {
  const key = reasonKey(reason);
  if (key === undefined) return false;
  if (reason.kind === 'enum_violation' && reason.column !== null && owned.has(valueSignature(reason.column, reason.actual))) return true;
  return owned.has(key);
}

/**
 * Splits a finding into what `owned` covers and the rest. Only enum findings split (by
 * value); the others are covered whole or not at all. Strays and the records behind
 * values not listed stay with the covered part: they are noise. Shares keep the batch's
 * record count, so the rest plans as it would have on its own.
 */
export function splitFinding(finding: Finding, owned: ReadonlySet<string>, driftThreshold: number): { covered?: Finding; rest?: Finding } {
  const signatures = findingSignatures(finding, driftThreshold);
  const uncovered = signatures.filter((signature) => !covers(owned, signature));
  if (uncovered.length === 0) return { covered: finding };
  if (uncovered.length === signatures.length || finding.kind !== 'enum_violation') return { rest: finding };
  const restSet = new Set(uncovered);
  const records = finding.share > 0 ? finding.count / finding.share : 0;
  const restValues = finding.newValues.filter((entry) => restSet.has(valueSignature(finding.column, entry.value)));
  const restCount = restValues.reduce((sum, entry) => sum + entry.count, 0);
  const part = (newValues: EnumViolationFinding['newValues'], count: number): EnumViolationFinding => ({
    ...finding,
    newValues,
    count,
    share: records > 0 ? count / records : 0,
  });
  return {
    covered: part(finding.newValues.filter((entry) => !restSet.has(valueSignature(finding.column, entry.value))), finding.count - restCount),
    rest: part(restValues, restCount),
  };
}
