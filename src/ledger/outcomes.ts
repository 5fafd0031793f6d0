/**
 * Where each record went — silver (and whether a value was coerced) or quarantine (with
 * its reason kinds) — for scoring against a chaos manifest.
 */
import type { RecordOutcome } from '../chaos/scorecard.js';
import { quarantineTableName } from '../warehouse/tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export type { RecordOutcome };

export async function recordOutcomes(warehouse: Warehouse, table: string): Promise<RecordOutcome[]> {
  const q = warehouse.dialect.quoteIdent;
  const silver = await warehouse.query(`SELECT ${q('_file')} AS f, ${q('_line')} AS l, ${q('_coercions')} AS c FROM ${q(table)}`);
  const quarantined = await warehouse.query(
    `SELECT ${q('_file')} AS f, ${q('_line')} AS l, ${q('reasons')} AS r FROM ${q(quarantineTableName(table))} WHERE ${q('status')} <> 'replayed'`,
  );
  return [
    ...silver.map((row): RecordOutcome => ({ file: String(row.f), line: Number(row.l), place: 'silver', coerced: row.c !== null, reasons: [] })),
    ...quarantined.map(
      (row): RecordOutcome => ({
        file: String(row.f),
        line: Number(row.l),
        place: 'quarantine',
        coerced: false,
        reasons: (JSON.parse(String(row.r)) as Array<{ kind: string }>).map((reason) => reason.kind),
      }),
    ),
  ];
}
