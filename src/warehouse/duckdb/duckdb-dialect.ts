/**
 * DuckDB's spelling of the generic SQL: quoting, type names, `$n` placeholders and what
 * the engine can do. No runtime dependency on @duckdb/node-api.
 */
import type { ColumnType, TypeName } from '../../contract/types.js';
import type { Capabilities, Dialect } from '../warehouse.js';
import { assertIdentifier } from '../identifiers.js';

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

function typeName(type: ColumnType): string {
  if (type.name === 'decimal') return `DECIMAL(${type.precision ?? 18},${type.scale ?? 0})`;
  return TYPE_NAMES[type.name];
}

function quoteIdent(name: string): string {
  assertIdentifier(name, 'DuckDB');
  return `"${name.replaceAll('"', '""')}"`;
}

function placeholder(index: number): string {
  return `$${index}`;
}

/** TypedValue carries timestamps as microseconds and dates/decimals as text. */
function parameterAs(index: number, type: ColumnType): string {
  switch (type.name) {
    case 'timestamp':
      return `make_timestamp(CAST($${index} AS BIGINT))`;
    case 'date':
    case 'decimal':
    case 'json':
      return `CAST($${index} AS ${typeName(type)})`;
    case 'string':
    case 'integer':
    case 'double':
    case 'boolean':
      return `$${index}`;
  }
}

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  capabilities: CAPABILITIES,
  quoteIdent,
  typeName,
  placeholder,
  parameterAs,
};
