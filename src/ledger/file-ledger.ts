/**
 * The file ledger: one row per (source, key, version) processed, written in the same
 * transaction as the file's records. A row exists only for a committed file, so "is it
 * done?" is "is there a row?" — a crash before commit leaves no row and the file is
 * processed again from scratch.
 */
import { createHash } from 'node:crypto';
import type { SourceObject } from '../sources/source.js';
import { SYSTEM_TABLES, filesTable } from '../warehouse/tables.js';
import type { Warehouse, WarehouseSession } from '../warehouse/warehouse.js';

/** Deterministic identity of one version of one object: the prefix of every `_record_id`. */
export function fileIdOf(sourceUri: string, object: Pick<SourceObject, 'key' | 'version'>): string {
  return createHash('sha256').update(`${sourceUri}\0${object.key}\0${object.version}`).digest('hex').slice(0, 20);
}

/** `<file id>:<line>`: the same record always gets the same id, so no reprocessing can duplicate it. */
export function recordIdOf(fileId: string, line: number): string {
  return `${fileId}:${line}`;
}

export interface FileLedgerEntry {
  fileId: string;
  source: string;
  key: string;
  version: string;
  table: string;
  size: number;
  records: number;
  silver: number;
  quarantined: number;
  contractVersion: number;
  processedAtMicros: bigint;
}

export async function doneFileIds(warehouse: Warehouse, sourceUri: string): Promise<Set<string>> {
  const q = warehouse.dialect.quoteIdent;
  const rows = await warehouse.query<{ file_id: string }>(
    `SELECT ${q('file_id')} FROM ${q(SYSTEM_TABLES.files)} WHERE ${q('source')} = ${warehouse.dialect.placeholder(1)}`,
    [sourceUri],
  );
  return new Set(rows.map((row) => row.file_id));
}

export async function recordFileDone(session: WarehouseSession, entry: FileLedgerEntry): Promise<void> {
  const writer = await session.bulkWriter(filesTable.name, filesTable.columns);
  writer.append([
    entry.fileId,
    entry.source,
    entry.key,
    entry.version,
    entry.table,
    BigInt(entry.size),
    BigInt(entry.records),
    BigInt(entry.silver),
    BigInt(entry.quarantined),
    BigInt(entry.contractVersion),
    'done',
    entry.processedAtMicros,
  ]);
  await writer.close();
}

export async function isFileDone(warehouse: Warehouse, fileId: string): Promise<boolean> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query(`SELECT 1 AS one FROM ${q(filesTable.name)} WHERE ${q('file_id')} = ${p(1)}`, [fileId]);
  return rows.length > 0;
}
