/**
 * The reasons a record is invalid, as readable sentences: each names the column, the
 * problem and the fix. Built only on the slow path (an invalid value), never per valid one.
 */
import type { ColumnSpec } from '../contract/types.js';
import { describeValue, display, shorten } from './display.js';
import type { Reason } from './types.js';

/** What the validator knows about a column when it explains a failure. */
export interface ReasonColumn {
  spec: ColumnSpec;
  /** `decimal(10,2)`, `integer`, … */
  typeText: string;
}

export function malformedReason(message: string, raw: string): Reason {
  return { column: null, kind: 'malformed', expected: 'a parseable record', actual: shorten(raw), message };
}

export function missingReason(column: ReasonColumn): Reason {
  const name = column.spec.name;
  return {
    column: name,
    kind: 'missing_required',
    expected: `${column.typeText}, required`,
    actual: 'missing',
    message: `Required column \`${name}\` is missing; send it in every record, or make it optional in the contract.`,
  };
}

export function nullReason(column: ReasonColumn): Reason {
  const name = column.spec.name;
  return {
    column: name,
    kind: 'null_required',
    expected: `${column.typeText}, required`,
    actual: 'null',
    message: `Required column \`${name}\` is null; send a value, or make it optional in the contract.`,
  };
}

export function typeMismatchReason(column: ReasonColumn, raw: unknown, why: string | undefined): Reason {
  const name = column.spec.name;
  const nested = raw !== null && typeof raw === 'object';
  const fix = nested
    ? `flatten it into scalar columns, or change \`${name}\` to json in the contract`
    : `send a ${column.typeText} value, or change the column's type in the contract`;
  const because = why === undefined ? '' : ` (${why})`;
  return {
    column: name,
    kind: 'type_mismatch',
    expected: column.typeText,
    actual: display(raw),
    message: `Column \`${name}\` expects ${column.typeText} but holds ${describeValue(raw)}${because}; ${fix}.`,
  };
}

/** `actual` of an enum violation is the value's text after typing: what the enum is compared with. */
export function enumReason(column: ReasonColumn, text: string): Reason {
  const name = column.spec.name;
  const allowed = (column.spec.enum ?? []).join(', ');
  return {
    column: name,
    kind: 'enum_violation',
    expected: `one of ${allowed}`,
    actual: shorten(text),
    message: `Column \`${name}\` holds ${display(text)}, which is not one of ${allowed}; fix the producer, or extend the enum in the contract.`,
  };
}

export function belowMinReason(column: ReasonColumn, raw: unknown, min: number): Reason {
  const name = column.spec.name;
  return {
    column: name,
    kind: 'below_min',
    expected: `>= ${min}`,
    actual: display(raw),
    message: `Column \`${name}\` holds ${display(raw)}, below the minimum ${min}; fix the producer, or lower \`min\` in the contract.`,
  };
}

export function aboveMaxReason(column: ReasonColumn, raw: unknown, max: number): Reason {
  const name = column.spec.name;
  return {
    column: name,
    kind: 'above_max',
    expected: `<= ${max}`,
    actual: display(raw),
    message: `Column \`${name}\` holds ${display(raw)}, above the maximum ${max}; fix the producer, or raise \`max\` in the contract.`,
  };
}

export function patternReason(column: ReasonColumn, text: string): Reason {
  const name = column.spec.name;
  const pattern = column.spec.pattern ?? '';
  return {
    column: name,
    kind: 'pattern_mismatch',
    expected: `matches /${pattern}/`,
    actual: display(text),
    message: `Column \`${name}\` holds ${display(text)}, which does not match the pattern /${pattern}/ in full; fix the producer, or relax the pattern in the contract.`,
  };
}

export function unknownColumnReason(key: string, raw: unknown, table: string, renameOf: string | undefined): Reason {
  const message =
    renameOf === undefined
      ? `Key \`${key}\` is not a column of contract \`${table}\`; add it to the contract (new_column: evolve), or set new_column: ignore to keep it in bronze only.`
      : `Key \`${key}\` is not a column of contract \`${table}\` but looks like a rename of \`${renameOf}\`; map it onto \`${renameOf}\` with a rename, or fix the producer.`;
  return { column: key, kind: 'unknown_column', expected: `a column of ${table}`, actual: display(raw), message };
}

/**
 * A second key for a column the record already holds: `first` is the key that came first.
 * Two spellings that trim alike repeat the column; otherwise one of them is an alias.
 */
export function duplicateKeyReason(key: string, column: string, raw: unknown, first: string = column): Reason {
  const message =
    first.trim() === key.trim()
      ? `Key \`${key}\` repeats column \`${column}\` after trimming spaces; send the column once, under one name.`
      : `Keys \`${first.trim()}\` and \`${key.trim()}\` both map to column \`${column}\` (by its name or an alias); send the column once, under one name.`;
  return { column: key, kind: 'unknown_column', expected: `one key for \`${column}\``, actual: display(raw), message };
}

/** Reasons listed per record; the rest are summed up in one more (a reason per key of a huge record cost megabytes). */
export const MAX_REASONS = 50;

/**
 * At most MAX_REASONS reasons: the first ones as they are, then one that counts the rest by
 * kind. The record's raw text, kept beside them, still holds everything they were about.
 */
export function boundReasons(reasons: Reason[]): Reason[] {
  if (reasons.length <= MAX_REASONS) return reasons;
  const kept = reasons.slice(0, MAX_REASONS - 1);
  const rest = reasons.slice(MAX_REASONS - 1);
  const byKind = new Map<Reason['kind'], number>();
  for (const reason of rest) byKind.set(reason.kind, (byKind.get(reason.kind) ?? 0) + 1);
  const counts = [...byKind].map(([kind, count]) => `${count} ${kind}`).join(', ');
  const first = rest[0] as Reason;
  kept.push({
    column: null,
    kind: first.kind,
    expected: `at most ${MAX_REASONS} reasons listed per record`,
    actual: `${rest.length} more`,
    message: `…and ${rest.length} more reasons (${counts}) not listed, e.g. ${shorten(first.message)} The record's raw text holds every key; fix the producer or the contract.`,
  });
  return kept;
}
