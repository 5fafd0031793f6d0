/**
 * The conservation invariant (DESIGN.md): for every file in the ledger, records read =
 * bronze rows = silver rows + quarantine rows not replayed, and no record is in silver
 * and open quarantine at once; and no row exists for a file the ledger does not know.
 */
import { bronzeTableName, filesTable, quarantineTableName } from '../warehouse/tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { knownTables, toCount } from './known-tables.js';
import { dict } from '../util/dict.js';

export interface FileAudit {
  table: string;
  fileId: string;
  key: string;
  records: number;
  bronze: number;
  silver: number;
  quarantined: number;
  /** Records both in silver and in quarantine (not replayed): must be 0. */
  inBoth: number;
  /** Extra copies of a `_record_id` within bronze, silver or open quarantine: must be 0. */
  duplicates: number;
  ok: boolean;
}

export interface AuditReport {
  files: FileAudit[];
  /** Rows in bronze, silver or quarantine whose file the ledger does not list, per table. */
  orphans: Record<string, number>;
  ok: boolean;
}

export async function auditTable(warehouse: Warehouse, table: string): Promise<{ files: FileAudit[]; orphans: number }> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const bronze = q(bronzeTableName(table));
  const silver = q(table);
  const quarantine = q(quarantineTableName(table));
  const open = `${q('status')} <> 'replayed'`;
  const rows = await warehouse.query(
    `WITH b AS (SELECT ${q('_file_id')} AS f, count(*) AS n, count(DISTINCT ${q('_record_id')}) AS d FROM ${bronze} GROUP BY 1),
          s AS (SELECT ${q('_file_id')} AS f, count(*) AS n, count(DISTINCT ${q('_record_id')}) AS d FROM ${silver} GROUP BY 1),
          qu AS (SELECT ${q('_file_id')} AS f, count(*) AS n, count(DISTINCT ${q('_record_id')}) AS d FROM ${quarantine} WHERE ${open} GROUP BY 1),
          o AS (SELECT qq.${q('_file_id')} AS f, count(*) AS n FROM ${quarantine} qq
                JOIN ${silver} ss ON ss.${q('_record_id')} = qq.${q('_record_id')} WHERE qq.${open} GROUP BY 1)
     SELECT l.${q('file_id')} AS file_id, l.${q('key')} AS key, l.${q('records')} AS records,
            b.n AS bronze, s.n AS silver, qu.n AS quarantined, o.n AS in_both,
            coalesce(b.n - b.d, 0) + coalesce(s.n - s.d, 0) + coalesce(qu.n - qu.d, 0) AS duplicates
     FROM ${q(filesTable.name)} l
     LEFT JOIN b ON b.f = l.${q('file_id')} LEFT JOIN s ON s.f = l.${q('file_id')}
     LEFT JOIN qu ON qu.f = l.${q('file_id')} LEFT JOIN o ON o.f = l.${q('file_id')}
     WHERE l.${q('table_name')} = ${p(1)}
     ORDER BY l.${q('key')}, l.${q('file_id')}`,
    [table],
  );
  const files = rows.map((row): FileAudit => {
    const audit = {
      table,
      fileId: String(row.file_id),
      key: String(row.key),
      records: toCount(row.records),
      bronze: toCount(row.bronze),
      silver: toCount(row.silver),
      quarantined: toCount(row.quarantined),
      inBoth: toCount(row.in_both),
      duplicates: toCount(row.duplicates),
    };
    const ok =
      audit.bronze === audit.records &&
      audit.silver + audit.quarantined === audit.records &&
      audit.inBoth === 0 &&
      audit.duplicates === 0;
    return { ...audit, ok };
  });
  const known = `(SELECT ${q('file_id')} FROM ${q(filesTable.name)})`;
  const [orphanRow] = await warehouse.query(
    `SELECT (SELECT count(*) FROM ${bronze} WHERE ${q('_file_id')} NOT IN ${known})
          + (SELECT count(*) FROM ${silver} WHERE ${q('_file_id')} NOT IN ${known})
          + (SELECT count(*) FROM ${quarantine} WHERE ${q('_file_id')} NOT IN ${known}) AS n`,
  );
  return { files, orphans: toCount(orphanRow?.n) };
}

export async function audit(warehouse: Warehouse): Promise<AuditReport> {
  const files: FileAudit[] = [];
  const orphans = dict<number>();
  for (const table of await knownTables(warehouse)) {
    const result = await auditTable(warehouse, table);
    files.push(...result.files);
    orphans[table] = result.orphans;
  }
  const ok = files.every((file) => file.ok) && Object.values(orphans).every((n) => n === 0);
  return { files, orphans, ok };
}
