/**
 * Recognizers for raw values: the JSON type of a value, strict numerals, ISO-8601 dates
 * and timestamps. Shared by the validator, the batch profile and contract inference so
 * that all three agree on what "looks like an integer" means.
 */
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

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** `YYYY-MM-DD` */
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff…]][Z|±HH[:]MM]` */
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const max = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= max;
}

/** Days since 1970-01-01 for a valid calendar date (proleptic Gregorian). */
function epochDays(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** The date as `YYYY-MM-DD` when `text` is a valid calendar date in that form, else undefined. */
export function parseIsoDate(text: string): string | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, m, d] = match;
  return validDate(Number(y), Number(m), Number(d)) ? text : undefined;
}

/**
 * Microseconds since the epoch (UTC) when `text` is an ISO-8601 timestamp (or a plain
 * date, read as midnight UTC), else undefined. A timestamp without an offset is read as
 * UTC. Fractions finer than a microsecond are refused unless they are zeros, because
 * keeping them would be lossy.
 */
export function parseIsoTimestamp(text: string): bigint | undefined {
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
