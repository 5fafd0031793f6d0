/**
 * The conservation invariant (DESIGN.md): for every file in the ledger, records read =
 * bronze rows = silver rows + quarantine rows not replayed, and no record is in silver
 * and open quarantine at once; and no row exists for a file the ledger does not know.
 *
 * Those counts all come from what the readers produced. With `recount`, each done file's
 * bronze rows are also checked against an independent recount of its source object
 * (recount/), so a reader that drops or invents records is caught too.
 */
import { createRecounter, type IngestedFile, type Recount, type Recounter, type RecountSettings } from '../recount/recount-file.js';
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
  /** The source recount (done files, when asked for): `differs` fails the file. */
  recount?: Recount;
  ok: boolean;
}

export interface AuditReport {
  files: FileAudit[];
  /** Rows in bronze, silver or quarantine whose file the ledger does not list, per table. */
  orphans: Record<string, number>;
  ok: boolean;
}

export interface AuditOptions {
  /** Recount every done file from this source (as configured); omitted: no recount. */
  recount?: RecountSettings;
}

export async function auditTable(warehouse: Warehouse, table: string, recounter?: Recounter): Promise<{ files: FileAudit[]; orphans: number }> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const bronze = q(bronzeTableName(table));
  const silver = q(table);
  const quarantine = q(quarantineTableName(table));
  const open = `${q('status')} <> 'replayed'`;
  const rows = await warehouse.query(
    `WITH b AS (SELECT ${q('_file_id')} AS f, count(*) AS n, count(DISTINCT ${q('_record_id')}) AS d, sum(${q('_line')}) AS ls FROM ${bronze} GROUP BY 1),
          s AS (SELECT ${q('_file_id')} AS f, count(*) AS n, count(DISTINCT ${q('_record_id')}) AS d FROM ${silver} GROUP BY 1),
          qu AS (SELECT ${q('_file_id')} AS f, count(*) AS n, count(DISTINCT ${q('_record_id')}) AS d FROM ${quarantine} WHERE ${open} GROUP BY 1),
          o AS (SELECT qq.${q('_file_id')} AS f, count(*) AS n FROM ${quarantine} qq
                JOIN ${silver} ss ON ss.${q('_record_id')} = qq.${q('_record_id')} WHERE qq.${open} GROUP BY 1)
     SELECT l.${q('file_id')} AS file_id, l.${q('key')} AS key, l.${q('records')} AS records,
            l.${q('source')} AS source, l.${q('version')} AS version, l.${q('status')} AS status, b.ls AS line_sum,
            b.n AS bronze, s.n AS silver, qu.n AS quarantined, o.n AS in_both,
            coalesce(b.n - b.d, 0) + coalesce(s.n - s.d, 0) + coalesce(qu.n - qu.d, 0) AS duplicates
     FROM ${q(filesTable.name)} l
     LEFT JOIN b ON b.f = l.${q('file_id')} LEFT JOIN s ON s.f = l.${q('file_id')}
     LEFT JOIN qu ON qu.f = l.${q('file_id')} LEFT JOIN o ON o.f = l.${q('file_id')}
     WHERE l.${q('table_name')} = ${p(1)}
     ORDER BY l.${q('key')}, l.${q('file_id')}`,
    [table],
  );
  // Recounts read the source: a few at a time, so an audit of many small S3 objects is not
  // one round trip after another (each recount streams, so memory stays bounded).
  const recounts = recounter === undefined ? [] : await mapConcurrently(rows, RECOUNTS_AT_ONCE, (row) =>
    row.status === 'done' ? recounter.recount(ingestedFile(table, row, toCount(row.bronze))) : Promise.resolve(undefined),
  );
  const files: FileAudit[] = [];
  for (const [index, row] of rows.entries()) {
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
    const recount = recounts[index];
    const ok =
      audit.bronze === audit.records &&
      audit.silver + audit.quarantined === audit.records &&
      audit.inBoth === 0 &&
      audit.duplicates === 0 &&
      recount?.status !== 'differs';
    files.push(recount === undefined ? { ...audit, ok } : { ...audit, recount, ok });
  }
  const known = `(SELECT ${q('file_id')} FROM ${q(filesTable.name)})`;
  const [orphanRow] = await warehouse.query(
    `SELECT (SELECT count(*) FROM ${bronze} WHERE ${q('_file_id')} NOT IN ${known})
          + (SELECT count(*) FROM ${silver} WHERE ${q('_file_id')} NOT IN ${known})
          + (SELECT count(*) FROM ${quarantine} WHERE ${q('_file_id')} NOT IN ${known}) AS n`,
  );
  return { files, orphans: toCount(orphanRow?.n) };
}

const RECOUNTS_AT_ONCE = 4;

/** `work` over `items`, at most `limit` at once, results in order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function ingestedFile(table: string, row: Record<string, unknown>, bronze: number): IngestedFile {
  return {
    table,
    fileId: String(row.file_id),
    source: String(row.source),
    key: String(row.key),
    version: String(row.version),
    bronze: { records: bronze, lineSum: toBigCount(row.line_sum) },
  };
}

/** Sums come back as bigint, number, or (PostgreSQL numeric) string. */
function toBigCount(value: unknown): bigint {
  return value === null || value === undefined ? 0n : BigInt(String(value));
}

/** A file's bronze rows that start before a line, for a recount that vouches only for that part. */
async function bronzeBelow(warehouse: Warehouse, { table, fileId }: IngestedFile, belowLine: number): Promise<{ records: number; lineSum: bigint }> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const [row] = await warehouse.query(
    `SELECT count(*) AS n, sum(${q('_line')}) AS ls FROM ${q(bronzeTableName(table))} WHERE ${q('_file_id')} = ${p(1)} AND ${q('_line')} < ${p(2)}`,
    [fileId, BigInt(belowLine)],
  );
  return { records: toCount(row?.n), lineSum: toBigCount(row?.ls) };
}

export async function audit(warehouse: Warehouse, options: AuditOptions = {}): Promise<AuditReport> {
  const files: FileAudit[] = [];
  const orphans = dict<number>();
  const settings = options.recount;
  const recounter = settings === undefined ? undefined : createRecounter(settings, (file, line) => bronzeBelow(warehouse, file, line));
  for (const table of await knownTables(warehouse)) {
    const result = await auditTable(warehouse, table, recounter);
    files.push(...result.files);
    orphans[table] = result.orphans;
  }
  const ok = files.every((file) => file.ok) && Object.values(orphans).every((n) => n === 0);
  return { files, orphans, ok };
}
