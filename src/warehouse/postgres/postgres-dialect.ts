/**
 * PostgreSQL's spelling of the generic SQL: quoting (with the 63-byte identifier rule of
 * postgres-names.ts), type names, `$n` placeholders, and what the engine can do. No runtime
 * dependency on `pg`.
 */
import type { TypeName } from '../../contract/types.js';
import type { Capabilities, Dialect } from '../warehouse.js';
import { MAX_IDENTIFIER_BYTES, physicalName } from './postgres-names.js';
import { sqlDialect } from '../sql-dialect.js';

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  multiColumnAlter: true,
  maxIdentifierBytes: MAX_IDENTIFIER_BYTES,
  concurrentWriters: true,
  addColumnIfNotExists: true,
  caseSensitiveIdentifiers: true,
  // PostgreSQL's own ranges: DATE 4714-11-24 BC … 5874897-12-31, TIMESTAMP WITH TIME ZONE
  // from 4714-11-24 BC — up to 294276 AD, but our timestamps are 64-bit microseconds since
  // 1970 (TypedValue), which end in 294247. The tests write both ends to the server.
  temporalRanges: {
    date: { min: '-4713-11-24', max: '+5874897-12-31' },
    timestamp: { min: '-4713-11-24T00:00:00Z', max: '+294247-01-10T04:00:54.775807Z' },
  },
};

/**
 * Spelled as `information_schema.columns.data_type` reports them (upper-cased), so a
 * described column's engineType equals typeName for its contract type. TIMESTAMP WITH TIME
 * ZONE holds UTC instants (the session runs in UTC). JSON, not JSONB: it keeps the text
 * exactly as written, as DuckDB does (JSONB reorders keys and refuses `\u0000`), and
 * loads faster; cast to jsonb in a query or an index where operators are wanted.
 */
const TYPE_NAMES: Record<Exclude<TypeName, 'decimal'>, string> = {
  string: 'TEXT',
  integer: 'BIGINT',
  double: 'DOUBLE PRECISION',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  json: 'JSON',
};

/** `USING` states the conversion, which PostgreSQL requires for some widenings (e.g. to JSON). */
function alterColumnType(quotedTable: string, quotedColumn: string, type: string): string {
  return `ALTER TABLE ${quotedTable} ALTER COLUMN ${quotedColumn} TYPE ${type} USING ${quotedColumn}::${type}`;
}

/**
 * Timestamps arrive as bigint microseconds. `interval * bigint` multiplies in double
 * precision, exact only below 2^53, so whole days and the remaining microseconds (below
 * 2^37) are added separately: exact over the whole range (the session runs in UTC, so a
 * day is always 86,400 s). Whole seconds were not enough: beyond ±18,000 years their
 * product with 10^6 was rounded.
 */
function timestampFromMicros(parameter: string): string {
  return `('epoch'::timestamptz + (${parameter}::bigint / 86400000000) * interval '1 day' + (${parameter}::bigint % 86400000000) * interval '1 microsecond')`;
}

export const postgresDialect: Dialect = sqlDialect({
  name: 'postgres',
  engine: 'PostgreSQL',
  capabilities: CAPABILITIES,
  typeNames: TYPE_NAMES,
  decimalName: 'NUMERIC',
  timestampFromMicros,
  physicalName,
  alterColumnType,
});
