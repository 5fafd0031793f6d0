/**
 * BulkWriter over DuckDB's appender, the engine's fastest write path. The appender
 * writes every column of the table in its physical order, so the given columns are
 * mapped onto that order once; columns not given get their default (NULL). Each column
 * gets its append function once, as a closure: no per-value switch on types.
 */
import { DuckDBTimestampValue, DuckDBTypeId, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { TypeName } from '../../contract/types.js';
import type { TypedValue } from '../../sensor/types.js';
import { AetlError } from '../../util/errors.js';
import type { BulkWriter, ColumnDef, DescribedColumn } from '../warehouse.js';
import { duckdbError } from './duckdb-errors.js';
import { TYPED_VALUE_JS_TYPE } from '../../sensor/types.js';

type Append = (value: TypedValue) => void;

/** The engine type each contract type is stored as (JSON is VARCHAR with an alias). */
const STORED_AS: Record<TypeName, DuckDBTypeId> = {
  string: DuckDBTypeId.VARCHAR,
  json: DuckDBTypeId.VARCHAR,
  integer: DuckDBTypeId.BIGINT,
  double: DuckDBTypeId.DOUBLE,
  decimal: DuckDBTypeId.DECIMAL,
  boolean: DuckDBTypeId.BOOLEAN,
  date: DuckDBTypeId.DATE,
  timestamp: DuckDBTypeId.TIMESTAMP,
};

const CARRIED_AS = TYPED_VALUE_JS_TYPE;

function appendFor(appender: DuckDBAppender, table: string, column: ColumnDef): Append {
  const expected = CARRIED_AS[column.type.name];
  const wrongValue = (value: TypedValue): never => {
    throw new AetlError('internal', `column ${column.name} of ${table} (${column.type.name}) was given a ${typeof value}: ${String(value)}`, {
      hint: `${column.type.name} values are written as ${expected} (see TypedValue in sensor/types.ts)`,
    });
  };
  const write = appendValueFor(appender, column.type.name);
  return (value) => {
    if (value === null) appender.appendNull();
    else if (typeof value === expected) write(value as never);
    else wrongValue(value);
  };
}

function appendValueFor(appender: DuckDBAppender, type: TypeName): (value: never) => void {
  switch (type) {
    // Dates and decimals are text: DuckDB casts them to DATE / DECIMAL(p,s) exactly as in SQL.
    case 'string':
    case 'json':
    case 'decimal':
      return (value: string) => appender.appendVarchar(value);
    case 'date':
      // DuckDB reads ISO's negative years (`-0001` is 2 BC) but not the `+` of an expanded one.
      return (value: string) => appender.appendVarchar(value.charCodeAt(0) === 43 ? value.slice(1) : value);
    case 'integer':
      return (value: bigint) => appender.appendBigInt(value);
    case 'double':
      return (value: number) => appender.appendDouble(value);
    case 'boolean':
      return (value: boolean) => appender.appendBoolean(value);
    case 'timestamp':
      return (value: bigint) => appender.appendTimestamp(new DuckDBTimestampValue(value));
  }
}

function fold(name: string, caseSensitive: boolean): string {
  return caseSensitive ? name : name.toLowerCase();
}

/**
 * `physical` is the table as describeTable reports it, in column order. Unknown or
 * mistyped columns are refused here, before any row is written.
 */
export async function duckdbBulkWriter(
  connection: DuckDBConnection,
  table: string,
  columns: readonly ColumnDef[],
  physical: readonly DescribedColumn[],
  caseSensitive: boolean,
): Promise<BulkWriter & { abort(): void }> {
  const positions = new Map(physical.map((column, i) => [fold(column.name, caseSensitive), i]));
  const source = new Array<number>(physical.length).fill(-1);
  columns.forEach((column, i) => {
    const at = positions.get(fold(column.name, caseSensitive));
    if (at === undefined) {
      throw new AetlError('warehouse_failed', `table ${table} has no column ${column.name}`, {
        hint: 'add the column (add_column) before writing it',
      });
    }
    source[at] = i;
  });

  let appender: DuckDBAppender;
  try {
    appender = await connection.createAppender(table);
  } catch (error) {
    throw duckdbError(error, `append to ${table}`);
  }
  const appends: Append[] = source.map((from, at) => {
    if (from < 0) return () => appender.appendDefault();
    const column = columns[from] as ColumnDef;
    const actual = appender.columnType(at);
    if (actual.typeId !== STORED_AS[column.type.name]) {
      throw new AetlError('warehouse_failed', `column ${column.name} of ${table} is ${actual.toString()} in the warehouse, not ${column.type.name}`, {
        hint: 'the table and the contract disagree: apply the pending widening, or write with the table\'s current types',
      });
    }
    return appendFor(appender, table, column);
  });
  const width = appends.length;
  let state: 'open' | 'closed' | 'failed' = 'open';

  function abort(): void {
    if (state === 'closed') return;
    state = 'closed';
    try {
      appender.clear();
      appender.closeSync();
    } catch {
      // Discarding rows of a transaction that rolls back anyway; nothing to report.
    }
  }

  return {
    append(row) {
      if (state !== 'open') throw new AetlError('internal', `the bulk writer for ${table} is ${state}`, { hint: 'open a new bulk writer' });
      if (row.length !== columns.length) {
        throw new AetlError('internal', `a row for ${table} has ${row.length} values for ${columns.length} columns`, {
          hint: 'give one value per column passed to bulkWriter, in that order',
        });
      }
      try {
        for (let at = 0; at < width; at++) (appends[at] as Append)(row[source[at] as number] as TypedValue);
        appender.endRow();
      } catch (error) {
        // A half-appended row cannot be taken back: the writer (and its transaction) is done.
        state = 'failed';
        throw duckdbError(error, `append to ${table}`);
      }
    },
    async close() {
      if (state === 'closed') return;
      if (state === 'failed') {
        abort();
        throw new AetlError('warehouse_failed', `the bulk writer for ${table} failed earlier; its rows were not written`, {
          hint: 'roll back the transaction and write the rows again',
        });
      }
      state = 'closed';
      try {
        appender.closeSync();
      } catch (error) {
        throw duckdbError(error, `append to ${table}`);
      }
    },
    abort,
  };
}
