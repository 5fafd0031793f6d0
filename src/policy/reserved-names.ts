/**
 * Column names agentic-etl itself writes: a data key spelled like one (`_file`,
 * `_record_id`, `_INGESTED_AT`, …) must never become a contract column. In silver it would
 * collide with the system column of that name (the DDL fails, or — with `IF NOT EXISTS` — two
 * contract columns share one table column), and provenance must never be data-controlled.
 */
import { bronzeTable, quarantineTable, SILVER_SYSTEM_COLUMNS } from '../warehouse/tables.js';

/**
 * The `_`-prefixed system columns of silver, bronze and quarantine, lower-cased (engines
 * such as DuckDB fold case). Quarantine's unprefixed bookkeeping columns (`status`,
 * `reasons`, …) are not here: data columns never share that table (the record is kept
 * whole in `_value`), and `status` is an ordinary name for a data column.
 */
const RESERVED: ReadonlyMap<string, string> = new Map(
  [...SILVER_SYSTEM_COLUMNS, ...bronzeTable('t').columns, ...quarantineTable('t').columns]
    .map((column) => column.name)
    .filter((name) => name.startsWith('_'))
    .map((name) => [name.toLowerCase(), name]),
);

/** The system column `name` would collide with (case and surrounding spaces ignored), if any. */
export function reservedColumn(name: string): string | undefined {
  return RESERVED.get(name.trim().toLowerCase());
}

/** The hard-rule reason refusing a new column named `name`, or undefined when the name is free. */
export function reservedNameDenial(name: string): string | undefined {
  const system = reservedColumn(name);
  if (system === undefined) return undefined;
  return `hard rule: \`${name}\` is reserved: agentic-etl's system column \`${system}\` has that name; the key stays in quarantine (rename it at the producer, or map it onto a contract column with a rename)`;
}
