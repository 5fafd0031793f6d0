/**
 * Where each record of a table ended, read from the warehouse: every silver row and every
 * quarantined record not yet replayed, with its reasons. Tests of the conservation promise
 * compare this with the records counted from the files' own text.
 */
import { join } from 'node:path';
import { withWarehouse } from './warehouse.js';

export interface PlacedReason {
  kind: string;
  column?: string | null;
  message: string;
}

export interface Placed {
  file: string;
  line: number;
  place: 'silver' | 'quarantine';
  reasons: PlacedReason[];
}

export async function placements(dir: string, table: string): Promise<Placed[]> {
  return withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
    const silver = await wh.query(`SELECT "_file" AS f, "_line" AS l FROM "${table}"`);
    const quarantined = await wh.query(`SELECT "_file" AS f, "_line" AS l, "reasons" AS r FROM "quarantine_${table}" WHERE "status" <> 'replayed'`);
    return [
      ...silver.map((row): Placed => ({ file: String(row.f), line: Number(row.l), place: 'silver', reasons: [] })),
      ...quarantined.map((row): Placed => ({ file: String(row.f), line: Number(row.l), place: 'quarantine', reasons: JSON.parse(String(row.r)) as PlacedReason[] })),
    ];
  });
}
