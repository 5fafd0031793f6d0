/**
 * Incidents in `_aetl_incidents`: one per sustained drift, with all its evidence — the
 * findings, the plan, the policy's decisions, the exact DDL applied, what was replayed,
 * and every status change with who made it.
 */
import { randomUUID } from 'node:crypto';
import type { Action, Plan } from '../agent/actions.js';
import type { Decision } from '../policy/types.js';
import type { Finding } from '../sensor/findings.js';
import { nowMicros } from '../util/time.js';
import { incidentsTable } from '../warehouse/tables.js';
import type { Dialect, Warehouse, WarehouseSession } from '../warehouse/warehouse.js';
import { toJsonText } from './event-log.js';

export type IncidentStatus = 'open' | 'awaiting_approval' | 'healed' | 'halted' | 'rejected';

/** Statuses in which an incident still owns its findings: the same drift attaches to it. */
export const ACTIVE_STATUSES: readonly IncidentStatus[] = ['open', 'awaiting_approval', 'halted'];

export interface AppliedAction {
  action: Action;
  /** The statements run, exactly as run. */
  ddl: string[];
  /** The contract version the action produced (unchanged for actions without a contract change). */
  contractVersion: number;
  at: string;
  /** `agent:rules`, `agent:llm` or `user`. */
  by: string;
}

export interface IncidentEvent {
  at: string;
  status: IncidentStatus;
  note: string;
  by: string;
}

export interface Incident {
  id: string;
  table: string;
  status: IncidentStatus;
  openedAt: string;
  updatedAt: string;
  /** Finding keys (controller/findingKey) this incident covers. */
  findingKeys: string[];
  /** The findings as last observed, merged over the incident's batches. */
  findings: Finding[];
  /** Files (keys) whose batches showed the drift, first ones first (capped). */
  files: string[];
  /** Batches that showed the drift. */
  batches: number;
  plan?: Plan;
  decisions?: Decision[];
  applied: AppliedAction[];
  /** Quarantined records promoted to silver by replays of this incident. */
  replayed: number;
  history: IncidentEvent[];
}

export function newIncident(table: string, findingKeys: string[], findings: Finding[], file: string): Incident {
  const at = new Date().toISOString();
  return {
    id: `inc-${randomUUID().slice(0, 8)}`,
    table,
    status: 'open',
    openedAt: at,
    updatedAt: at,
    findingKeys,
    findings,
    files: [file],
    batches: 1,
    applied: [],
    replayed: 0,
    history: [{ at, status: 'open', note: `drift detected in ${file}: ${findingKeys.join(', ')}`, by: 'controller' }],
  };
}

/** Moves an incident to `status`, recording why and who. Returns the same object. */
export function transition(incident: Incident, status: IncidentStatus, note: string, by: string): Incident {
  const at = new Date().toISOString();
  incident.status = status;
  incident.updatedAt = at;
  incident.history.push({ at, status, note, by });
  return incident;
}

/** Inserts or replaces the incident row (delete + insert: portable, one transaction). */
export async function saveIncident(session: WarehouseSession, dialect: Dialect, incident: Incident): Promise<void> {
  const { quoteIdent: q, placeholder: p } = dialect;
  await session.run(`DELETE FROM ${q(incidentsTable.name)} WHERE ${q('incident_id')} = ${p(1)}`, [incident.id]);
  const writer = await session.bulkWriter(incidentsTable.name, incidentsTable.columns);
  writer.append([
    incident.id,
    incident.table,
    incident.status,
    BigInt(Date.parse(incident.openedAt)) * 1000n,
    nowMicros(),
    toJsonText(incident),
  ]);
  await writer.close();
}

function fromRow(row: Record<string, unknown>): Incident {
  return JSON.parse(String(row.evidence)) as Incident;
}

export async function listIncidents(warehouse: Warehouse, filter: { table?: string; active?: boolean } = {}): Promise<Incident[]> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const conditions: string[] = [];
  const params: string[] = [];
  if (filter.table !== undefined) {
    params.push(filter.table);
    conditions.push(`${q('table_name')} = ${p(params.length)}`);
  }
  if (filter.active) {
    const placeholders = ACTIVE_STATUSES.map((status) => {
      params.push(status);
      return p(params.length);
    });
    conditions.push(`${q('status')} IN (${placeholders.join(', ')})`);
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const rows = await warehouse.query(`SELECT ${q('evidence')} FROM ${q(incidentsTable.name)} ${where} ORDER BY ${q('opened_at')}, ${q('incident_id')}`, params);
  return rows.map(fromRow);
}

export async function getIncident(session: WarehouseSession, dialect: Dialect, id: string): Promise<Incident | undefined> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await session.query(`SELECT ${q('evidence')} FROM ${q(incidentsTable.name)} WHERE ${q('incident_id')} = ${p(1)}`, [id]);
  return rows[0] === undefined ? undefined : fromRow(rows[0]);
}
