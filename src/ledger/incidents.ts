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

/**
 * - `open`: detected; being planned and acted upon (after a crash, the next run finishes it);
 * - `awaiting_approval` / `halted`: waiting for a person (halted: the table's circuit is open);
 * - `applied`: every allowed change is applied, but some of its records are still quarantined;
 * - `healed`: applied, and none of its records is left in quarantine;
 * - `rejected`: refused — by a person, or nothing could be applied; its records stay quarantined.
 */
export type IncidentStatus = 'open' | 'awaiting_approval' | 'halted' | 'applied' | 'healed' | 'rejected';

/** Statuses that need someone: work in progress, a person's decision, or records still quarantined. */
export const ACTIVE_STATUSES: readonly IncidentStatus[] = ['open', 'awaiting_approval', 'halted', 'applied'];

/** Statuses after which nothing more happens to an incident: approve and reject refuse them. */
export const FINAL_STATUSES: readonly IncidentStatus[] = ['healed', 'rejected'];

/**
 * What an incident was asked to do and has not finished: saved before the first step, so a
 * crash leaves it for the next run (or the next approve / reject) to finish. Each step
 * skips what already committed (see pipeline/heal-act.ts).
 */
export interface IncidentWork {
  /** `apply`: the actions, then replay; `reject`: leave the records quarantined, release a held circuit. */
  kind: 'apply' | 'reject';
  actions: Action[];
  /** Who asked: `agent:rules` (the policy's auto verdicts), `user` (approve / reject). */
  by: string;
  at: string;
  /** A reject's reason. */
  note?: string;
}

/** An action the actuator could not apply: it no longer fitted the contract (a stale plan). */
export interface RefusedAction {
  action: Action;
  reason: string;
  at: string;
  by: string;
}

export interface AppliedAction {
  action: Action;
  /** The statements run, exactly as run. */
  ddl: string[];
  /** The contract version the action produced (unchanged for actions without a contract change). */
  contractVersion: number;
  at: string;
  /** `agent:rules`, `agent:llm` or `user`. */
  by: string;
  /** Set when the action needed no change: it was in effect already (e.g. `already in contract v3`). */
  note?: string;
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
  /**
   * Exactly what it is about (controller/finding-signature): a rejected incident stays the
   * owner of these only. Absent on incidents from before signatures: their keys stand in.
   */
  signatures?: string[];
  /** The findings as last observed, merged over the incident's batches. */
  findings: Finding[];
  /** Files (keys) whose batches showed the drift, first ones first (capped). */
  files: string[];
  /** Batches that showed the drift. */
  batches: number;
  plan?: Plan;
  decisions?: Decision[];
  applied: AppliedAction[];
  /** Quarantined records promoted to silver by replays of this incident (counted from quarantine). */
  replayed: number;
  /** Its records still in quarantine when its status was last settled (and added to as files join). */
  stillQuarantined?: number;
  /** Unfinished work (see IncidentWork); absent when none. */
  work?: IncidentWork;
  /** Actions that could not be applied, with why. */
  refused?: RefusedAction[];
  history: IncidentEvent[];
}

export function newIncident(table: string, findingKeys: string[], findings: Finding[], file: string, signatures: string[] = findingKeys): Incident {
  const at = new Date().toISOString();
  return {
    id: `inc-${randomUUID().slice(0, 8)}`,
    table,
    status: 'open',
    openedAt: at,
    updatedAt: at,
    findingKeys,
    signatures,
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

/** Whether nothing more happens to the incident (healed or rejected). */
export const isFinal = (incident: Incident): boolean => FINAL_STATUSES.includes(incident.status);

/** The incident's signatures, or its keys for incidents recorded before signatures existed. */
export const signaturesOf = (incident: Incident): string[] => incident.signatures ?? incident.findingKeys;

/** Every incident of `table`, read on `session` (inside a transaction, pass its session). */
export async function incidentsOfTable(session: WarehouseSession, dialect: Dialect, table: string): Promise<Incident[]> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await session.query(`SELECT ${q('evidence')} FROM ${q(incidentsTable.name)} WHERE ${q('table_name')} = ${p(1)} ORDER BY ${q('opened_at')}, ${q('incident_id')}`, [table]);
  return rows.map(fromRow);
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
