/**
 * DuckDB's spelling of the generic SQL: quoting, type names, `$n` placeholders and what
 * the engine can do. No runtime dependency on @duckdb/node-api.
 */
import type { TypeName } from '../../contract/types.js';
import type { Capabilities, Dialect } from '../warehouse.js';
import { sqlDialect } from '../sql-dialect.js';

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  multiColumnAlter: false,
  // DuckDB sets no practical limit on identifier length.
  maxIdentifierBytes: 1 << 20,
  // One process holds the file's write lock.
  concurrentWriters: false,
  addColumnIfNotExists: true,
  // Quoted identifiers keep their case but are matched case-insensitively.
  caseSensitiveIdentifiers: false,
  // DATE: ±2^31−2 days from 1970 (5877642-06-25 BC … 5881580-07-10); TIMESTAMP: int64
  // microseconds but the two ends DuckDB keeps for ±infinity (290309-12-22 BC … 294247).
  temporalRanges: {
    date: { min: '-5877641-06-25', max: '+5881580-07-10' },
    timestamp: { min: '-290308-12-22T00:00:00Z', max: '+294247-01-10T04:00:54.775806Z' },
  },
};

/**
 * TIMESTAMP (not TIMESTAMPTZ): values are UTC by convention, which needs no ICU extension
 * and no session time zone. JSON is built into the bundled DuckDB (checked by the tests).
 */
const TYPE_NAMES: Record<Exclude<TypeName, 'decimal'>, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

export const duckdbDialect: Dialect = sqlDialect({
  name: 'duckdb',
  engine: 'DuckDB',
  capabilities: CAPABILITIES,
  typeNames: TYPE_NAMES,
  decimalName: 'DECIMAL',
  timestampFromMicros: (parameter) => `make_timestamp(CAST(${parameter} AS BIGINT))`,
});
