/**
 * Recognizers for raw values: the JSON type of a value, strict numerals, ISO-8601 dates
 * and timestamps. Shared by the validator, the batch profile and contract inference so
 * that all three agree on what "looks like an integer" means.
 */
import { NumberLiteral } from '../readers/number-literal.js';
import { isWholeNumeral } from './numerals.js';
import type { JsonType } from './types.js';

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'double';
    case 'bigint':
      return 'integer';
    case 'object':
      if (value instanceof NumberLiteral) return isWholeNumeral(value.text) ? 'integer' : 'double';
      return Array.isArray(value) ? 'array' : 'object';
    default:
      return 'string';
  }
}

/** A whole number without leading zeros, sign allowed: `0`, `-12`, `1234`. Not `007`, `+1`, `1e3`. */
export const INTEGER_NUMERAL = /^-?(?:0|[1-9]\d*)$/;

/** A decimal numeral without leading zeros or exponent: `42.50`, `-0.5`, `3`. */
export const DECIMAL_NUMERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** A JSON-style number, exponent allowed: `1e-3`, `6.02E23`. */
export const FLOAT_NUMERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A number as CSV text writes it: a FLOAT_NUMERAL, or one without the zero before the point
 * (`.81`, `-.5`), as real exports do (NYC TLC trip distances). Text only: a JSON string
 * `".81"` is still not a number.
 */
export const TEXT_FLOAT_NUMERAL = /^-?(?:(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/*
 * The year of an ISO-8601 date: four digits (`0000` is 1 BC, the astronomical numbering
 * ISO uses), or a sign and 4–7 digits — ISO's expanded years (`-0001` is 2 BC, `+10000`),
 * which reach every warehouse's range (DuckDB's dates end in 5881580) while keeping the
 * arithmetic exact. Seven digits and no more: a longer run of digits is not a date.
 */

/** `YYYY-MM-DD` (the year as above) */
const DATE_PATTERN = /^(\d{4}|[+-]\d{4,7})-(\d{2})-(\d{2})$/;
/** `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff…]][Z|±HH[:]MM]` (the year as above) */
const TIMESTAMP_PATTERN =
  /^(\d{4}|[+-]\d{4,7})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const max = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= max;
}

/**
 * Days since 1970-01-01 for a valid calendar date (proleptic Gregorian), by integer
 * arithmetic (H. Hinnant's days_from_civil): Date.UTC would read years 0–99 as 1900–1999.
 */
export function epochDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Year, month and day of an ISO-8601 calendar date (expanded years included), else undefined. */
export function isoDateParts(text: string): { year: number; month: number; day: number } | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  return validDate(year, month, day) ? { year, month, day } : undefined;
}

/**
 * The date in its one spelling — `YYYY-MM-DD` for years 0–9999, a sign and at least four
 * digits beyond (`-0001-12-31`, `+10000-01-01`) — when `text` is a valid calendar date in
 * ISO-8601 form, else undefined.
 */
export function parseIsoDate(text: string): string | undefined {
  const parts = isoDateParts(text);
  if (parts === undefined) return undefined;
  const plain = text.charCodeAt(0) !== 43 && text.charCodeAt(0) !== 45; // no '+' / '-'
  return plain ? text : `${isoYear(parts.year)}${text.slice(text.indexOf('-', 1))}`;
}

/** A year as ISO-8601 writes it: four digits for 0–9999, else a sign and at least four digits. */
export function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(4, '0')}`;
}

/**
 * Microseconds since the epoch (UTC) when `text` is an ISO-8601 timestamp (or a plain
 * date, read as midnight UTC), else undefined. A timestamp without an offset is read as
 * UTC. Fractions finer than a microsecond are refused unless they are zeros, because
 * keeping them would be lossy.
 */
export function parseIsoTimestamp(text: string): bigint | undefined {
  const common = parseCommonTimestamp(text);
  return common === null ? parseAnyTimestamp(text) : common;
}

/** The value of the two ASCII digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const high = text.charCodeAt(at) - 48;
  const low = text.charCodeAt(at + 1) - 48;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/**
 * The hot path for the shapes nearly every producer writes —
 * `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM]` — without a regex match or intermediate
 * BigInts. Gives exactly what parseAnyTimestamp gives, or null for any other shape.
 */
function parseCommonTimestamp(text: string): bigint | undefined | null {
  const length = text.length;
  if (length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 32) return null; // 'T' or ' '
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let at = 19;
  let micros = 0;
  if (at < length && text.charCodeAt(at) === 46) {
    // '.': 1–9 fraction digits; beyond the sixth they must be zeros (finer is lossy).
    at += 1;
    const start = at;
    while (at < length && at - start < 10) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      if (at - start < 6) micros = micros * 10 + digit;
      else if (digit !== 0) return undefined;
      at += 1;
    }
    const digits = at - start;
    if (digits === 0 || digits > 9) return null;
    for (let i = digits; i < 6; i += 1) micros *= 10;
  }
  let offsetMinutes = 0;
  if (at < length) {
    const zone = text.charCodeAt(at);
    if (zone === 90 && at + 1 === length) {
      // 'Z'
    } else if ((zone === 43 || zone === 45) && at + 6 === length && text.charCodeAt(at + 3) === 58) {
      const offsetHours = twoDigits(text, at + 1);
      const offsetMins = twoDigits(text, at + 4);
      if (offsetHours < 0 || offsetMins < 0) return null;
      if (offsetHours > 23 || offsetMins > 59) return undefined;
      offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
    } else {
      return null;
    }
  }
  const year = century * 100 + yy;
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const seconds = epochDays(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  // Exact as a double while |micros| < 2^53 (years 1685–2255); BigInt arithmetic beyond.
  return Math.abs(seconds) < 9_000_000_000 ? BigInt(seconds * 1_000_000 + micros) : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

/** Every accepted shape, by the full pattern. */
function parseAnyTimestamp(text: string): bigint | undefined {
  const date = DATE_PATTERN.exec(text);
  if (date) {
    const [, y, m, d] = date;
    if (!validDate(Number(y), Number(m), Number(d))) return undefined;
    return BigInt(epochDays(Number(y), Number(m), Number(d))) * 86_400_000_000n;
  }
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let micros = 0n;
  if (fraction !== undefined) {
    if (fraction.length > 6 && !/^0+$/.test(fraction.slice(6))) return undefined;
    micros = BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  }
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const seconds = epochDays(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return BigInt(seconds) * 1_000_000n + micros;
}

/** ISO-8601 text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) of microseconds since the epoch. */
export function formatTimestampMicros(micros: bigint): string {
  const millis = micros / 1000n;
  const extra = Number(((micros % 1000n) + 1000n) % 1000n);
  const floorMillis = micros < 0n && extra !== 0 ? millis - 1n : millis;
  const iso = new Date(Number(floorMillis)).toISOString();
  return `${iso.slice(0, 23)}${String(extra).padStart(3, '0')}Z`;
}
