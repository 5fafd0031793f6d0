/**
 * The event log: every file processed, contract version made and (later) every finding,
 * plan, decision and action, with its evidence as JSON. Written in the same transaction as
 * the change it describes, so the log never claims what did not commit.
 */
import { randomUUID } from 'node:crypto';
import { nowMicros } from '../util/time.js';
import { eventsTable } from '../warehouse/tables.js';
import type { Row, WarehouseSession } from '../warehouse/warehouse.js';

/** Closed vocabulary of event kinds. */
export type EventKind =
  | 'file_processed'
  | 'file_failed'
  | 'contract_version'
  | 'contract_conflict'
  /** The controller's judgement of a batch: drift and noise findings, rate, EWMA. */
  | 'findings'
  | 'controller_transition'
  | 'incident_opened'
  | 'incident_updated'
  | 'plan'
  | 'decision'
  | 'action_applied'
  /** An action that no longer fitted the contract when its turn came (a stale plan): not applied. */
  | 'action_refused'
  | 'replay'
  | 'backfill';

export interface EventInput {
  kind: EventKind;
  table?: string;
  fileId?: string;
  payload: unknown;
}

/** JSON text for the log; bigints (counts, timestamps) become decimal strings. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}

export async function appendEvents(session: WarehouseSession, events: readonly EventInput[]): Promise<void> {
  if (events.length === 0) return;
  const writer = await session.bulkWriter(eventsTable.name, eventsTable.columns);
  const at = nowMicros();
  for (const event of events) {
    writer.append([randomUUID(), at, event.kind, event.table ?? null, event.fileId ?? null, toJsonText(event.payload)]);
  }
  await writer.close();
}

export interface LoggedEvent extends Row {
  event_id: string;
  at: string;
  kind: string;
  table_name: string | null;
  file_id: string | null;
  payload: string;
}
