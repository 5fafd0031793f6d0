/**
 * JSON parsing that never loses a number. JSON.parse (Node 20 has no source-text access)
 * rounds every number to a double; it stays the fast path, and a record is parsed a second
 * time, by lossless-json, only when a cheap test says a number literal in it may not be
 * faithful as a double. False positives (a long digit run inside a string, a zero) only
 * cost that second parse.
 *
 * The invariant the sensor relies on: a plain `number` in a parsed value is *faithful* —
 * its literal had at most 15 significant digits (every such decimal survives a double and
 * back), it is a safe integer when whole, and it lies in the double's normal range (or is
 * zero). Every other number is a NumberLiteral holding its text.
 *
 * The test, in two cheap parts (for an ordinary record, a fraction of its JSON.parse):
 * - a literal with more than 15 digits has a run of 16 or more digits and points, which
 *   the text scan finds by looking at every eighth character only;
 * - a literal with at most 15 digits is faithful unless its exponent took it out of range:
 *   then JSON.parse gave ±Infinity, a subnormal, an unsafe integer or 0 — which a walk over
 *   the parsed numbers sees. A 0 is a suspect only when the text holds `e-`/`E-` (how a
 *   literal underflows to 0); every other 0 is a literal zero.
 */
import { parse } from 'lossless-json';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './_raw.js';
import { NumberLiteral } from './number-literal.js';

/** A mantissa this long may have more significant digits than a double keeps. */
const LONG_RUN = 16;
/** The smallest normal double: below it a double keeps fewer digits (and underflows to 0). */
const MIN_NORMAL = 2.2250738585072014e-308;
/** Integers from here on are not all doubles (Number.MAX_SAFE_INTEGER + 1). */
const UNSAFE_INTEGER = 2 ** 53;
/** Every decimal with at most this many significant digits survives a double and back. */
const DOUBLE_SAFE_DIGITS = 15;

const isMantissaChar = (code: number): boolean => (code >= 48 && code <= 57) || code === 46;

/**
 * Whether some character run of digits and points is LONG_RUN long. Looking at every
 * eighth character finds any such run (16 consecutive positions always hold two that are 8
 * apart, both multiples of 8), so an ordinary record costs a few comparisons. `bytes` are
 * the text's UTF-8 (digits are ASCII, so runs are the same), faster to index when at hand.
 */
function hasLongRun(text: string, bytes: Uint8Array | undefined, start: number, end: number): boolean {
  if (bytes === undefined) {
    const last = text.length - 8;
    for (let at = 0; at < last; at += 8) {
      if (isMantissaChar(text.charCodeAt(at)) && isMantissaChar(text.charCodeAt(at + 8)) && longRunAt((i) => text.charCodeAt(i), 0, text.length, at)) return true;
    }
    return false;
  }
  const last = end - 8;
  for (let at = start; at < last; at += 8) {
    if (isMantissaChar(bytes[at] as number) && isMantissaChar(bytes[at + 8] as number) && longRunAt((i) => bytes[i] as number, start, end, at)) return true;
  }
  return false;
}

/** Whether the run of mantissa characters through `at` is LONG_RUN long (only asked on a likely hit). */
function longRunAt(codeAt: (i: number) => number, start: number, end: number, at: number): boolean {
  let first = at;
  while (first > start && isMantissaChar(codeAt(first - 1))) first -= 1;
  let last = at;
  while (last < end && isMantissaChar(codeAt(last))) last += 1;
  return last - first >= LONG_RUN;
}

// How suspect a parsed value's numbers are, as numbers so that the walk compares cheaply.
const NONE = 0;
const ZERO = 1;
const OUT_OF_RANGE = 2;

/** The worst number in a parsed value: one out of the faithful range, a zero, or none. */
function suspectNumber(value: unknown, depth: number): number {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    if (magnitude >= MIN_NORMAL && magnitude < UNSAFE_INTEGER) return NONE;
    return value === 0 ? ZERO : OUT_OF_RANGE;
  }
  // Deeper nesting makes the record malformed (the readers check it): nothing to make exact.
  if (typeof value !== 'object' || value === null || depth > MAX_JSON_DEPTH) return NONE;
  let worst = NONE;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const suspect = suspectNumber(value[i], depth + 1);
      if (suspect === OUT_OF_RANGE) return OUT_OF_RANGE;
      if (suspect > worst) worst = suspect;
    }
    return worst;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    const suspect = suspectNumber(object[key], depth + 1);
    if (suspect === OUT_OF_RANGE) return OUT_OF_RANGE;
    if (suspect > worst) worst = suspect;
  }
  return worst;
}

/**
 * Whether `text` (whose JSON.parse is `parsed`) may hold a number literal that is not
 * faithful as a double. Never false for one that is not.
 */
export function mayHoldInexactNumber(text: string, parsed: unknown, bytes?: Uint8Array, start = 0, end = bytes?.length ?? 0): boolean {
  if (hasLongRun(text, bytes, start, end)) return true;
  const suspect = suspectNumber(parsed, 0);
  if (suspect === ZERO) return text.includes('e-') || text.includes('E-');
  return suspect === OUT_OF_RANGE;
}

function significantDigits(literal: string): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < literal.length; i += 1) {
    const code = literal.charCodeAt(i);
    if (code === 101 || code === 69) break; // the exponent
    if (code < 48 || code > 57) continue;
    count += 1;
    if (code !== 48) {
      if (first < 0) first = count;
      last = count;
    }
  }
  return first < 0 ? 0 : last - first + 1;
}

/** The literal as a plain number when that is faithful (see above), else as a NumberLiteral. */
export function numberOfLiteral(literal: string): number | NumberLiteral {
  const value = Number(literal);
  const digits = significantDigits(literal);
  const faithful =
    digits <= DOUBLE_SAFE_DIGITS &&
    Number.isFinite(value) &&
    (!Number.isInteger(value) || Number.isSafeInteger(value)) &&
    (value === 0 ? digits === 0 : Math.abs(value) >= MIN_NORMAL);
  return faithful ? value : new NumberLiteral(literal);
}

/** JSON.parse keeps the last of repeated keys (at the first one's place): so does the exact parse. */
const lastWins = ({ newValue }: { newValue: unknown }): unknown => newValue;

/** Parses JSON text with every number faithful or a NumberLiteral. Throws SyntaxError like JSON.parse. */
export function parseExact(text: string): unknown {
  return parse(text, null, { parseNumber: numberOfLiteral, onDuplicateKey: lastWins });
}

/**
 * `parsed` (JSON.parse of `text`) with its numbers made exact: the same value unless the
 * test above says otherwise. `bytes[start, end)`: the text's UTF-8, when the caller has it.
 */
export function exactValue(text: string, parsed: unknown, bytes?: Uint8Array, start?: number, end?: number): unknown {
  if (!mayHoldInexactNumber(text, parsed, bytes, start, end)) return parsed;
  // Too deep is malformed (the readers check it), and the exact parser recurses.
  if (exceedsJsonDepth(text)) return parsed;
  return parseExact(text);
}

/** JSON.parse with exact numbers, for text read back from bronze or quarantine. */
export function parseJsonExact(text: string): unknown {
  return exactValue(text, JSON.parse(text));
}
