/** The contract tables this warehouse holds, from the contract versions it has stored. */
import { contractsTable } from '../warehouse/tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export async function knownTables(warehouse: Warehouse): Promise<string[]> {
  const q = warehouse.dialect.quoteIdent;
  const rows = await warehouse.query<{ table_name: string }>(
    `SELECT DISTINCT ${q('table_name')} FROM ${q(contractsTable.name)} ORDER BY ${q('table_name')}`,
  );
  return rows.map((row) => row.table_name);
}

/** Counts come back as bigint from some engines and number from others. */
export function toCount(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}
