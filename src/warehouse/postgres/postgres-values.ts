/**
 * Values crossing the PostgreSQL boundary, per the TypedValue convention: results come back
 * as BIGINT → bigint, NUMERIC → text, TIMESTAMP WITH TIME ZONE → ISO-8601 with Z, DATE →
 * 'YYYY-MM-DD', JSON → its text (callers parse it); timestamps go out as ISO text. The
 * parsers are given to each pool (not set globally on `pg`), and rely on the session
 * settings the driver makes: TimeZone UTC, DateStyle ISO.
 */
import pg from 'pg';
import { isoFromMicros } from '../iso-time.js';

/** Type OIDs from pg_type. */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  json: 114,
  jsonb: 3802,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

const asText = (value: string): string => value;

/** `2024-02-29 00:00:00.123456+00` → `2024-02-29T00:00:00.123456Z` (as isoFromMicros spells it). */
const PG_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00)?$/;

export function isoFromPgTimestamp(text: string): string {
  const match = PG_TIMESTAMP.exec(text);
  // BC, years past 9999 and ±infinity have no ISO form here: PostgreSQL's spelling is kept.
  if (match === null) return text;
  const digits = (match[3] ?? '').padEnd(6, '0');
  const fraction = digits.endsWith('000') ? digits.slice(0, 3) : digits;
  return `${match[1]}T${match[2]}.${fraction}Z`;
}

const parseBigInt = (value: string): bigint => BigInt(value);

/** Per-pool parsers: the few that differ from `pg`'s defaults, and text for types with no SqlValue form. */
export function getTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
  switch (oid) {
    case OID.int8:
      return parseBigInt;
    case OID.timestamp:
    case OID.timestamptz:
      return isoFromPgTimestamp;
    case OID.bool:
    case OID.int2:
    case OID.int4:
    case OID.oid:
    case OID.float4:
    case OID.float8:
      return pg.types.getTypeParser(oid, 'text');
    default:
      // NUMERIC, DATE and JSON stay text; so does anything else (arrays, intervals, …), as printed.
      return asText;
  }
}

/**
 * A timestamp (bigint microseconds, UTC) as text PostgreSQL reads exactly. Years 1–9999 are
 * ISO-8601; earlier ones are written with ` BC` (year 0 is 1 BC), later ones with more digits
 * (up to the 294276 AD PostgreSQL ends at, past what a JavaScript Date can spell).
 */
export function pgTimestampText(micros: bigint): string {
  const iso = isoFromMicros(micros);
  const first = iso.charCodeAt(0);
  // '+' / '-': a six-digit extended year; '0000': year 0.
  if (first !== 43 && first !== 45 && !iso.startsWith('0000')) return iso;
  const dash = iso.indexOf('-', 1);
  const year = Number(iso.slice(0, dash));
  const rest = iso.slice(dash);
  return year <= 0 ? `${String(1 - year).padStart(4, '0')}${rest} BC` : `${year}${rest}`;
}

/**
 * A date (`YYYY-MM-DD`, or ISO's signed years: `-0001-12-31`, `+10000-01-01`) as text
 * PostgreSQL reads: it refuses year 0 and negative years, which it spells `BC` (year 0 is
 * 1 BC), and the `+` of an expanded year.
 */
export function pgDateText(date: string): string {
  const first = date.charCodeAt(0);
  if (first !== 43 && first !== 45 && !date.startsWith('0000')) return date;
  const dash = date.indexOf('-', 1);
  const year = Number(date.slice(0, dash));
  const rest = date.slice(dash);
  return year <= 0 ? `${String(1 - year).padStart(4, '0')}${rest} BC` : `${year}${rest}`;
}
