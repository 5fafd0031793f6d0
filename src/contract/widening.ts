/**
 * Which column type changes keep every value (DESIGN.md: widening is only ever lossless).
 * The rules are a table of data; the only value-dependent one, integer → double, is
 * checked per value with `valueFitsWidening`.
 */
import type { TypedValue } from '../sensor/types.js';
import { isoFromMicros } from '../warehouse/iso-time.js';
import type { ColumnType, TypeName } from './types.js';

/**
 * - `same`: nothing to change.
 * - `lossless`: every value of `from` has an equal value in `to` (integer → double: every
 *   value that passes valueFitsWidening, i.e. |v| ≤ 2^53).
 * - `needs_approval`: no value is lost but its type is (anything → string).
 * - `narrowing`: some value would change or not fit; never applied.
 */
export type WideningKind = 'same' | 'lossless' | 'needs_approval' | 'narrowing';

/** Decimal defaults, as formatType spells them. */
const DEFAULT_PRECISION = 18;
const DEFAULT_SCALE = 0;
/** Digits of the largest 64-bit integer, 9223372036854775807. */
const INT64_DIGITS = 19;
/** Integers beyond this lose their last bits in a double. */
const MAX_EXACT_DOUBLE = 2n ** 53n;

function precisionOf(type: ColumnType): number {
  return type.precision ?? DEFAULT_PRECISION;
}

function scaleOf(type: ColumnType): number {
  return type.scale ?? DEFAULT_SCALE;
}

/** Lossless widenings between different type names; decimal pairs are decided by digits. */
const LOSSLESS: Partial<Record<TypeName, (from: ColumnType, to: ColumnType) => boolean>> = {
  integer: (_from, to) =>
    to.name === 'double' || (to.name === 'decimal' && precisionOf(to) - scaleOf(to) >= INT64_DIGITS),
  decimal: (from, to) =>
    to.name === 'decimal' &&
    scaleOf(to) >= scaleOf(from) &&
    precisionOf(to) - scaleOf(to) >= precisionOf(from) - scaleOf(from),
  date: (_from, to) => to.name === 'timestamp',
};

function sameType(from: ColumnType, to: ColumnType): boolean {
  if (from.name !== to.name) return false;
  return from.name !== 'decimal' || (precisionOf(from) === precisionOf(to) && scaleOf(from) === scaleOf(to));
}

export function wideningKind(from: ColumnType, to: ColumnType): WideningKind {
  if (sameType(from, to)) return 'same';
  if (LOSSLESS[from.name]?.(from, to) === true) return 'lossless';
  if (to.name === 'string') return 'needs_approval';
  return 'narrowing';
}

export function isLosslessWidening(from: ColumnType, to: ColumnType): boolean {
  return wideningKind(from, to) === 'lossless';
}

/** Whether changing `from` to `to` needs a person's approval before it is applied. */
export function needsApproval(from: ColumnType, to: ColumnType): boolean {
  return wideningKind(from, to) === 'needs_approval';
}

/** Integer and fraction digits of a canonical decimal numeral, trailing fraction zeros ignored. */
function decimalDigits(text: string): { integer: number; fraction: number } {
  const unsigned = text.startsWith('-') ? text.slice(1) : text;
  const point = unsigned.indexOf('.');
  const integerPart = (point < 0 ? unsigned : unsigned.slice(0, point)).replace(/^0+/, '');
  const fractionPart = point < 0 ? '' : unsigned.slice(point + 1).replace(/0+$/, '');
  return { integer: integerPart.length, fraction: fractionPart.length };
}

/**
 * Whether `value` (a TypedValue of `from`) survives the change to `to` unchanged. Always
 * false for a narrowing: callers widen, they never narrow a column that happens to fit.
 */
export function valueFitsWidening(value: TypedValue, from: ColumnType, to: ColumnType): boolean {
  const kind = wideningKind(from, to);
  if (kind === 'narrowing') return false;
  if (value === null || kind === 'same' || kind === 'needs_approval') return true;
  if (from.name === 'integer' && typeof value === 'bigint') {
    const magnitude = value < 0n ? -value : value;
    if (to.name === 'double') return magnitude <= MAX_EXACT_DOUBLE;
    return magnitude.toString().length <= precisionOf(to) - scaleOf(to);
  }
  if (from.name === 'decimal' && typeof value === 'string') {
    const digits = decimalDigits(value);
    return digits.integer <= precisionOf(to) - scaleOf(to) && digits.fraction <= scaleOf(to);
  }
  return from.name === 'date';
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Pads a canonical decimal numeral to `scale` fraction digits: `1.5` at scale 3 → `1.500`. */
function withScale(text: string, scale: number): string {
  const point = text.indexOf('.');
  const fraction = point < 0 ? '' : text.slice(point + 1);
  const integer = point < 0 ? text : text.slice(0, point);
  return scale === 0 ? integer : `${integer}.${fraction.padEnd(scale, '0')}`;
}

/**
 * The value as the widened column holds it, in TypedValue's convention. Meant for values
 * that pass valueFitsWidening; strings get the text a warehouse cast would give for
 * integers, doubles, decimals, booleans, dates and JSON (timestamps become ISO-8601).
 */
export function widenValue(value: TypedValue, from: ColumnType, to: ColumnType): TypedValue {
  if (value === null || sameType(from, to)) return value;
  switch (to.name) {
    case 'double':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'decimal':
      return typeof value === 'bigint' ? withScale(value.toString(), scaleOf(to)) : withScale(String(value), scaleOf(to));
    case 'timestamp':
      return typeof value === 'string' ? BigInt(Date.parse(`${value}T00:00:00Z`) / 86_400_000) * MICROS_PER_DAY : value;
    case 'string':
      return from.name === 'timestamp' && typeof value === 'bigint' ? isoFromMicros(value) : String(value);
    default:
      return value;
  }
}

