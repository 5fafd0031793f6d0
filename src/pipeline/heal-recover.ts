/**
 * Recovery at the start of every `run` and `watch` (and before a person's approve or
 * reject): whatever a crash left half done is finished, in the order it was begun — drift
 * of a committed file not yet taken into an incident, incidents unplanned or with
 * unfinished work — and the controller is brought back in line with the incidents. Each
 * step skips what already committed (heal-act.ts), so recovering twice is recovering once.
 */
import { loadControl } from '../ledger/controller-store.js';
import { listIncidents, type Incident } from '../ledger/incidents.js';
import { act } from './heal-act.js';
import { agrees, controlTarget, reconcileControl } from './heal-control.js';
import type { HealListener } from './heal-events.js';
import { planAndAct } from './heal-plan.js';
import { healPending } from './heal.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';
import { refreshContract } from './refresh-contract.js';

/** Work a crash interrupted: the incident is still being planned or acted upon. */
export const isUnfinished = (incident: Incident): boolean => incident.work !== undefined || incident.status === 'open';

function step(incident: Incident): string {
  if (incident.plan === undefined) return 'planning it';
  if (incident.work?.by === 'user') return `finishing a person's ${incident.work.kind === 'reject' ? 'rejection' : 'approval'}`;
  return 'finishing its actions';
}

/** Finishes one incident's interrupted work (call under the heal lock). */
export async function finishIncident(context: PipelineContext, incident: Incident, listen: HealListener): Promise<void> {
  listen({ kind: 'recovering', incident, step: step(incident) });
  if (incident.plan === undefined || incident.work === undefined) await planAndAct(context, incident, listen);
  else await act(context, incident, listen);
}

async function needsRecovery(context: PipelineContext): Promise<boolean> {
  const { warehouse } = context;
  const table = tableOf(context);
  const control = await loadControl(warehouse, warehouse.dialect, table);
  if ((control?.pending ?? []).length > 0) return true;
  const active = await listIncidents(warehouse, { table, active: true });
  if (active.some(isUnfinished)) return true;
  return control !== undefined && !agrees(control.state, controlTarget(active));
}

export async function recoverIncidents(context: PipelineContext, listen: HealListener = () => undefined): Promise<void> {
  if (!(await needsRecovery(context))) return;
  const { warehouse } = context;
  const table = tableOf(context);
  // Under the heal lock, and read again there: another worker may be healing this table now.
  await warehouse.exclusive(`heal:${table}`, async () => {
    await refreshContract(context);
    for (const pending of (await loadControl(warehouse, warehouse.dialect, table))?.pending ?? []) await healPending(context, pending, listen);
    for (const incident of await listIncidents(warehouse, { table, active: true })) {
      if (isUnfinished(incident)) await finishIncident(context, incident, listen);
    }
    const transitions = await warehouse.transaction((tx) => reconcileControl(tx, context, [], 'recovered after an interrupted run: the table follows its incidents'));
    for (const t of transitions) listen({ kind: 'controller', table, transition: t });
  });
}
