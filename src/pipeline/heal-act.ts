/**
 * The actuator's side of healing: carries out an incident's work order (IncidentWork) in
 * steps, each ONE transaction that commits its effect together with the incident's record
 * of it — so the incident never claims what did not commit, and never forgets what did:
 *
 * 1. schema: the DDL and one new contract version, with the actions in `applied`;
 * 2. circuit: halt or resume on the controller, with the action in `applied`;
 * 3. replay of the incident's quarantined records (idempotent by construction);
 * 4. status: counted from quarantine, saved with the controller that follows it, work cleared.
 *
 * After a crash the same work is run again and each step skips what committed: an action
 * already in `applied` (or already in effect in the contract) is never applied twice.
 */
import type { Action } from '../agent/actions.js';
import { applyDdl } from '../actuator/apply-ddl.js';
import { ddlForAction } from '../actuator/ddl-for-action.js';
import { applyAction } from '../contract/apply-action.js';
import { inEffect } from '../contract/in-effect.js';
import { recordAgentVersion, type ContractAuthor } from '../ledger/contract-store.js';
import { appendEvents } from '../ledger/event-log.js';
import { saveIncident, transition, type AppliedAction, type Incident, type IncidentWork, type RefusedAction } from '../ledger/incidents.js';
import { validatorFor } from './compile-validator.js';
import type { Reason } from '../sensor/types.js';
import { crashPoint } from '../util/crash-point.js';
import { isAetlError } from '../util/errors.js';
import { reconcileControl } from './heal-control.js';
import type { HealListener } from './heal-events.js';
import { countIncidentRecords, countReplayed, reasonSelector } from './heal-records.js';
import { changedSomething, holdsCircuit, isDone, SCHEMA_KINDS, settledStatus } from './heal-status.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';
import { refreshContract } from './refresh-contract.js';
import { replayCurrent } from './replay-current.js';

/** Runs the incident's work to its end (see the steps above); nothing when it has none. */
export async function act(context: PipelineContext, incident: Incident, listen: HealListener): Promise<void> {
  const work = incident.work;
  if (work === undefined) return;
  switch (work.kind) {
    case 'apply': {
      await applySchemaChanges(context, incident, work, listen);
      const resume = work.actions.find((action) => action.kind === 'resume');
      const halt = work.actions.find((action) => action.kind === 'halt');
      if (resume !== undefined && holdsCircuit(incident)) await changeCircuit(context, incident, resume, work.by, listen);
      else if (halt !== undefined && resume === undefined && !isDone(incident, halt)) await changeCircuit(context, incident, halt, work.by, listen);
      const resumed = incident.applied.some((a) => a.action.kind === 'resume');
      const wantsReplay = work.actions.some((action) => action.kind === 'replay' || action.kind === 'resume');
      if (wantsReplay && changedSomething(incident)) await replayIncident(context, incident, reasonSelector(incident.findingKeys, resumed), listen);
      break;
    }
    case 'reject':
      // The records stay quarantined; only the valid ones the open circuit held go on to silver.
      if (holdsCircuit(incident)) {
        await changeCircuit(context, incident, { kind: 'resume' }, work.by, listen);
        await replayIncident(context, incident, (reasons) => reasons.some((reason) => reason.kind === 'circuit_open'), listen);
      }
      break;
    default: {
      const unhandled: never = work.kind;
      return unhandled;
    }
  }
  await settleIncident(context, incident, work, listen);
}

async function applySchemaChanges(context: PipelineContext, incident: Incident, work: IncidentWork, listen: HealListener): Promise<void> {
  const todo = work.actions.filter((action) => SCHEMA_KINDS.has(action.kind) && !isDone(incident, action));
  if (todo.length === 0) return;
  const { warehouse } = context;
  await refreshContract(context);
  const base = context.contract;
  const at = new Date().toISOString();
  const applied: AppliedAction[] = [];
  const refused: RefusedAction[] = [];
  let next = base.contract;
  for (const action of todo) {
    if (inEffect(next, action)) {
      applied.push({ action, ddl: [], contractVersion: base.version, at, by: work.by, note: `already in effect in contract v${base.version}` });
      continue;
    }
    try {
      const ddl = ddlForAction(warehouse.dialect, next, action);
      next = applyAction(next, action).contract;
      applied.push({ action, ddl, contractVersion: base.version, at, by: work.by });
    } catch (error) {
      // A stale plan (the contract moved on): refused and said so, never retried forever.
      if (!isAetlError(error) || error.code !== 'contract_invalid') throw error;
      refused.push({ action, reason: error.message, at, by: work.by });
    }
  }
  // A version's author is who proposed the change: the agent's brain, also when a person
  // approved it (that is in the note and the incident). `user` versions are edits of the
  // contract file, which is what re-registering the file compares against.
  const author: ContractAuthor = work.by.startsWith('agent:') ? (work.by as ContractAuthor) : `agent:${incident.plan?.brain ?? 'rules'}`;
  const note = work.by === author ? `incident ${incident.id}` : `incident ${incident.id}, approved by ${work.by}`;
  const updated: Incident = { ...incident, applied: [...incident.applied, ...applied] };
  if (refused.length > 0) updated.refused = [...(incident.refused ?? []), ...refused];
  const version = await warehouse.transaction(async (tx) => {
    const statements = applied.flatMap((entry) => entry.ddl);
    await applyDdl(tx, statements);
    if (statements.length > 0) crashPoint('heal:ddl');
    const created = await recordAgentVersion(tx, warehouse.dialect, base, next, author, note);
    crashPoint('heal:version');
    for (const entry of applied) if (entry.note === undefined) entry.contractVersion = created.version;
    await saveIncident(tx, warehouse.dialect, updated);
    await appendEvents(tx, [
      ...applied.map((entry) => ({ kind: 'action_applied' as const, table: tableOf(context), payload: { incident: incident.id, ...entry } })),
      ...refused.map((entry) => ({ kind: 'action_refused' as const, table: tableOf(context), payload: { incident: incident.id, ...entry } })),
    ]);
    return created;
  });
  crashPoint('heal:schema');
  incident.applied = updated.applied;
  if (updated.refused !== undefined) incident.refused = updated.refused;
  if (version.version !== base.version) {
    context.contract = version;
    context.validate = validatorFor(context.warehouse, version.contract);
  }
  for (const entry of applied) listen({ kind: 'applied', incident, applied: entry });
}

/** Halts or resumes the table for the incident; the controller state and the incident's record of it commit together. */
async function changeCircuit(context: PipelineContext, incident: Incident, action: Action, by: string, listen: HealListener): Promise<void> {
  const entry: AppliedAction = { action, ddl: [], contractVersion: context.contract.version, at: new Date().toISOString(), by };
  const updated: Incident = { ...incident, applied: [...incident.applied, entry] };
  // Halting, the incident counts as halted; resuming, as still at work (its status settles last).
  const standIn: Incident = { ...updated, status: action.kind === 'halt' ? 'halted' : 'open' };
  const reason = action.kind === 'halt' ? action.reason : `resumed by ${by === 'user' ? 'a person' : by} (incident ${incident.id})`;
  const transitions = await context.warehouse.transaction(async (tx) => {
    await saveIncident(tx, context.warehouse.dialect, updated);
    await appendEvents(tx, [{ kind: 'action_applied', table: tableOf(context), payload: { incident: incident.id, ...entry } }]);
    return reconcileControl(tx, context, [standIn], reason);
  });
  crashPoint('heal:circuit');
  incident.applied = updated.applied;
  for (const t of transitions) listen({ kind: 'controller', table: tableOf(context), transition: t });
}

/** Replays the incident's quarantined records (those `select` picks) against the current contract. */
async function replayIncident(context: PipelineContext, incident: Incident, select: (reasons: Reason[]) => boolean, listen: HealListener): Promise<void> {
  const table = tableOf(context);
  const result = await replayCurrent(context, incident.id, select);
  await appendEvents(context.warehouse, [{ kind: 'replay', table, payload: { incident: incident.id, ...result } }]);
  crashPoint('heal:replayed');
  listen({ kind: 'replayed', incident, result });
}

/** The last step: the status as counted from quarantine, the controller following it, the work cleared. */
async function settleIncident(context: PipelineContext, incident: Incident, work: IncidentWork, listen: HealListener): Promise<void> {
  const { warehouse } = context;
  const table = tableOf(context);
  const still = (await countIncidentRecords(warehouse, warehouse.dialect, table, [incident])).get(incident.id) ?? 0;
  const replayed = await countReplayed(warehouse, warehouse.dialect, table, incident.id);
  const counted: Incident = { ...incident, replayed, stillQuarantined: still };
  const { status, note } = settledStatus(counted, work, still);
  const next = transition({ ...counted, history: [...incident.history] }, status, note, work.by);
  delete next.work;
  const reason = status === 'healed' ? `healed ${incident.findingKeys.join(', ')}` : `incident ${incident.id} ${status}`;
  const transitions = await warehouse.transaction(async (tx) => {
    await saveIncident(tx, warehouse.dialect, next);
    await appendEvents(tx, [{ kind: 'incident_updated', table, payload: { incident: incident.id, status, note, by: work.by, stillQuarantined: still } }]);
    return reconcileControl(tx, context, [next], reason, { forget: status === 'healed' ? incident.findingKeys : [] });
  });
  crashPoint('heal:status');
  Object.assign(incident, next);
  delete incident.work;
  for (const t of transitions) listen({ kind: 'controller', table, transition: t });
  listen({ kind: 'status', incident, status, note });
}
