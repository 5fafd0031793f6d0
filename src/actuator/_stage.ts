/**
 * Staging tables: per-row results (ids, values, reasons) written with the bulk writer and
 * then applied by one set-based UPDATE, instead of one statement per row. A staging table
 * is an ordinary table (bulk writers describe tables through the catalog, which on DuckDB
 * does not list TEMP tables), created and dropped inside the caller's transaction; a
 * leftover from a crash on an engine without transactional DDL is dropped on the next use.
 */
import type { ColumnType } from '../contract/types.js';
import { createTableSql } from '../warehouse/ddl.js';
import type { Dialect, TableDef, WarehouseSession } from '../warehouse/warehouse.js';

/** `_aetl_<purpose>_<table>`: one per table and purpose, so work on two tables never collides. */
export function stageName(purpose: 'replay' | 'replay_candidates' | 'backfill' | 'backfill_values', table: string): string {
  return `_aetl_${purpose}_${table}`;
}

export async function dropStage(session: WarehouseSession, dialect: Dialect, name: string): Promise<void> {
  await session.run(`DROP TABLE IF EXISTS ${dialect.quoteIdent(name)}`);
}

/** Drops any leftover, then creates the table empty. */
export async function createStage(session: WarehouseSession, dialect: Dialect, def: TableDef): Promise<void> {
  await dropStage(session, dialect, def.name);
  await session.run(createTableSql(dialect, def));
}

/** The n-th placeholder, converted for `type` when the dialect needs it (timestamps as microseconds). */
export function typedParameter(dialect: Dialect, index: number, type: ColumnType): string {
  return dialect.parameterAs === undefined ? dialect.placeholder(index) : dialect.parameterAs(index, type);
}
