/**
 * The architect's and the guardrail's part: an incident is planned once, the policy decides
 * each action, and the actions it allows become the incident's work order — all saved in
 * one transaction before anything is applied, so a crash after it leaves work that the
 * next run finishes (and a crash before it, an unplanned incident it plans).
 */
import type { Incident, IncidentWork } from '../ledger/incidents.js';
import { decide } from '../policy/policy.js';
import { crashPoint } from '../util/crash-point.js';
import { gatherColumnStats } from './column-stats.js';
import { act } from './heal-act.js';
import type { HealListener } from './heal-events.js';
import { recordIncident } from './heal-store.js';
import { isDone } from './heal-status.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';

/** Plans the incident if it has no plan yet, then carries out what the policy allows at once. */
export async function planAndAct(context: PipelineContext, incident: Incident, listen: HealListener): Promise<void> {
  if (incident.plan === undefined) {
    const table = tableOf(context);
    const contract = context.contract.contract;
    const columnStats = await gatherColumnStats(context.warehouse, contract, incident.findings);
    const plan = await context.architect.plan({ table, contract, findings: incident.findings, columnStats });
    const decisions = decide(plan, context.policy, contract, context.limits);
    const work: IncidentWork = { kind: 'apply', actions: decisions.filter((d) => d.verdict === 'auto').map((d) => d.planned.action), by: `agent:${plan.brain}`, at: new Date().toISOString() };
    await recordIncident(context, { ...incident, plan, decisions, work }, [
      { kind: 'plan', table, payload: { incident: incident.id, plan } },
      ...decisions.map((d) => ({ kind: 'decision' as const, table, payload: { incident: incident.id, action: d.planned.action, verdict: d.verdict, reason: d.reason } })),
    ]);
    Object.assign(incident, { plan, decisions, work });
    listen({ kind: 'planned', incident, actions: plan.actions });
    listen({ kind: 'decided', incident, decisions });
    crashPoint('heal:planned');
  } else if (incident.work === undefined && incident.status === 'open') {
    // Planned by a version that saved no work order: the policy's auto verdicts not yet applied are the work.
    const actions = (incident.decisions ?? []).filter((d) => d.verdict === 'auto' && !isDone(incident, d.planned.action)).map((d) => d.planned.action);
    incident.work = { kind: 'apply', actions, by: `agent:${incident.plan.brain}`, at: new Date().toISOString() };
  }
  await act(context, incident, listen);
}
