/**
 * The one DDL/DML builder: pure functions from table definitions to SQL text. Dialects
 * supply quoting, type names, placeholders and the few spellings that differ; nothing
 * here branches on an engine's name. Every identifier goes through `quoteIdent`, so no
 * name taken from a contract or from data can end the statement.
 */
import type { ColumnType } from '../contract/types.js';
import { AetlError } from '../util/errors.js';
import type { ColumnDef, Dialect, TableDef } from './warehouse.js';

function columnSql(d: Dialect, column: ColumnDef): string {
  let sql = `${d.quoteIdent(column.name)} ${d.typeName(column.type)}`;
  if (column.nullable === false) sql += ' NOT NULL';
  if (column.unique === true) sql += ' UNIQUE';
  return sql;
}

/** `CREATE TABLE IF NOT EXISTS` with NOT NULL, per-column UNIQUE and `uniqueTogether`. */
export function createTableSql(d: Dialect, def: TableDef): string {
  if (def.columns.length === 0) {
    throw new AetlError('internal', `table ${def.name} has no columns`, {
      hint: 'a table definition needs at least one column',
    });
  }
  const parts = def.columns.map((column) => columnSql(d, column));
  if (def.uniqueTogether !== undefined && def.uniqueTogether.length > 0) {
    parts.push(`UNIQUE (${def.uniqueTogether.map((name) => d.quoteIdent(name)).join(', ')})`);
  }
  return `CREATE TABLE IF NOT EXISTS ${d.quoteIdent(def.name)} (${parts.join(', ')})`;
}

/**
 * Adds a nullable column. With `capabilities.addColumnIfNotExists` the statement is
 * idempotent; without it the caller checks describeTable first. Constraints are refused
 * because rows already in the table could not satisfy them (and engines differ on
 * whether they can be added this way at all).
 */
export function addColumnSql(d: Dialect, table: string, column: ColumnDef): string {
  if (column.nullable === false || column.unique === true) {
    throw new AetlError('internal', `column ${column.name} of ${table} cannot be added with NOT NULL or UNIQUE`, {
      hint: 'added columns are nullable and unconstrained: existing rows have no value for them',
    });
  }
  const ifNotExists = d.capabilities.addColumnIfNotExists === true ? ' IF NOT EXISTS' : '';
  return `ALTER TABLE ${d.quoteIdent(table)} ADD COLUMN${ifNotExists} ${columnSql(d, column)}`;
}

/** Changes a column's type; meant for the lossless widenings of contract/widening.ts only. */
export function alterColumnTypeSql(d: Dialect, table: string, column: string, type: ColumnType): string {
  const quotedTable = d.quoteIdent(table);
  const quotedColumn = d.quoteIdent(column);
  const typeName = d.typeName(type);
  if (d.alterColumnType !== undefined) return d.alterColumnType(quotedTable, quotedColumn, typeName);
  return `ALTER TABLE ${quotedTable} ALTER COLUMN ${quotedColumn} TYPE ${typeName}`;
}

/**
 * `INSERT INTO t (a, b) VALUES ($1, $2)` for one row whose parameters are TypedValues in
 * the columns' order; `parameterAs` converts those the engine cannot take as they are.
 */
export function insertSql(d: Dialect, table: string, columns: readonly ColumnDef[]): string {
  const names = columns.map((column) => d.quoteIdent(column.name)).join(', ');
  const values = columns
    .map((column, i) => (d.parameterAs === undefined ? d.placeholder(i + 1) : d.parameterAs(i + 1, column.type)))
    .join(', ');
  return `INSERT INTO ${d.quoteIdent(table)} (${names}) VALUES (${values})`;
}
