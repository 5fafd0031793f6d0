/**
 * Findings: what a batch profile says is wrong or new, one entry per column and kind,
 * each with its count, its share of the batch and the sample values an architect needs
 * to choose a fix. The controller compares shares with the drift threshold.
 */
import { formatType, type ColumnSpec, type Contract, type TypeName } from '../contract/types.js';
import { own } from '../util/dict.js';
import { renameDistance } from './similar-names.js';
import type { BatchProfile, JsonType, ReasonKind } from './types.js';

/** Samples kept on a finding. */
const FINDING_SAMPLES = 5;
/** Share of an unknown key's records that must lack a column for it to be a rename candidate. */
const RENAME_EVIDENCE_SHARE = 0.9;

interface FindingBase {
  /** How many records of the batch show it. */
  count: number;
  /** count / records of the batch (0 for an empty batch). */
  share: number;
}

export interface UnknownColumnFinding extends FindingBase {
  kind: 'unknown_column';
  /** The key, trimmed. */
  column: string;
  /** The narrowest contract type holding every observed value. */
  inferredType: TypeName;
  observedTypes: Partial<Record<JsonType, number>>;
  samples: unknown[];
  /** A contract column with a similar name that the records holding this key lack: probably renamed. */
  renameOf?: string;
}

export interface TypeMismatchFinding extends FindingBase {
  kind: 'type_mismatch';
  column: string;
  /** The column's contract type, e.g. `double`. */
  expected: string;
  /** JSON types of every value the column held in the batch, the valid ones included. */
  observedTypes: Partial<Record<JsonType, number>>;
  /** Offending values as JSON text, most frequent first. */
  samples: string[];
}

export interface MissingRequiredFinding extends FindingBase {
  kind: 'missing_required';
  column: string;
}

export interface NullRequiredFinding extends FindingBase {
  kind: 'null_required';
  column: string;
}

export interface EnumViolationFinding extends FindingBase {
  kind: 'enum_violation';
  column: string;
  allowed: string[];
  /** Values outside the enum with their record counts, most frequent first (at most 20). */
  newValues: { value: string; count: number }[];
}

export interface RangeViolationFinding extends FindingBase {
  kind: 'range_violation';
  column: string;
  min?: number;
  max?: number;
  below: number;
  above: number;
  samples: string[];
}

export interface PatternViolationFinding extends FindingBase {
  kind: 'pattern_violation';
  column: string;
  pattern: string;
  samples: string[];
}

export interface CoercionFinding extends FindingBase {
  kind: 'coercion';
  column: string;
  /** The column's contract type the values were coerced into. */
  to: TypeName;
  /** Original values before coercion. */
  samples: unknown[];
}

export interface MalformedFinding extends FindingBase {
  kind: 'malformed';
  column: null;
  /** Raw text of malformed records, shortened. */
  samples: string[];
}

/**
 * A json column's nested value changed type at a path (sensor/nested-findings.ts): the
 * records are valid (json holds anything), but readers of `repository.id` will break.
 */
export interface NestedTypeChangeFinding extends FindingBase {
  kind: 'nested_type_change';
  /** The json column. */
  column: string;
  /** Inside the column: keys joined by `.`, array elements as `[]` (`repository.id`). */
  path: string;
  /** The JSON types earlier batches showed at the path. */
  from: JsonType[];
  /** The new one; `count` records held it. */
  to: JsonType;
  samples: unknown[];
}

export type Finding =
  | UnknownColumnFinding
  | NestedTypeChangeFinding
  | TypeMismatchFinding
  | MissingRequiredFinding
  | NullRequiredFinding
  | EnumViolationFinding
  | RangeViolationFinding
  | PatternViolationFinding
  | CoercionFinding
  | MalformedFinding;

export type FindingKind = Finding['kind'];

/** Offending values of one column and kind, most frequent first. */
function offendingValues(profile: BatchProfile, column: string, kinds: readonly ReasonKind[]): { value: string; count: number }[] {
  // Reads by data key go through own(): a profile read back from JSON has Object.prototype.
  const byKind = own(profile.evidence?.offending, column);
  const merged = new Map<string, number>();
  for (const kind of kinds) {
    for (const [value, count] of Object.entries(byKind?.[kind] ?? {})) merged.set(value, (merged.get(value) ?? 0) + count);
  }
  return [...merged].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

function samplesOf(profile: BatchProfile, column: string, kinds: readonly ReasonKind[]): string[] {
  return offendingValues(profile, column, kinds)
    .slice(0, FINDING_SAMPLES)
    .map((entry) => entry.value);
}

function columnFindings(profile: BatchProfile, spec: ColumnSpec, share: (count: number) => number): Finding[] {
  const column = spec.name;
  const counts = own(profile.violations, column) ?? {};
  const findings: Finding[] = [];
  const missing = counts.missing_required ?? 0;
  if (missing > 0) findings.push({ kind: 'missing_required', column, count: missing, share: share(missing) });
  const nulls = counts.null_required ?? 0;
  if (nulls > 0) findings.push({ kind: 'null_required', column, count: nulls, share: share(nulls) });
  const mismatches = counts.type_mismatch ?? 0;
  if (mismatches > 0) {
    findings.push({
      kind: 'type_mismatch',
      column,
      expected: formatType(spec.type),
      observedTypes: { ...(own(profile.keys, column)?.types ?? {}) },
      count: mismatches,
      share: share(mismatches),
      samples: samplesOf(profile, column, ['type_mismatch']),
    });
  }
  const enumCount = counts.enum_violation ?? 0;
  if (enumCount > 0) {
    findings.push({
      kind: 'enum_violation',
      column,
      allowed: [...(spec.enum ?? [])],
      newValues: offendingValues(profile, column, ['enum_violation']),
      count: enumCount,
      share: share(enumCount),
    });
  }
  const below = counts.below_min ?? 0;
  const above = counts.above_max ?? 0;
  if (below + above > 0) {
    const range: RangeViolationFinding = {
      kind: 'range_violation',
      column,
      below,
      above,
      count: below + above,
      share: share(below + above),
      samples: samplesOf(profile, column, ['below_min', 'above_max']),
    };
    if (spec.min !== undefined) range.min = spec.min;
    if (spec.max !== undefined) range.max = spec.max;
    findings.push(range);
  }
  const patterns = counts.pattern_mismatch ?? 0;
  if (patterns > 0) {
    findings.push({
      kind: 'pattern_violation',
      column,
      pattern: spec.pattern ?? '',
      count: patterns,
      share: share(patterns),
      samples: samplesOf(profile, column, ['pattern_mismatch']),
    });
  }
  const coerced = own(profile.coercions, column) ?? 0;
  if (coerced > 0) {
    findings.push({
      kind: 'coercion',
      column,
      to: spec.type.name,
      count: coerced,
      share: share(coerced),
      samples: [...(own(profile.evidence?.coerced, column) ?? [])],
    });
  }
  return findings;
}

/** The contract column most likely renamed to `key`: similar name, absent wherever the key appears. */
function renameCandidate(profile: BatchProfile, contract: Contract, key: string, count: number): string | undefined {
  const lacked = own(profile.evidence?.missingWith, key);
  let best: { column: string; distance: number; lacked: number } | undefined;
  for (const spec of contract.columns) {
    const lackedCount = own(lacked, spec.name) ?? 0;
    if (lackedCount < RENAME_EVIDENCE_SHARE * count) continue;
    const distance = renameDistance(key, spec.name);
    if (distance === undefined) continue;
    if (best === undefined || distance < best.distance || (distance === best.distance && lackedCount > best.lacked)) {
      best = { column: spec.name, distance, lacked: lackedCount };
    }
  }
  return best?.column;
}

/**
 * Every finding of a batch, in a stable order: malformed records, then per contract
 * column (in contract order), then unknown keys (most frequent first).
 */
export function findingsFromProfile(profile: BatchProfile, contract: Contract): Finding[] {
  const share = (count: number): number => (profile.records === 0 ? 0 : count / profile.records);
  const findings: Finding[] = [];
  if (profile.malformed > 0) {
    findings.push({
      kind: 'malformed',
      column: null,
      count: profile.malformed,
      share: share(profile.malformed),
      samples: samplesOf(profile, '_record', ['malformed']),
    });
  }
  for (const spec of contract.columns) findings.push(...columnFindings(profile, spec, share));
  const unknown = Object.entries(profile.unknownKeys).sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b));
  for (const [key, observed] of unknown) {
    const finding: UnknownColumnFinding = {
      kind: 'unknown_column',
      column: key,
      count: observed.count,
      share: share(observed.count),
      inferredType: observed.inferredType,
      observedTypes: { ...observed.types },
      samples: [...observed.samples],
    };
    const renameOf = renameCandidate(profile, contract, key, observed.count);
    if (renameOf !== undefined) finding.renameOf = renameOf;
    findings.push(finding);
  }
  return findings;
}
