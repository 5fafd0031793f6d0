/**
 * The healing loop after a file commits: drift the controller found opens (or joins) an
 * incident; the architect plans, the policy decides, the actuator applies what is allowed
 * (DDL + a new contract version in one transaction), and the incident's quarantined
 * records are replayed. Everything is an event and part of the incident's evidence.
 */
import { describeAction, type Action, type ActionKind, type PlannedAction } from '../agent/actions.js';
import { applyAction } from '../contract/apply-action.js';
import { dismissed, halt, healed, resume } from '../controller/controller.js';
import { findingKey } from '../controller/finding-key.js';
import type { ControlChange, TableControl, Transition } from '../controller/types.js';
import { applyDdl } from '../actuator/apply-ddl.js';
import { ddlForAction } from '../actuator/ddl-for-action.js';
import { replayQuarantine, type ReplayResult } from '../actuator/replay.js';
import { recordAgentVersion, type ContractAuthor } from '../ledger/contract-store.js';
import { loadControl, saveControl } from '../ledger/controller-store.js';
import { appendEvents, type EventInput } from '../ledger/event-log.js';
import { listIncidents, newIncident, saveIncident, transition, type AppliedAction, type Incident, type IncidentStatus } from '../ledger/incidents.js';
import { decide } from '../policy/policy.js';
import type { Decision } from '../policy/types.js';
import type { Finding } from '../sensor/findings.js';
import { validatorFor } from './compile-validator.js';
import type { Reason } from '../sensor/types.js';
import { initialControl } from '../controller/controller.js';
import { silverTable } from '../warehouse/tables.js';
import { gatherColumnStats } from './column-stats.js';
import type { FileResult } from './ingest-file.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';
import { refreshContract } from './refresh-contract.js';

/** What the loop reports as it goes, for readable lines and the scorecard's time to heal. */
export type HealEvent =
  | { kind: 'detected'; incident: Incident; file: string }
  | { kind: 'attached'; incident: Incident; file: string }
  | { kind: 'planned'; incident: Incident; actions: PlannedAction[] }
  | { kind: 'decided'; incident: Incident; decisions: Decision[] }
  | { kind: 'applied'; incident: Incident; applied: AppliedAction }
  | { kind: 'replayed'; incident: Incident; result: ReplayResult }
  | { kind: 'status'; incident: Incident; status: IncidentStatus; note: string }
  | { kind: 'controller'; table: string; transition: Transition };

export type HealListener = (event: HealEvent) => void;

/** Actions that change the contract (and maybe the table), so that a replay can help. */
const SCHEMA_KINDS: ReadonlySet<ActionKind> = new Set(['add_column', 'widen_type', 'coerce', 'rename_column', 'extend_enum']);

/** Statuses whose incident owns its finding keys: the same drift joins it, never opens another. */
const OWNING: readonly IncidentStatus[] = ['open', 'awaiting_approval', 'halted', 'rejected'];

const sameAction = (a: Action, b: Action) => JSON.stringify(a) === JSON.stringify(b);

/** Decisions waiting for a person: `approve` verdicts whose action has not been applied. */
export function pendingDecisions(incident: Incident): Decision[] {
  return (incident.decisions ?? []).filter(
    (decision) => decision.verdict === 'approve' && !incident.applied.some((applied) => sameAction(applied.action, decision.planned.action)),
  );
}

/** A quarantined row belongs to an incident when one of its reasons is one of the incident's findings. */
function reasonSelector(keys: readonly string[], includeCircuit: boolean): (reasons: Reason[]) => boolean {
  const wanted = new Set(keys);
  return (reasons) => reasons.some((reason) => (includeCircuit && reason.kind === 'circuit_open') || wanted.has(`${reason.kind}:${reason.column ?? '*'}`));
}

/** Saves the incident and its events in one transaction. */
export async function recordIncident(context: PipelineContext, incident: Incident, events: EventInput[]): Promise<void> {
  await context.warehouse.transaction(async (tx) => {
    await saveIncident(tx, context.warehouse.dialect, incident);
    await appendEvents(tx, events);
  });
}

function mergeFindings(previous: Finding[], latest: Finding[]): Finding[] {
  const byKey = new Map(previous.map((finding) => [findingKey(finding), finding]));
  for (const finding of latest) {
    const before = byKey.get(findingKey(finding));
    byKey.set(findingKey(finding), before === undefined ? finding : { ...finding, count: before.count + finding.count });
  }
  return [...byKey.values()];
}

/**
 * The healing step after one committed file. It holds the table's heal lock, so that two
 * workers seeing the same drift open one incident and change the schema once: the second
 * finds the contract already evolved and only replays its file's records against it.
 */
export async function healAfterFile(context: PipelineContext, result: FileResult, listen: HealListener = () => undefined): Promise<void> {
  const table = tableOf(context);
  for (const t of result.control.transitions) listen({ kind: 'controller', table, transition: t });
  const drift = result.control.drift;
  if (drift.length === 0) return;
  await context.warehouse.exclusive(`heal:${table}`, async () => {
    if (await refreshContract(context)) {
      // Another worker (or a person) evolved the contract since this file was judged:
      // replay what it quarantined against the new version before calling anything drift.
      const keys = drift.map(findingKey);
      const result = await replayQuarantine(context.warehouse, {
        table,
        contractVersion: context.contract.version,
        validate: context.validate,
        silverColumns: silverTable(context.contract.contract).columns,
        incidentId: null,
        select: reasonSelector(keys, false),
      });
      await appendEvents(context.warehouse, [{ kind: 'replay', table, payload: { reason: 'contract evolved by another worker', ...result } }]);
      return;
    }
    await healDrift(context, result, drift, listen);
  });
}

async function healDrift(context: PipelineContext, result: FileResult, drift: Finding[], listen: HealListener): Promise<void> {
  const table = tableOf(context);
  const owning = await listIncidents(context.warehouse, { table });
  const owner = new Map<string, Incident>();
  for (const incident of owning.filter((i) => OWNING.includes(i.status))) for (const key of incident.findingKeys) owner.set(key, incident);

  const uncovered: Finding[] = [];
  const joined = new Map<string, { incident: Incident; findings: Finding[] }>();
  for (const finding of drift) {
    const incident = owner.get(findingKey(finding));
    if (incident === undefined) uncovered.push(finding);
    else joined.set(incident.id, { incident, findings: [...(joined.get(incident.id)?.findings ?? []), finding] });
  }
  for (const { incident, findings } of joined.values()) {
    incident.findings = mergeFindings(incident.findings, findings);
    incident.batches += 1;
    if (incident.files.length < 20) incident.files.push(result.key);
    incident.updatedAt = new Date().toISOString();
    await recordIncident(context, incident, [{ kind: 'incident_updated', table, fileId: result.fileId, payload: { incident: incident.id, file: result.key } }]);
    listen({ kind: 'attached', incident, file: result.key });
  }
  if (uncovered.length === 0) return;

  const incident = newIncident(table, uncovered.map(findingKey), uncovered, result.key);
  await recordIncident(context, incident, [{ kind: 'incident_opened', table, fileId: result.fileId, payload: { incident: incident.id, findings: uncovered } }]);
  listen({ kind: 'detected', incident, file: result.key });
  await planAndAct(context, incident, listen);
}

/** Plans an open incident, has the policy decide, and applies what it allows at once. */
export async function planAndAct(context: PipelineContext, incident: Incident, listen: HealListener): Promise<void> {
  const table = tableOf(context);
  const contract = context.contract.contract;
  const columnStats = await gatherColumnStats(context.warehouse, contract, incident.findings);
  const plan = await context.architect.plan({ table, contract, findings: incident.findings, columnStats });
  incident.plan = plan;
  listen({ kind: 'planned', incident, actions: plan.actions });
  const decisions = decide(plan, context.policy, contract);
  incident.decisions = decisions;
  listen({ kind: 'decided', incident, decisions });
  await recordIncident(context, incident, [
    { kind: 'plan', table, payload: { incident: incident.id, plan } },
    ...decisions.map((d) => ({ kind: 'decision' as const, table, payload: { incident: incident.id, action: d.planned.action, verdict: d.verdict, reason: d.reason } })),
  ]);
  await act(context, incident, decisions.filter((d) => d.verdict === 'auto').map((d) => d.planned.action), `agent:${plan.brain}`, listen);
}

/**
 * Applies `actions` for an incident: schema changes (DDL + one new contract version) in
 * one transaction, then halt/resume on the controller, then the replay; finally the
 * incident's status follows from what is still pending.
 */
export async function act(context: PipelineContext, incident: Incident, actions: Action[], by: string, listen: HealListener): Promise<void> {
  const { warehouse } = context;
  const table = tableOf(context);
  const changes = actions.filter((action) => SCHEMA_KINDS.has(action.kind));
  let changed = false;
  if (changes.length > 0) {
    const base = context.contract;
    const applied: AppliedAction[] = [];
    const version = await warehouse.transaction(async (tx) => {
      let next = base.contract;
      for (const action of changes) {
        const ddl = ddlForAction(warehouse.dialect, next, action);
        await applyDdl(tx, ddl);
        next = applyAction(next, action).contract;
        applied.push({ action, ddl, contractVersion: base.version, at: new Date().toISOString(), by });
      }
      // A version's author is who proposed the change: the agent's brain, also when a person
      // approved it (that is in the note and the incident). `user` versions are edits of the
      // contract file, which is what re-registering the file compares against.
      const author: ContractAuthor = by.startsWith('agent:') ? (by as ContractAuthor) : `agent:${incident.plan?.brain ?? 'rules'}`;
      const note = by === author ? `incident ${incident.id}` : `incident ${incident.id}, approved by ${by}`;
      const created = await recordAgentVersion(tx, warehouse.dialect, base, next, author, note);
      for (const entry of applied) entry.contractVersion = created.version;
      incident.applied.push(...applied);
      await saveIncident(tx, warehouse.dialect, incident);
      await appendEvents(tx, applied.map((entry) => ({ kind: 'action_applied' as const, table, payload: { incident: incident.id, ...entry } })));
      return created;
    });
    context.contract = version;
    context.validate = validatorFor(context.warehouse, version.contract);
    changed = true;
    for (const entry of applied) listen({ kind: 'applied', incident, applied: entry });
  }

  const haltAction = actions.find((action): action is Extract<Action, { kind: 'halt' }> => action.kind === 'halt');
  const resuming = actions.some((action) => action.kind === 'resume');
  if (haltAction !== undefined || resuming) {
    await updateControl(context, incident, (control) =>
      haltAction !== undefined && !resuming ? halt(control, haltAction.reason) : resume(control, context.controller), listen);
    for (const action of actions.filter((a) => a.kind === 'halt' || a.kind === 'resume')) {
      incident.applied.push({ action, ddl: [], contractVersion: context.contract.version, at: new Date().toISOString(), by });
    }
  }

  const wantsReplay = actions.some((action) => action.kind === 'replay') || resuming;
  if (wantsReplay && (changed || resuming)) await replayIncident(context, incident, reasonSelector(incident.findingKeys, resuming), listen);

  const pending = pendingDecisions(incident);
  const halted = haltAction !== undefined && !resuming;
  let status: IncidentStatus;
  let note: string;
  if (halted) {
    status = 'halted';
    note = `no safe fix: ${haltAction.reason}; waiting for a person (${pending.length} proposal(s) to approve or reject)`;
  } else if (pending.length > 0) {
    status = 'awaiting_approval';
    note = `${pending.length} action(s) need approval: ${pending.map((d) => describeAction(d.planned.action)).join('; ')}`;
  } else if (changed || resuming) {
    status = 'healed';
    note = `healed: ${incident.applied.map((a) => describeAction(a.action)).join('; ')}; ${incident.replayed} record(s) replayed`;
  } else {
    // Nothing to apply: the plan was quarantine / no_op, or the policy denied the changes.
    status = 'rejected';
    const reasons = (incident.decisions ?? []).map((d) =>
      d.verdict === 'deny' ? `${describeAction(d.planned.action)} denied (${d.reason})` : describeAction(d.planned.action),
    );
    note = `nothing applied: ${reasons.join('; ') || 'no action planned'}`;
  }
  transition(incident, status, note, by);
  if (status === 'healed' || status === 'rejected') await settleControl(context, incident, status, listen);
  await recordIncident(context, incident, [{ kind: 'incident_updated', table, payload: { incident: incident.id, status, note } }]);
  listen({ kind: 'status', incident, status, note });
}

/**
 * Resumes a halted table without changing the contract (a person rejected the fix): the
 * records held only by the open circuit are replayed; the drifted ones stay quarantined.
 */
export async function resumeHalted(context: PipelineContext, incident: Incident, listen: HealListener): Promise<void> {
  await updateControl(context, incident, (control) => resume(control, context.controller), listen);
  await replayIncident(context, incident, (reasons) => reasons.some((reason) => reason.kind === 'circuit_open'), listen);
}

/** After a crash between a file's commit and its healing: plan the incidents left unplanned. */
export async function planUnplannedIncidents(context: PipelineContext, listen: HealListener = () => undefined): Promise<void> {
  const table = tableOf(context);
  const unplanned = async () => (await listIncidents(context.warehouse, { table, active: true })).filter((i) => i.status === 'open' && i.plan === undefined);
  if ((await unplanned()).length === 0) return;
  // Under the heal lock, and listed again there: another worker may be planning them now.
  await context.warehouse.exclusive(`heal:${table}`, async () => {
    await refreshContract(context);
    for (const incident of await unplanned()) await planAndAct(context, incident, listen);
  });
}

/** An incident that ended (healed, or rejected without a change) takes the table out of `healing`. */
export async function settleControl(context: PipelineContext, incident: Incident, status: 'healed' | 'rejected', listen: HealListener): Promise<void> {
  await updateControl(
    context,
    incident,
    (control) =>
      status === 'healed'
        ? healed(control, incident.findingKeys, context.controller)
        : dismissed(control, `incident ${incident.id} rejected`, context.controller),
    listen,
  );
}

/** Changes the table's controller state in one transaction, logging each transition. */
async function updateControl(context: PipelineContext, incident: Incident, change: (control: TableControl) => ControlChange, listen: HealListener): Promise<void> {
  const { warehouse } = context;
  const table = tableOf(context);
  await warehouse.transaction(async (tx) => {
    const step = change((await loadControl(tx, warehouse.dialect, table)) ?? initialControl(table));
    await saveControl(tx, warehouse.dialect, step.next);
    await appendEvents(tx, step.transitions.map((t) => ({ kind: 'controller_transition' as const, table, payload: { incident: incident.id, ...t } })));
    for (const t of step.transitions) listen({ kind: 'controller', table, transition: t });
  });
}

/** Replays the incident's quarantined records (those `select` picks) against the current contract. */
async function replayIncident(context: PipelineContext, incident: Incident, select: (reasons: Reason[]) => boolean, listen: HealListener): Promise<void> {
  const table = tableOf(context);
  const result = await replayQuarantine(context.warehouse, {
    table,
    contractVersion: context.contract.version,
    validate: context.validate,
    silverColumns: silverTable(context.contract.contract).columns,
    incidentId: incident.id,
    select,
  });
  incident.replayed += result.promoted;
  await appendEvents(context.warehouse, [{ kind: 'replay', table, payload: { incident: incident.id, ...result } }]);
  listen({ kind: 'replayed', incident, result });
}
