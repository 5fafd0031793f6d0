/** The rules for type mismatches: lossless widenings, coercion, or a halt with the person's options. */
import { formatType, type ColumnSpec, type ColumnType, type TypeName } from '../contract/types.js';
import { valueFitsWidening, wideningKind } from '../contract/widening.js';
import { NumberLiteral } from '../readers/number-literal.js';
import { compileCoercer } from '../sensor/coerce.js';
import type { TypeMismatchFinding } from '../sensor/findings.js';
import { inferType } from '../sensor/infer-type.js';
import { canonicalNumeral, splitNumeral } from '../sensor/numerals.js';
import { TEXT_FLOAT_NUMERAL } from '../sensor/values.js';
import { own } from '../util/dict.js';
import type { PlannedAction } from './actions.js';
import { halt, parseSample, percent, planned, round, specEvidence, type Context } from './rules-common.js';

/** Widest decimal any warehouse we target holds. */
const MAX_DECIMAL_PRECISION = 38;


/** A widening that keeps every value; one that would be needed but loses some; or none at all. */
type Target =
  | { kind: 'widen'; to: ColumnType; confidence: number; why: string }
  | { kind: 'unsafe'; why: string }
  | { kind: 'incompatible'; why: string };

/** Whether a numeric sample is the same number as a double: not an integer beyond ±2^53, not a numeral a double rounds. */
export function exactAsDouble(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
  // A JSON number no plain double carries (`1.0000000000000001`) is judged by its digits, like a numeral string.
  const text = typeof value === 'string' ? value : value instanceof NumberLiteral ? value.text : undefined;
  if (text === undefined) return false;
  const double = Number(text);
  return Number.isFinite(double) && canonicalNumeral(text) === canonicalNumeral(String(double));
}

/** The numeral text of a numeric sample, for digit counting. */
export function numeralOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value instanceof NumberLiteral) return value.text;
  if (typeof value === 'string' && TEXT_FLOAT_NUMERAL.test(value)) return value;
  return undefined;
}

/** The narrowest decimal(p,s) at least as wide as `from` that holds every sample, or why none does. */
export function widerDecimal(from: ColumnType, values: readonly unknown[]): ColumnType | string {
  let integer = (from.precision ?? 18) - (from.scale ?? 0);
  let scale = from.scale ?? 0;
  for (const value of values) {
    const text = numeralOf(value);
    if (text === undefined) return `sample ${JSON.stringify(value)} is not a numeral`;
    const { digits, exponent } = splitNumeral(text);
    integer = Math.max(integer, digits.length + exponent);
    scale = Math.max(scale, -exponent);
  }
  if (integer + scale > MAX_DECIMAL_PRECISION) return `the samples need decimal(${integer + scale},${scale}), beyond precision ${MAX_DECIMAL_PRECISION}`;
  return { name: 'decimal', precision: integer + scale, scale };
}

export function widenTarget(spec: ColumnSpec, values: readonly unknown[], ctx: Context): Target {
  const from = spec.type;
  // CSV-style reading: a numeral is a number here, since widening plus typing would read it as one.
  const inferred: TypeName = inferType(values, true).name;
  const numeric = inferred === 'integer' || inferred === 'double';
  if (from.name === 'integer' && numeric) {
    const inexact = values.filter((value) => !exactAsDouble(value));
    if (inexact.length > 0) return { kind: 'unsafe', why: `sample(s) ${JSON.stringify(inexact)} are not exact as doubles` };
    const stats = own(ctx.stats, spec.name);
    const to: ColumnType = { name: 'double' };
    for (const bound of [stats?.min, stats?.max]) {
      if (bound === null || bound === undefined) continue;
      if (!Number.isFinite(bound) || !valueFitsWidening(BigInt(Math.trunc(bound)), from, to)) {
        return { kind: 'unsafe', why: `stored value ${bound} is beyond ±2^53, where a double loses digits` };
      }
    }
    return { kind: 'widen', to, confidence: 0.9, why: 'fractional numbers arrive and every stored value is within ±2^53' };
  }
  if (from.name === 'decimal' && numeric) {
    const to = widerDecimal(from, values);
    if (typeof to === 'string') return { kind: 'unsafe', why: to };
    if (wideningKind(from, to) !== 'lossless') return { kind: 'unsafe', why: `${formatType(from)} → ${formatType(to)} is not a lossless widening` };
    return { kind: 'widen', to, confidence: 0.85, why: `the samples need ${formatType(to)}` };
  }
  if (from.name === 'date' && inferred === 'timestamp') {
    return { kind: 'widen', to: { name: 'timestamp' }, confidence: 0.9, why: 'timestamps arrive where dates were' };
  }
  return { kind: 'incompatible', why: `values of type ${inferred} do not fit ${formatType(from)} by any lossless widening` };
}

/** The person's option for an incompatible change: the column as string, when that takes every sample. */
export function stringOption(spec: ColumnSpec, values: readonly unknown[], ctx: Context, evidence: Record<string, unknown>): PlannedAction[] {
  const to: ColumnType = { name: 'string' };
  if (wideningKind(spec.type, to) !== 'needs_approval') return [];
  const coerce = compileCoercer(to, ctx.contract.evolution.coercion);
  if (values.length === 0 || !values.every((value) => coerce(value, false).ok)) return [];
  return [planned({ kind: 'widen_type', column: spec.name, from: spec.type, to }, 0.3,
    `If a person accepts it, \`${spec.name}\` as string holds both the stored ${formatType(spec.type)} values and the new ones.`,
    { ...evidence, note: 'the column loses its type: numeric comparisons, min/max and sums no longer apply' })];
}

/** Whether every value converts losslessly into `type` by a (logged) coercion. */
export function allCoercible(type: ColumnType, values: readonly unknown[]): boolean {
  const coerce = compileCoercer(type, 'lossless');
  return values.length > 0 && values.every((value) => {
    const result = coerce(value, false);
    return result.ok && result.coerced;
  });
}

export function planTypeMismatch(finding: TypeMismatchFinding, ctx: Context): PlannedAction[] {
  const spec = ctx.columns.get(finding.column);
  const values = finding.samples.map(parseSample);
  const evidence: Record<string, unknown> = {
    column: finding.column,
    count: finding.count,
    share: round(finding.share),
    observedTypes: finding.observedTypes,
    samples: finding.samples,
    ...(spec === undefined ? { expected: finding.expected } : specEvidence(spec)),
  };
  if (spec === undefined) return [halt(`\`${finding.column}\` is not a contract column`, 0.5, `A type finding names a column the contract lacks.`, evidence)];
  const stats = own(ctx.stats, spec.name);
  if (stats !== undefined) evidence.columnStats = stats;
  const typeText = formatType(spec.type);
  // Values the column would take if coercion were on: the fix is coercion, not a new type.
  if (ctx.contract.evolution.coercion === 'off' && allCoercible(spec.type, values)) {
    return [planned({ kind: 'coerce', column: spec.name, to: spec.type.name }, 0.85,
      `Every sample of \`${spec.name}\` converts losslessly to ${typeText}, and coercion is off.`, evidence)];
  }
  const mode = ctx.contract.evolution.type_change;
  switch (mode) {
    case 'quarantine':
      return [planned({ kind: 'quarantine', column: spec.name, reason: 'contract evolution.type_change = quarantine' }, 0.9,
        `The contract keeps records whose \`${spec.name}\` is not ${typeText} in quarantine.`, evidence)];
    case 'fail':
      return [halt(`\`${spec.name}\` receives values that are not ${typeText} and contract evolution.type_change = fail`, 0.9,
        `The contract forbids type changes and ${finding.count} records (${percent(finding.share)}) do not fit ${typeText}.`, evidence)];
    case 'widen':
      break;
  }
  const target = widenTarget(spec, values, ctx);
  switch (target.kind) {
    case 'widen':
      return [planned({ kind: 'widen_type', column: spec.name, from: spec.type, to: target.to }, target.confidence,
        `\`${spec.name}\` widens ${typeText} → ${formatType(target.to)} without losing a value: ${target.why}.`, { ...evidence, to: formatType(target.to) })];
    case 'unsafe':
      return [halt(`\`${spec.name}\` would need a wider type, but ${target.why}`, 0.9,
        `No lossless widening of \`${spec.name}\` holds every value: ${target.why}.`, { ...evidence, why: target.why })];
    case 'incompatible':
      return [
        halt(`\`${spec.name}\` (${typeText}) receives incompatible values such as ${finding.samples[0] ?? '?'}`, 0.9,
          `${finding.count} records (${percent(finding.share)}) hold values in \`${spec.name}\` that no lossless change makes ${typeText}, so a person must decide.`,
          { ...evidence, why: target.why }),
        ...stringOption(spec, values, ctx, evidence),
      ];
  }
}

