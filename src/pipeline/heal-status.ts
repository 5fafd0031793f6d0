/**
 * An incident's status from what actually committed: its applied and refused actions,
 * the decisions still waiting for a person, and how many of its records are still in
 * quarantine. `healed` is only ever said when none is left. Pure.
 */
import { describeAction, type Action, type ActionKind } from '../agent/actions.js';
import type { Incident, IncidentStatus, IncidentWork } from '../ledger/incidents.js';
import type { Decision } from '../policy/types.js';

/** Actions that change the contract (and maybe the table), so that a replay can help. */
export const SCHEMA_KINDS: ReadonlySet<ActionKind> = new Set(['add_column', 'widen_type', 'coerce', 'rename_column', 'extend_enum']);

export const sameAction = (a: Action, b: Action): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether `action` was applied for the incident, or refused as not fitting: either way it is not to be tried again. */
export function isDone(incident: Incident, action: Action): boolean {
  return incident.applied.some((applied) => sameAction(applied.action, action)) || (incident.refused ?? []).some((refused) => sameAction(refused.action, action));
}

/** Decisions waiting for a person: `approve` verdicts whose action is not done. */
export function pendingDecisions(incident: Incident): Decision[] {
  return (incident.decisions ?? []).filter((decision) => decision.verdict === 'approve' && !isDone(incident, decision.planned.action));
}

/** Whether this incident opened the table's circuit and nobody has closed it since. */
export function holdsCircuit(incident: Incident): boolean {
  return incident.applied.some((a) => a.action.kind === 'halt') && !incident.applied.some((a) => a.action.kind === 'resume');
}

/** Whether something that can bring records out of quarantine was applied: a contract change, or the circuit closed. */
export function changedSomething(incident: Incident): boolean {
  return incident.applied.some((a) => SCHEMA_KINDS.has(a.action.kind) || a.action.kind === 'resume');
}

export function settledStatus(incident: Incident, work: IncidentWork, stillQuarantined: number): { status: IncidentStatus; note: string } {
  const still = `${stillQuarantined} record(s) of this incident ${stillQuarantined === 1 ? 'is' : 'are'} still quarantined`;
  if (work.kind === 'reject') {
    return { status: 'rejected', note: `${work.note ?? 'rejected by a person'}; ${still}` };
  }
  const pending = pendingDecisions(incident);
  const proposals = pending.map((d) => describeAction(d.planned.action)).join('; ');
  if (holdsCircuit(incident)) {
    const halt = incident.applied.find((a) => a.action.kind === 'halt')?.action;
    const reason = halt?.kind === 'halt' ? halt.reason : 'no safe fix';
    return { status: 'halted', note: `no safe fix: ${reason}; waiting for a person (${pending.length} proposal(s) to approve or reject${pending.length > 0 ? `: ${proposals}` : ''})` };
  }
  if (pending.length > 0) return { status: 'awaiting_approval', note: `${pending.length} action(s) need approval: ${proposals}` };
  const refused = (incident.refused ?? []).map((r) => `${describeAction(r.action)} could not be applied (${r.reason})`);
  if (!changedSomething(incident)) {
    // Nothing to apply: the plan was quarantine / no_op, the policy denied the changes, or they no longer fitted.
    const reasons = [
      ...(incident.decisions ?? []).map((d) => (d.verdict === 'deny' ? `${describeAction(d.planned.action)} denied (${d.reason})` : describeAction(d.planned.action))),
      ...refused,
    ];
    return { status: 'rejected', note: `nothing applied: ${reasons.join('; ') || 'no action planned'}` };
  }
  const applied = incident.applied.map((a) => describeAction(a.action)).join('; ');
  const extra = refused.length > 0 ? `; ${refused.join('; ')}` : '';
  if (stillQuarantined > 0) {
    return {
      status: 'applied',
      note: `applied: ${applied}${extra}; but ${still} — fix the producer or the contract, then \`agentic-etl approve ${incident.id}\` replays them`,
    };
  }
  return { status: 'healed', note: `healed: ${applied}${extra}; ${incident.replayed} record(s) replayed, none left in quarantine` };
}
