/**
 * The file ledger: one row per (source, key, version). A worker first **claims** a file
 * (status `claimed`, a lease, and a fencing token one higher than any before), then
 * processes it in one transaction that ends by turning its own claim into `done` — only if
 * it still holds the token. A worker that stalled past its lease, and lost the file to
 * another, cannot commit; a crash before commit leaves a claim that expires. A file that
 * fails gives its claim back (status `failed`), so the next run — of any worker — takes it
 * at once. Either way no record is lost or written twice.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { SourceObject } from '../sources/source.js';
import { AetlError } from '../util/errors.js';
import { filesTable } from '../warehouse/tables.js';
import type { Warehouse, WarehouseSession } from '../warehouse/warehouse.js';

/** Deterministic identity of one version of one object: the prefix of every `_record_id`. */
export function fileIdOf(sourceUri: string, object: Pick<SourceObject, 'key' | 'version'>): string {
  return createHash('sha256').update(`${sourceUri}\0${object.key}\0${object.version}`).digest('hex').slice(0, 20);
}

/** `<file id>:<line>`: the same record always gets the same id, so no reprocessing can duplicate it. */
export function recordIdOf(fileId: string, line: number): string {
  return `${fileId}:${line}`;
}

/** A worker's hold on one file. */
export interface Claim {
  fileId: string;
  worker: string;
  /** The fencing token: the file's claim count when this worker took it. */
  fence: number;
}

export interface FileLedgerEntry {
  table: string;
  records: number;
  silver: number;
  quarantined: number;
  contractVersion: number;
  processedAtMicros: bigint;
}

const micros = (ms: number) => BigInt(ms) * 1000n;

export async function doneFileIds(warehouse: Warehouse, sourceUri: string): Promise<Set<string>> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query<{ file_id: string }>(
    `SELECT ${q('file_id')} FROM ${q(filesTable.name)} WHERE ${q('source')} = ${p(1)} AND ${q('status')} = 'done'`,
    [sourceUri],
  );
  return new Set(rows.map((row) => row.file_id));
}

export async function isFileDone(warehouse: Warehouse, fileId: string): Promise<boolean> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query(`SELECT 1 AS one FROM ${q(filesTable.name)} WHERE ${q('file_id')} = ${p(1)} AND ${q('status')} = 'done'`, [fileId]);
  return rows.length > 0;
}

/**
 * Claims a file for `worker` for `leaseMs`, or returns undefined when it is done or another
 * worker holds an unexpired lease (or is claiming it right now: SKIP LOCKED, no waiting).
 */
export async function claimFile(
  warehouse: Warehouse,
  object: SourceObject,
  identity: { source: string; table: string; worker: string; leaseMs: number },
): Promise<Claim | undefined> {
  const { dialect } = warehouse;
  const { quoteIdent: q, placeholder: p } = dialect;
  const fileId = fileIdOf(identity.source, object);
  const now = Date.now();
  return warehouse.transaction(async (tx) => {
    // The row exists once; concurrent first claims race on its unique keys, harmlessly.
    await tx.run(
      `INSERT INTO ${q(filesTable.name)} (${['file_id', 'source', 'key', 'version', 'table_name', 'size', 'records', 'silver', 'quarantined', 'contract_version', 'status', 'processed_at', 'fence'].map(q).join(', ')})
       VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(', ')}, 0, 0, 0, 0, 'claimed', ${dialect.parameterAs?.(7, { name: 'timestamp' }) ?? p(7)}, 0)
       ON CONFLICT DO NOTHING`,
      [fileId, identity.source, object.key, object.version, identity.table, BigInt(object.size), micros(now)],
    );
    const lock = dialect.capabilities.skipLocked === true ? ' FOR UPDATE SKIP LOCKED' : '';
    const [row] = await tx.query(
      `SELECT ${q('status')} AS status, ${q('worker')} AS worker, ${q('lease_until')} AS lease_until, ${q('fence')} AS fence
       FROM ${q(filesTable.name)} WHERE ${q('file_id')} = ${p(1)}${lock}`,
      [fileId],
    );
    if (row === undefined || row.status === 'done') return undefined;
    const leaseUntil = row.lease_until === null ? 0 : Date.parse(String(row.lease_until));
    const heldByOther = row.worker !== null && row.worker !== identity.worker && leaseUntil > now && !isDeadLocalWorker(String(row.worker));
    // A single-writer engine has no other worker: a claim left behind is a crash's, take it.
    if (heldByOther && dialect.capabilities.concurrentWriters) return undefined;
    const fence = Number(row.fence) + 1;
    await tx.run(
      `UPDATE ${q(filesTable.name)} SET ${q('status')} = 'claimed', ${q('worker')} = ${p(1)}, ${q('lease_until')} = ${dialect.parameterAs?.(2, { name: 'timestamp' }) ?? p(2)}, ${q('fence')} = ${p(3)}
       WHERE ${q('file_id')} = ${p(4)}`,
      [identity.worker, micros(now + identity.leaseMs), BigInt(fence), fileId],
    );
    return { fileId, worker: identity.worker, fence };
  });
}

/**
 * The worker identity is `host:pid:random` (see open-pipeline.ts). A claim left by a
 * process on this host that no longer runs is a crash's or a stopped run's: waiting for
 * its lease would only make the next run skip the file. (A pid reused meanwhile reads as
 * alive: the safe side, the lease then decides. Taking a live claim by mistake costs only
 * work: the fencing token keeps the other worker from committing.)
 */
function isDeadLocalWorker(worker: string): boolean {
  const [host, pid] = worker.split(':');
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Gives the claim back after the file failed (status `failed`, no worker, no lease), so
 * that the next run takes the file at once and reports how it fares, instead of skipping
 * it as held until the lease runs out. False when the claim was no longer this worker's.
 */
export async function releaseClaim(warehouse: Warehouse, claim: Claim): Promise<boolean> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query(
    `UPDATE ${q(filesTable.name)} SET ${q('status')} = 'failed', ${q('worker')} = NULL, ${q('lease_until')} = NULL
     WHERE ${q('file_id')} = ${p(1)} AND ${q('fence')} = ${p(2)} AND ${q('status')} = 'claimed' RETURNING ${q('file_id')}`,
    [claim.fileId, BigInt(claim.fence)],
  );
  return rows.length > 0;
}

/** Extends the lease while a long file is processed; false when the claim was lost. */
export async function renewLease(warehouse: Warehouse, claim: Claim, leaseMs: number): Promise<boolean> {
  const { dialect } = warehouse;
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await warehouse.query(
    `UPDATE ${q(filesTable.name)} SET ${q('lease_until')} = ${dialect.parameterAs?.(1, { name: 'timestamp' }) ?? p(1)}
     WHERE ${q('file_id')} = ${p(2)} AND ${q('fence')} = ${p(3)} AND ${q('status')} = 'claimed' RETURNING ${q('file_id')}`,
    [micros(Date.now() + leaseMs), claim.fileId, BigInt(claim.fence)],
  );
  return rows.length > 0;
}

/**
 * Inside the file's transaction, last: turns the claim into `done` with the file's counts.
 * Throws (rolling the whole file back) when the fencing token is no longer this worker's.
 */
export async function completeFile(session: WarehouseSession, dialect: Warehouse['dialect'], claim: Claim, entry: FileLedgerEntry): Promise<void> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await session.query(
    `UPDATE ${q(filesTable.name)} SET ${q('status')} = 'done', ${q('records')} = ${p(1)}, ${q('silver')} = ${p(2)}, ${q('quarantined')} = ${p(3)},
       ${q('contract_version')} = ${p(4)}, ${q('processed_at')} = ${dialect.parameterAs?.(5, { name: 'timestamp' }) ?? p(5)}, ${q('lease_until')} = NULL
     WHERE ${q('file_id')} = ${p(6)} AND ${q('fence')} = ${p(7)} AND ${q('status')} = 'claimed' RETURNING ${q('file_id')}`,
    [BigInt(entry.records), BigInt(entry.silver), BigInt(entry.quarantined), BigInt(entry.contractVersion), entry.processedAtMicros, claim.fileId, BigInt(claim.fence)],
  );
  if (rows.length === 0) {
    throw new AetlError('fenced_out', `lost the claim on file ${claim.fileId} (fencing token ${claim.fence}): another worker took it after this one's lease expired`, {
      kind: 'transient',
      hint: 'nothing to do: the other worker processes the file; raise lease_seconds if workers stall this long',
    });
  }
}
