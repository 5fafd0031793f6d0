/**
 * The validator: one record in, one verdict out. Compiled once per contract version into
 * per-column closures (coercers, enum sets, bounds, full-match RE2 patterns), so the hot path
 * allocates only the verdict and never compiles a regular expression.
 */
import { compilePattern, PATTERN_SYNTAX_HINT, type ContractPattern } from '../contract/pattern.js';
import { formatType, type ColumnSpec, type Contract } from '../contract/types.js';
import type { ReadRecord } from '../readers/reader.js';
import { AetlError } from '../util/errors.js';
import { compileCoercer, type Coercer } from './coerce.js';
import type { TemporalRanges } from './temporal-range.js';
import { describeValue } from './display.js';
import { ANY_POSITION, createKeyResolver, type KeyResolver } from './key-resolver.js';
import {
  aboveMaxReason,
  belowMinReason,
  boundReasons,
  duplicateKeyReason,
  enumReason,
  malformedReason,
  missingReason,
  nullReason,
  patternReason,
  typeMismatchReason,
  unknownColumnReason,
  type ReasonColumn,
} from './reasons.js';
import type { Coercion, Reason, TypedValue, Verdict } from './types.js';
import { jsonTypeOf } from './values.js';

export type Validator = (record: ReadRecord) => Verdict;

interface CompiledColumn extends ReasonColumn {
  coerce: Coercer;
  enumSet: Set<string> | undefined;
  min: number | undefined;
  max: number | undefined;
  pattern: ContractPattern | undefined;
  /** Any of enum, min, max, pattern: skips the constraint step when false. */
  constrained: boolean;
}

/** Marks a column the record does not hold (distinct from an explicit null). */
const ABSENT = Symbol('absent');

/** RE2, never RegExp: a backtracking engine lets one value hang the process (contract/pattern.ts). */
function columnPattern(contract: Contract, spec: ColumnSpec): ContractPattern | undefined {
  if (spec.pattern === undefined) return undefined;
  const compiled = compilePattern(spec.pattern);
  if ('pattern' in compiled) return compiled.pattern;
  throw new AetlError('contract_invalid', `Column \`${spec.name}\` of contract \`${contract.table}\` has an invalid pattern /${spec.pattern}/: ${compiled.error}.`, {
    hint: `Fix the pattern, e.g. \`[A-Z]{3}\`, and quote it in the YAML; ${PATTERN_SYNTAX_HINT}.`,
  });
}

function compileColumn(contract: Contract, spec: ColumnSpec, ranges: TemporalRanges | undefined): CompiledColumn {
  const numeric = spec.type.name === 'integer' || spec.type.name === 'double' || spec.type.name === 'decimal';
  const enumSet = spec.enum === undefined ? undefined : new Set(spec.enum.map(String));
  const min = numeric ? spec.min : undefined;
  const max = numeric ? spec.max : undefined;
  const pattern = columnPattern(contract, spec);
  return {
    spec,
    typeText: formatType(spec.type),
    // A column's own mode (set by the `coerce` action) overrides the contract's.
    coerce: compileCoercer(spec.type, spec.coercion ?? contract.evolution.coercion, ranges),
    enumSet,
    min,
    max,
    pattern,
    constrained: enumSet !== undefined || min !== undefined || max !== undefined || pattern !== undefined,
  };
}

/** Bounds compare numbers with bigints directly; decimal text is compared as its nearest double. */
function numericOf(value: TypedValue): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'string') return Number(value);
  return undefined;
}

/** Appends enum, bound and pattern violations; allocates the reason list only when one is found. */
function checkConstraints(column: CompiledColumn, value: TypedValue, raw: unknown, reasons: Reason[] | undefined): Reason[] | undefined {
  let found = reasons;
  if (column.enumSet !== undefined) {
    const text = String(value);
    if (!column.enumSet.has(text)) (found ??= []).push(enumReason(column, text));
  }
  if (column.min !== undefined || column.max !== undefined) {
    const number = numericOf(value);
    if (number !== undefined) {
      if (column.min !== undefined && number < column.min) (found ??= []).push(belowMinReason(column, raw, column.min));
      if (column.max !== undefined && number > column.max) (found ??= []).push(aboveMaxReason(column, raw, column.max));
    }
  }
  if (column.pattern !== undefined && typeof value === 'string' && !column.pattern.matches(value)) {
    (found ??= []).push(patternReason(column, value));
  }
  return found;
}

/** The key that filled column `index` before `key` did: looked up only when a record repeats a column. */
function firstKeyOf(value: Record<string, unknown>, key: string, index: number, resolve: KeyResolver): string {
  for (const other in value) {
    if (other === key) break;
    if (resolve(other, ANY_POSITION).index === index) return other;
  }
  return key;
}

function malformedVerdict(message: string, record: ReadRecord): Verdict {
  return { status: 'invalid', reasons: [malformedReason(message, record.raw)] };
}

/**
 * Compiles the validator of one contract version. A verdict lists every reason a record
 * fails (not just the first); a valid one carries the typed values in contract order, the
 * coercions made and the keys ignored. Throws AetlError `contract_invalid` for a pattern
 * or decimal type that cannot be compiled. `options.ranges`: the dates and timestamps the
 * warehouse can store (its dialect's capabilities); values outside are type mismatches.
 */
export function compileValidator(contract: Contract, options: { ranges?: TemporalRanges } = {}): Validator {
  const columns = contract.columns.map((spec) => compileColumn(contract, spec, options.ranges));
  const resolve = createKeyResolver(contract.columns);
  const count = columns.length;
  const ignoreUnknown = contract.evolution.new_column === 'ignore';
  // Scratch space reused across records: validation is synchronous, so it is never shared.
  const slots: unknown[] = new Array<unknown>(count).fill(ABSENT);

  return (record) => {
    if (record.malformed !== undefined) return malformedVerdict(record.malformed, record);
    const value = record.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = value === undefined ? 'no value' : `${describeValue(value)} instead of an object`;
      return malformedVerdict(`Record ${record.line} holds ${what}; send each record as a JSON object with one key per column.`, record);
    }
    const textual = record.textual === true;
    slots.fill(ABSENT); // cheap insurance: a previous record can never leak into this one
    let reasons: Reason[] | undefined;
    let keyReasons: Reason[] | undefined;
    let ignored: string[] | undefined;

    let position = 0;
    for (const key in value) {
      const raw = value[key];
      const resolution = resolve(key, position);
      position += 1;
      const index = resolution.index;
      if (index >= 0) {
        if (slots[index] === ABSENT) slots[index] = raw;
        else (keyReasons ??= []).push(duplicateKeyReason(key, resolution.name, raw, firstKeyOf(value, key, index, resolve)));
      } else if (ignoreUnknown) {
        (ignored ??= []).push(resolution.name);
      } else {
        (keyReasons ??= []).push(unknownColumnReason(resolution.name, raw, contract.table, resolution.renameOf));
      }
    }

    const values = new Array<TypedValue>(count);
    let coercions: Coercion[] | undefined;
    for (let i = 0; i < count; i += 1) {
      const column = columns[i] as CompiledColumn;
      const raw = slots[i];
      if (raw === ABSENT || raw === null || raw === undefined) {
        if (column.spec.required) (reasons ??= []).push(raw === ABSENT ? missingReason(column) : nullReason(column));
        values[i] = null;
        continue;
      }
      const result = column.coerce(raw, textual);
      if (!result.ok) {
        (reasons ??= []).push(typeMismatchReason(column, raw, result.why));
        values[i] = null;
        continue;
      }
      if (result.coerced) {
        (coercions ??= []).push({ column: column.spec.name, from: jsonTypeOf(raw), to: column.spec.type.name, original: raw });
      }
      if (column.constrained) reasons = checkConstraints(column, result.value, raw, reasons);
      values[i] = result.value;
    }
    slots.fill(ABSENT); // release the record's values

    if (keyReasons !== undefined) reasons = reasons === undefined ? keyReasons : reasons.concat(keyReasons);
    if (reasons !== undefined) return { status: 'invalid', reasons: boundReasons(reasons) };
    return { status: 'valid', values, coercions: coercions ?? [], ignored: ignored ?? [] };
  };
}
