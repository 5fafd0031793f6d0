/**
 * Typing one raw value for its contract column (the TypedValue convention in types.ts).
 * Coercion — changing a value's representation, like the string "42" into the integer
 * 42 — is only ever lossless: a coerced value converts back to exactly what was sent.
 * CSV text is typed by parsing, which is not coercion and is allowed even when
 * `coercion: off`.
 *
 * JSON numbers arrive as plain numbers only when the double is faithful to the literal
 * (readers/exact-json.ts); any other is a NumberLiteral, typed from its digits: an integer column takes it only when it is whole and fits int64, a decimal column
 * reads its text, a string column keeps it as written. A double column takes the nearest
 * double, as every JSON reader and PostgreSQL's float8 do — a double is approximate by
 * type; a column that must keep every digit is a decimal(p,s) or a string — except beyond
 * the double's range either way (`1e400`, `1e-400`), refused as PostgreSQL refuses them.
 */
import { formatType, type ColumnType, type CoercionMode } from '../contract/types.js';
import { exactJsonText, NumberLiteral } from '../readers/number-literal.js';
import { AetlError } from '../util/errors.js';
import { bigintOfNumeral, canonicalNumeral, fitDecimal, isWholeNumeral, splitNumeral } from './numerals.js';
import type { TypedValue } from './types.js';
import { compileDateRange, compileTimestampRange, dateDays, type TemporalRanges } from './temporal-range.js';
import { FLOAT_NUMERAL, INTEGER_NUMERAL, INT64_MAX, INT64_MIN, parseIsoDate, parseIsoTimestamp, TEXT_FLOAT_NUMERAL } from './values.js';

export interface CoerceSuccess {
  ok: true;
  value: TypedValue;
  /** True when the representation changed (a string into a number, …): logged with the original. */
  coerced: boolean;
}

export interface CoerceFailure {
  ok: false;
  /** Why, when there is more to say than "wrong type", as a clause: "it is outside …". */
  why?: string;
}

export type CoerceResult = CoerceSuccess | CoerceFailure;

/**
 * Types one raw value. `raw` is a parsed JSON value, or CSV text when `textual`.
 * Null and undefined give a null value (the validator deals with required columns).
 */
export type Coercer = (raw: unknown, textual: boolean) => CoerceResult;

// Failures are shared constants: the hot path allocates nothing to say no.
const FAIL: CoerceFailure = { ok: false };
const COERCION_OFF: CoerceFailure = { ok: false, why: 'converting it would be a coercion, and coercion is off for this contract' };
const BEYOND_INT64: CoerceFailure = { ok: false, why: 'it is outside the 64-bit integer range' };
const UNSAFE_INTEGER: CoerceFailure = {
  ok: false,
  why: 'a JSON number beyond ±2^53 may already have lost digits when it was parsed; send it as a string',
};
const UNSAFE_DECIMAL: CoerceFailure = {
  ok: false,
  why: 'a JSON number with more than 15 significant digits may already have lost digits when it was parsed; send it as a string',
};
/** Every decimal numeral with at most this many significant digits survives a trip through a double. */
const DOUBLE_SAFE_DIGITS = 15;
const INEXACT_DOUBLE: CoerceFailure = { ok: false, why: 'a double cannot hold this numeral exactly' };
const BEYOND_DOUBLE: CoerceFailure = { ok: false, why: 'it is outside the range of a double' };
const BELOW_DOUBLE: CoerceFailure = { ok: false, why: 'it is so close to zero that a double would hold it as 0' };
const INVALID_JSON: CoerceFailure = { ok: false, why: 'it is not valid JSON text' };
// PostgreSQL text cannot hold U+0000, and a value that loads on one engine only is no value.
const HAS_NUL: CoerceFailure = { ok: false, why: 'it contains a NUL character (U+0000), which warehouse text columns cannot hold' };

const NULL_VALUE: CoerceSuccess = { ok: true, value: null, coerced: false };
const TRUE_VALUE: CoerceSuccess = { ok: true, value: true, coerced: false };
const FALSE_VALUE: CoerceSuccess = { ok: true, value: false, coerced: false };
const TRUE_COERCED: CoerceSuccess = { ok: true, value: true, coerced: true };
const FALSE_COERCED: CoerceSuccess = { ok: true, value: false, coerced: true };

function typed(value: TypedValue): CoerceSuccess {
  return { ok: true, value, coerced: false };
}

function coerced(value: TypedValue): CoerceSuccess {
  return { ok: true, value, coerced: true };
}

function integerCoercer(lossless: boolean): Coercer {
  return (raw, textual) => {
    switch (typeof raw) {
      case 'number':
        if (!Number.isInteger(raw)) return FAIL;
        return Number.isSafeInteger(raw) ? typed(BigInt(raw)) : UNSAFE_INTEGER;
      case 'bigint':
        return raw >= INT64_MIN && raw <= INT64_MAX ? typed(raw) : BEYOND_INT64;
      case 'string': {
        // Strict numerals only: "007" may be a code, "1e3" and "+1" are not how integers are written.
        if (!INTEGER_NUMERAL.test(raw)) return FAIL;
        const value = BigInt(raw);
        if (value < INT64_MIN || value > INT64_MAX) return BEYOND_INT64;
        if (textual) return typed(value);
        return lossless ? coerced(value) : COERCION_OFF;
      }
      default:
        if (raw instanceof NumberLiteral) return integerOfLiteral(raw.text);
        return raw === null || raw === undefined ? NULL_VALUE : FAIL;
    }
  };
}

/** A JSON number is an integer when its digits say so: `1.0000000000000001` is not one, though a double reads 1. */
function integerOfLiteral(text: string): CoerceResult {
  if (!isWholeNumeral(text)) return FAIL;
  const value = bigintOfNumeral(text);
  if (value === undefined || value < INT64_MIN || value > INT64_MAX) return BEYOND_INT64;
  return typed(value);
}

/**
 * The nearest double to numeral text, or why not: beyond the range either way, or — when
 * `mustRoundTrip`, for a coercion — a double that reads back as another number.
 */
function doubleOfNumeral(text: string, mustRoundTrip: boolean): CoerceResult {
  const value = Number(text);
  if (!Number.isFinite(value)) return BEYOND_DOUBLE;
  if (value === 0 && splitNumeral(text).digits !== '') return BELOW_DOUBLE;
  if (mustRoundTrip && canonicalNumeral(text) !== canonicalNumeral(String(value))) return INEXACT_DOUBLE;
  return typed(value);
}

function doubleCoercer(lossless: boolean): Coercer {
  return (raw, textual) => {
    switch (typeof raw) {
      case 'number':
        // Plain numbers from the readers are exact doubles already (readers/exact-json.ts).
        return Number.isFinite(raw) ? typed(raw) : FAIL;
      case 'bigint': {
        const value = Number(raw);
        return Number.isFinite(value) && BigInt(value) === raw ? typed(value) : INEXACT_DOUBLE;
      }
      case 'string': {
        if (!(textual ? TEXT_FLOAT_NUMERAL : FLOAT_NUMERAL).test(raw)) return FAIL;
        // CSV text is parsed to the nearest double, as any CSV reader would.
        // JSON text was a string on purpose: convert it only when nothing is lost.
        const result = doubleOfNumeral(raw, !textual);
        if (textual || !result.ok) return result;
        return lossless ? coerced(result.value) : COERCION_OFF;
      }
      default:
        if (raw instanceof NumberLiteral) return doubleOfNumeral(raw.text, false);
        return raw === null || raw === undefined ? NULL_VALUE : FAIL;
    }
  };
}

function decimalCoercer(type: ColumnType, lossless: boolean): Coercer {
  const precision = type.precision ?? 18;
  const scale = type.scale ?? 0;
  if (!Number.isInteger(precision) || !Number.isInteger(scale) || precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    throw new AetlError('contract_invalid', `The type ${formatType(type)} is not a valid decimal.`, {
      hint: 'Use decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p, e.g. decimal(10,2).',
    });
  }
  const needsRounding: CoerceFailure = { ok: false, why: `it has more than ${scale} digits after the point, and rounding would lose them` };
  const tooLarge: CoerceFailure = { ok: false, why: `it has more than ${precision - scale} digits before the point` };
  return (raw, textual) => {
    let text: string;
    let isCoercion = false;
    switch (typeof raw) {
      case 'number':
        if (!Number.isFinite(raw)) return FAIL;
        // The shortest text that reads back as this double: what the producer wrote, when it
        // had at most 15 significant digits. Beyond that, parsing may already have rounded it.
        text = String(raw);
        if (splitNumeral(text).digits.length > DOUBLE_SAFE_DIGITS) return UNSAFE_DECIMAL;
        break;
      case 'bigint':
        text = raw.toString();
        break;
      case 'string':
        if (!(textual ? TEXT_FLOAT_NUMERAL : FLOAT_NUMERAL).test(raw)) return FAIL;
        text = raw;
        isCoercion = !textual;
        break;
      default:
        if (!(raw instanceof NumberLiteral)) return raw === null || raw === undefined ? NULL_VALUE : FAIL;
        // A JSON number: its digits as written, whatever a double would have made of them.
        text = raw.text;
    }
    const fitted = fitDecimal(text, precision, scale);
    if (fitted === 'needs_rounding') return needsRounding;
    if (fitted === 'too_large') return tooLarge;
    if (!isCoercion) return typed(fitted);
    return lossless ? coerced(fitted) : COERCION_OFF;
  };
}

function booleanCoercer(lossless: boolean): Coercer {
  return (raw, textual) => {
    if (raw === true) return TRUE_VALUE;
    if (raw === false) return FALSE_VALUE;
    if (raw === null || raw === undefined) return NULL_VALUE;
    // Exactly "true"/"false": "yes", "1" or "TRUE" could mean anything.
    if (raw !== 'true' && raw !== 'false') return FAIL;
    if (textual) return raw === 'true' ? TRUE_VALUE : FALSE_VALUE;
    if (!lossless) return COERCION_OFF;
    return raw === 'true' ? TRUE_COERCED : FALSE_COERCED;
  };
}

/**
 * JSON has no date or timestamp type: ISO-8601 text is how they are written, so typing it
 * is not coercion. A date the warehouse cannot store (`ranges`) is refused here, so that it
 * is quarantined with its reason rather than failing the whole file in the engine.
 */
function dateCoercer(ranges: TemporalRanges | undefined): Coercer {
  const range = ranges === undefined ? undefined : compileDateRange(ranges.date);
  const outside: CoerceFailure = { ok: false, why: range?.why };
  return (raw) => {
    if (typeof raw !== 'string') return raw === null || raw === undefined ? NULL_VALUE : FAIL;
    const date = parseIsoDate(raw);
    if (date === undefined) return FAIL;
    return range === undefined || range.contains(dateDays(date)) ? typed(date) : outside;
  };
}

function timestampCoercer(ranges: TemporalRanges | undefined): Coercer {
  const range = ranges === undefined ? undefined : compileTimestampRange(ranges.timestamp);
  const outside: CoerceFailure = { ok: false, why: range?.why };
  // Numbers are refused: epoch seconds and epoch milliseconds cannot be told apart.
  return (raw) => {
    if (typeof raw !== 'string') return raw === null || raw === undefined ? NULL_VALUE : FAIL;
    const micros = parseIsoTimestamp(raw);
    if (micros === undefined) return FAIL;
    return range === undefined || range.contains(micros) ? typed(micros) : outside;
  };
}

function stringCoercer(lossless: boolean): Coercer {
  return (raw) => {
    switch (typeof raw) {
      case 'string':
        return raw.includes('\u0000') ? HAS_NUL : typed(raw);
      case 'number':
      case 'boolean':
      case 'bigint':
        // A scalar's JSON text reads back as the same scalar.
        return lossless ? coerced(String(raw)) : COERCION_OFF;
      default:
        if (raw instanceof NumberLiteral) return lossless ? coerced(raw.text) : COERCION_OFF;
        // A nested object or array where a scalar is expected is a shape change, not a representation.
        return raw === null || raw === undefined ? NULL_VALUE : FAIL;
    }
  };
}

function jsonCoercer(): Coercer {
  return (raw, textual) => {
    if (raw === null || raw === undefined) return NULL_VALUE;
    if (textual && typeof raw === 'string') {
      // A CSV field in a json column holds JSON text: keep it as written when it parses.
      try {
        JSON.parse(raw);
        return typed(raw);
      } catch {
        return INVALID_JSON;
      }
    }
    try {
      // Numbers a double cannot carry are written as their literals, digit for digit.
      const text = exactJsonText(raw);
      return text === undefined ? FAIL : typed(text);
    } catch {
      // Cyclic structures: readers never produce them.
      return FAIL;
    }
  };
}

/**
 * Compiles the coercer of one column type; compile once per contract, call per value.
 * `ranges`: the dates and timestamps the warehouse can store (its dialect's capabilities).
 */
export function compileCoercer(type: ColumnType, mode: CoercionMode = 'lossless', ranges?: TemporalRanges): Coercer {
  const lossless = mode === 'lossless';
  switch (type.name) {
    case 'integer':
      return integerCoercer(lossless);
    case 'double':
      return doubleCoercer(lossless);
    case 'decimal':
      return decimalCoercer(type, lossless);
    case 'boolean':
      return booleanCoercer(lossless);
    case 'date':
      return dateCoercer(ranges);
    case 'timestamp':
      return timestampCoercer(ranges);
    case 'string':
      return stringCoercer(lossless);
    case 'json':
      return jsonCoercer();
  }
}

export interface CoerceOptions {
  /** The value is CSV text: parsing it is typing, not coercion. Default false. */
  textual?: boolean;
  /** The contract's `evolution.coercion`. Default 'lossless'. */
  mode?: CoercionMode;
}

/** Types one value; compiles a coercer per call, so hot paths use compileCoercer instead. */
export function coerce(raw: unknown, type: ColumnType, options: CoerceOptions = {}): CoerceResult {
  return compileCoercer(type, options.mode)(raw, options.textual ?? false);
}
