/** Per table: files, records, silver, quarantined and the quarantine rate — `agentic-etl status`. */
import { filesTable, quarantineTableName } from '../warehouse/tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { knownTables, toCount } from './known-tables.js';

export interface TableStatus {
  table: string;
  files: number;
  records: number;
  silver: number;
  quarantined: number;
  /** Open quarantine rows / records read; 0 when nothing was read. */
  quarantineRate: number;
  lastProcessedAt: string | null;
}

export async function tableStatus(warehouse: Warehouse, table: string): Promise<TableStatus> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const [row] = await warehouse.query(
    `SELECT (SELECT count(*) FROM ${q(filesTable.name)} WHERE ${q('table_name')} = ${p(1)}) AS files,
            (SELECT sum(${q('records')}) FROM ${q(filesTable.name)} WHERE ${q('table_name')} = ${p(1)}) AS records,
            (SELECT max(${q('processed_at')}) FROM ${q(filesTable.name)} WHERE ${q('table_name')} = ${p(1)}) AS last_at,
            (SELECT count(*) FROM ${q(table)}) AS silver,
            (SELECT count(*) FROM ${q(quarantineTableName(table))} WHERE ${q('status')} = 'open') AS quarantined`,
    [table],
  );
  const records = toCount(row?.records);
  const quarantined = toCount(row?.quarantined);
  return {
    table,
    files: toCount(row?.files),
    records,
    silver: toCount(row?.silver),
    quarantined,
    quarantineRate: records === 0 ? 0 : quarantined / records,
    lastProcessedAt: row?.last_at === null || row?.last_at === undefined ? null : String(row.last_at),
  };
}

export async function allTableStatus(warehouse: Warehouse): Promise<TableStatus[]> {
  const result: TableStatus[] = [];
  for (const table of await knownTables(warehouse)) result.push(await tableStatus(warehouse, table));
  return result;
}
