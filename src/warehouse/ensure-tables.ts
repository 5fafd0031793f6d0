/**
 * Creates what a pipeline needs in the warehouse — the system tables and, per contract,
 * bronze, silver and quarantine — and brings silver up to the contract's columns when a
 * new contract version added some. Idempotent: safe at every start.
 */
import type { Contract } from '../contract/types.js';
import { addColumnSql, createTableSql } from './ddl.js';
import { bronzeTable, quarantineTable, silverTable, systemTables } from './tables.js';
import type { Warehouse } from './warehouse.js';

export async function ensureSystemTables(warehouse: Warehouse): Promise<void> {
  for (const table of systemTables()) await warehouse.run(createTableSql(warehouse.dialect, table));
}

export async function ensureContractTables(warehouse: Warehouse, contract: Contract): Promise<void> {
  const { dialect } = warehouse;
  await warehouse.transaction(async (tx) => {
    await tx.run(createTableSql(dialect, bronzeTable(contract.table)));
    await tx.run(createTableSql(dialect, quarantineTable(contract.table)));
    const silver = silverTable(contract);
    const existing = await tx.describeTable(silver.name);
    if (existing === undefined) {
      await tx.run(createTableSql(dialect, silver));
      return;
    }
    // Names are compared as the engine stores them: DuckDB folds case, so `Amount` there
    // is `amount` (the contract loader refuses two columns that differ only by case), and
    // PostgreSQL shortens names over 63 bytes (a needless ADD COLUMN would lock the table).
    const physical = dialect.physicalName ?? ((name: string) => name);
    const fold = dialect.capabilities.caseSensitiveIdentifiers === false ? (name: string) => physical(name).toLowerCase() : physical;
    const present = new Set(existing.map((column) => fold(column.name)));
    for (const column of silver.columns) {
      if (!present.has(fold(column.name))) await tx.run(addColumnSql(dialect, silver.name, column));
    }
  });
}
