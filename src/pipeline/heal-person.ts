/**
 * A person's decision on an incident: approve applies what waits for approval (and resumes
 * a table the incident halted), reject leaves its records quarantined. Either works on an
 * incident in any state that is not final — an interrupted one is first finished the way
 * the next run would — and is saved as the incident's work before anything is applied, so
 * a crash midway leaves the person's decision for the next run to complete.
 */
import type { Action } from '../agent/actions.js';
import { getIncident, isFinal, type Incident, type IncidentWork } from '../ledger/incidents.js';
import { crashPoint } from '../util/crash-point.js';
import { AetlError } from '../util/errors.js';
import { act } from './heal-act.js';
import type { HealListener } from './heal-events.js';
import { recoverIncidents } from './heal-recover.js';
import { recordIncident } from './heal-store.js';
import { holdsCircuit, pendingDecisions } from './heal-status.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';

/** What the person's command found and did. `settled` when the incident had already reached a final status. */
export interface PersonResult {
  incident: Incident;
  settled: boolean;
}

async function load(context: PipelineContext, id: string): Promise<Incident> {
  const incident = await getIncident(context.warehouse, context.warehouse.dialect, id);
  if (incident === undefined) throw new AetlError('not_found', `no incident \`${id}\``, { hint: 'list them with `agentic-etl incidents --open`' });
  if (incident.table !== tableOf(context)) {
    throw new AetlError('usage', `incident ${id} belongs to table ${incident.table}, but this config's contract is ${tableOf(context)}`, {
      hint: 'pass the config of that pipeline with -c',
    });
  }
  return incident;
}

function refuseFinal(incident: Incident, verb: string): void {
  if (!isFinal(incident)) return;
  throw new AetlError('usage', `incident ${incident.id} is ${incident.status}: there is nothing left to ${verb}`, { hint: 'see `agentic-etl incidents --open` for the incidents waiting for a decision' });
}

/** Saves the person's decision as the incident's work, then carries it out. */
async function decideAs(context: PipelineContext, incident: Incident, work: IncidentWork, listen: HealListener): Promise<void> {
  incident.work = work;
  await recordIncident(context, incident, [{ kind: 'incident_updated', table: incident.table, payload: { incident: incident.id, decision: work.kind, by: work.by, actions: work.actions } }]);
  crashPoint(work.kind === 'apply' ? 'approve:intent' : 'reject:intent');
  await act(context, incident, listen);
}

export async function approveIncident(context: PipelineContext, id: string, listen: HealListener): Promise<PersonResult> {
  refuseFinal(await load(context, id), 'approve');
  await recoverIncidents(context, listen);
  return context.warehouse.exclusive(`heal:${tableOf(context)}`, async () => {
    const incident = await load(context, id);
    // Finishing its interrupted work may have settled it: then there is nothing to decide.
    if (isFinal(incident)) return { incident, settled: true };
    const actions: Action[] = pendingDecisions(incident).map((d) => d.planned.action);
    if (holdsCircuit(incident)) actions.push({ kind: 'resume' });
    actions.push({ kind: 'replay' });
    await decideAs(context, incident, { kind: 'apply', actions, by: 'user', at: new Date().toISOString() }, listen);
    return { incident, settled: false };
  });
}

export async function rejectIncident(context: PipelineContext, id: string, reason: string | undefined, listen: HealListener): Promise<PersonResult> {
  refuseFinal(await load(context, id), 'reject');
  await recoverIncidents(context, listen);
  return context.warehouse.exclusive(`heal:${tableOf(context)}`, async () => {
    const incident = await load(context, id);
    if (isFinal(incident)) return { incident, settled: true };
    const note = reason ?? 'rejected by a person: the records stay in quarantine';
    await decideAs(context, incident, { kind: 'reject', actions: [], by: 'user', at: new Date().toISOString(), note }, listen);
    return { incident, settled: false };
  });
}
