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
 * precision, exact only below 2^53 µs (±285 years), so whole seconds and the remaining
 * microseconds are added separately: exact for ±18,000 years (seconds × 10^6 stays a
 * multiple of 64 below 2^59).
 */
function timestampFromMicros(parameter: string): string {
  return `('epoch'::timestamptz + (${parameter}::bigint / 1000000) * interval '1 second' + (${parameter}::bigint % 1000000) * interval '1 microsecond')`;
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
