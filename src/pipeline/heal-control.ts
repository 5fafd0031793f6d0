/**
 * The table's controller follows its incidents: halted while one of them holds the circuit
 * open, healing while one is at work or waiting for a person, settled (healthy / degraded)
 * otherwise. Every healing step that changes an incident's status calls reconcileControl in
 * the same transaction, so the controller and the incidents can never disagree after a crash.
 */
import type { ControlTarget } from '../controller/reconcile.js';
import { reconcile } from '../controller/reconcile.js';
import { initialControl } from '../controller/controller.js';
import type { HealthState, Transition } from '../controller/types.js';
import { loadControl, saveControl } from '../ledger/controller-store.js';
import { appendEvents } from '../ledger/event-log.js';
import { incidentsOfTable, type Incident } from '../ledger/incidents.js';
import type { WarehouseSession } from '../warehouse/warehouse.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';

export function controlTarget(incidents: readonly Incident[]): ControlTarget {
  if (incidents.some((incident) => incident.status === 'halted')) return 'halted';
  if (incidents.some((incident) => incident.status === 'open' || incident.status === 'awaiting_approval')) return 'healing';
  return 'settled';
}

export function agrees(state: HealthState, target: ControlTarget): boolean {
  switch (target) {
    case 'halted':
    case 'healing':
      return state === target;
    case 'settled':
      return state === 'healthy' || state === 'degraded';
  }
}

export interface ReconcileOptions {
  /** Finding keys of an incident that healed: their records left quarantine. */
  forget?: readonly string[];
  /** Files whose pending drift is now taken care of. */
  dropPending?: readonly string[];
}

/**
 * In `tx`: brings the controller to what the table's incidents call for, `changed` standing
 * in for their stored rows (the caller saves them in the same transaction). Returns the
 * transitions made, already logged as events.
 */
export async function reconcileControl(tx: WarehouseSession, context: PipelineContext, changed: readonly Incident[], reason: string, options: ReconcileOptions = {}): Promise<Transition[]> {
  const { dialect } = context.warehouse;
  const table = tableOf(context);
  const byId = new Map((await incidentsOfTable(tx, dialect, table)).map((incident) => [incident.id, incident]));
  for (const incident of changed) byId.set(incident.id, incident);
  const control = (await loadControl(tx, dialect, table, { forUpdate: true })) ?? initialControl(table);
  const step = reconcile(control, controlTarget([...byId.values()]), context.controller, reason, options.forget ?? []);
  const drop = new Set(options.dropPending ?? []);
  const pending = (step.next.pending ?? []).filter((entry) => !drop.has(entry.fileId));
  const next = { ...step.next };
  if (pending.length > 0) next.pending = pending;
  else delete next.pending;
  if (step.transitions.length > 0 || (options.forget ?? []).length > 0 || drop.size > 0) await saveControl(tx, dialect, next);
  await appendEvents(tx, step.transitions.map((t) => ({ kind: 'controller_transition' as const, table, payload: { ...t, incidents: changed.map((i) => i.id) } })));
  return step.transitions;
}
