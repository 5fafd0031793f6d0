/**
 * Values crossing the DuckDB boundary: parameter types for binding, and plain rows from
 * results (BIGINT → bigint, DECIMAL → text, TIMESTAMP → ISO-8601 with Z, DATE →
 * YYYY-MM-DD). One converter per result column, chosen once per query.
 */
import {
  BIGINT,
  DuckDBTypeId,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { INT64_MAX, INT64_MIN } from '../../sensor/values.js';
import { isoFromMicros } from '../iso-time.js';
import type { Row, SqlValue } from '../warehouse.js';

/**
 * The engine's inference binds every bigint as HUGEINT, which makes comparisons with
 * BIGINT columns cast the column; 64-bit values are bound as BIGINT instead.
 */
export function parameterTypes(params: readonly SqlValue[]): (DuckDBType | undefined)[] {
  return params.map((value) => (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX ? BIGINT : undefined));
}

type Converter = (value: DuckDBValue) => SqlValue;

/** JavaScript Dates reach ±8.64e15 ms from the epoch. */
const DATE_LIMIT_MICROS = 8_640_000_000_000_000_000n;

const asIs: Converter = (value) => value as SqlValue;
const asText: Converter = (value) => (value === null ? null : String(value));

function micros(value: DuckDBValue): SqlValue {
  if (value === null) return null;
  const timestamp = value as { micros: bigint; isFinite: boolean };
  // ±infinity and instants past JavaScript's Date range have no ISO form here; DuckDB's own spelling is kept.
  const inRange = timestamp.micros >= -DATE_LIMIT_MICROS && timestamp.micros <= DATE_LIMIT_MICROS;
  return timestamp.isFinite && inRange ? isoFromMicros(timestamp.micros) : String(value);
}

function converterFor(type: DuckDBType): Converter {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.SQLNULL:
      return asIs;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return micros;
    default:
      // DECIMAL and DATE print canonically (`-0.05`, `2024-01-15`); other types have no
      // TypedValue form and are shown as DuckDB prints them.
      return asText;
  }
}

export function rowsFromReader<T extends Row>(reader: DuckDBResultReader): T[] {
  const names = reader.deduplicatedColumnNames();
  const converters = reader.columnTypes().map(converterFor);
  const width = names.length;
  return reader.getRows().map((values) => {
    const row: Row = {};
    for (let i = 0; i < width; i++) row[names[i] as string] = (converters[i] as Converter)(values[i] as DuckDBValue);
    return row as T;
  });
}
