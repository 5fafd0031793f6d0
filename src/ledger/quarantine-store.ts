/** Reading quarantined records back: `agentic-etl quarantine list|show`. */
import type { Reason } from '../sensor/types.js';
import { quarantineTableName } from '../warehouse/tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export type QuarantineStatus = 'open' | 'replayed' | 'discarded';

export interface QuarantinedRecord {
  recordId: string;
  file: string;
  line: number;
  raw: string;
  rawEncoding: 'utf8' | 'base64';
  reasons: Reason[];
  contractVersion: number;
  status: QuarantineStatus;
  incidentId: string | null;
  quarantinedAt: string;
}

function fromRow(row: Record<string, unknown>): QuarantinedRecord {
  return {
    recordId: String(row._record_id),
    file: String(row._file),
    line: Number(row._line),
    raw: String(row._raw),
    rawEncoding: row._raw_encoding === 'base64' ? 'base64' : 'utf8',
    reasons: JSON.parse(String(row.reasons)) as Reason[],
    contractVersion: Number(row.contract_version),
    status: String(row.status) as QuarantineStatus,
    incidentId: row.incident_id === null ? null : String(row.incident_id),
    quarantinedAt: String(row.quarantined_at),
  };
}

export interface QuarantineQuery {
  table: string;
  status?: QuarantineStatus;
  file?: string;
  limit: number;
}

export async function listQuarantine(warehouse: Warehouse, query: QuarantineQuery): Promise<QuarantinedRecord[]> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const conditions: string[] = [];
  const params: string[] = [];
  if (query.status !== undefined) {
    params.push(query.status);
    conditions.push(`${q('status')} = ${p(params.length)}`);
  }
  if (query.file !== undefined) {
    params.push(query.file);
    conditions.push(`${q('_file')} = ${p(params.length)}`);
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const limit = Math.max(1, Math.floor(query.limit));
  const rows = await warehouse.query(
    `SELECT * FROM ${q(quarantineTableName(query.table))} ${where} ORDER BY ${q('_file')}, ${q('_line')} LIMIT ${limit}`,
    params,
  );
  return rows.map(fromRow);
}

export async function showQuarantined(warehouse: Warehouse, table: string, recordId: string): Promise<QuarantinedRecord | undefined> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query(`SELECT * FROM ${q(quarantineTableName(table))} WHERE ${q('_record_id')} = ${p(1)}`, [recordId]);
  return rows[0] === undefined ? undefined : fromRow(rows[0]);
}
