/**
 * The healing loop after a file commits: drift the controller found joins the incident
 * that owns it or opens a new one (heal-plan.ts plans it, heal-act.ts applies what the
 * policy allows). The file's drift is pending in the controller's state from its own
 * transaction until the incident that takes it commits, so a crash in between loses
 * nothing: the next run takes it (heal-recover.ts).
 *
 * Ownership: an incident owns the exact findings it is about (its signatures). While it
 * is open, waiting, halted or applied, the same drift joins it; a rejected one keeps only
 * what it rejected, so the same drift stays rejected but a new enum value — or a new kind
 * of drift on the column — is a new incident. Healed incidents own nothing.
 */
import { findingKey } from '../controller/finding-key.js';
import { findingSignatures, splitFinding } from '../controller/finding-signature.js';
import type { PendingDrift } from '../controller/types.js';
import { loadControl } from '../ledger/controller-store.js';
import { appendEvents, type EventInput } from '../ledger/event-log.js';
import { listIncidents, newIncident, saveIncident, signaturesOf, type Incident, type IncidentStatus } from '../ledger/incidents.js';
import type { Finding } from '../sensor/findings.js';
import { crashPoint } from '../util/crash-point.js';
import { reconcileControl } from './heal-control.js';
import type { HealListener } from './heal-events.js';
import { planAndAct } from './heal-plan.js';
import { mergeFindings } from './merge-findings.js';
import { countIncidentRecords, reasonSelector } from './heal-records.js';
import type { FileResult } from './ingest-file.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';
import { refreshContract } from './refresh-contract.js';
import { replayCurrent } from './replay-current.js';

export type { HealEvent, HealListener } from './heal-events.js';

/** Who owns a finding first: an incident at work or waiting, then one applied, then a rejected one. */
const OWNER_RANK: Partial<Record<IncidentStatus, number>> = { open: 0, awaiting_approval: 0, halted: 0, applied: 1, rejected: 2 };

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
  const pending: PendingDrift = { key: result.key, fileId: result.fileId, contractVersion: context.contract.version, drift };
  crashPoint('heal:file-committed');
  await context.warehouse.exclusive(`heal:${table}`, () => healPending(context, pending, listen));
}

/** Takes one file's pending drift into incidents (call under the heal lock). */
export async function healPending(context: PipelineContext, pending: PendingDrift, listen: HealListener): Promise<void> {
  // Another worker's recovery may have taken it while this one waited for the lock.
  const control = await loadControl(context.warehouse, context.warehouse.dialect, tableOf(context));
  if (!(control?.pending ?? []).some((entry) => entry.fileId === pending.fileId)) return;
  await refreshContract(context);
  if (context.contract.version > pending.contractVersion) {
    // Another worker (or a person) evolved the contract since this file was judged:
    // replay what it quarantined against the new version before calling anything drift.
    const table = tableOf(context);
    const result = await replayCurrent(context, null, reasonSelector(pending.drift.map(findingKey), false));
    const transitions = await context.warehouse.transaction(async (tx) => {
      await appendEvents(tx, [{ kind: 'replay', table, payload: { reason: 'contract evolved by another worker', file: pending.key, ...result } }]);
      return reconcileControl(tx, context, [], `contract evolved to v${context.contract.version} before ${pending.key} was healed`, { dropPending: [pending.fileId] });
    });
    for (const t of transitions) listen({ kind: 'controller', table, transition: t });
    return;
  }
  await healDrift(context, pending, listen);
}

/** Splits the drift into the parts existing incidents own (by incident) and the rest. */
function assign(drift: readonly Finding[], incidents: readonly Incident[], threshold: number): { joins: Map<Incident, Finding[]>; uncovered: Finding[] } {
  const owners = incidents
    .filter((incident) => OWNER_RANK[incident.status] !== undefined)
    .sort((a, b) => (OWNER_RANK[a.status] ?? 0) - (OWNER_RANK[b.status] ?? 0));
  const joins = new Map<Incident, Finding[]>();
  const uncovered: Finding[] = [];
  for (const finding of drift) {
    let rest: Finding | undefined = finding;
    for (const owner of owners) {
      if (rest === undefined) break;
      if (!owner.findingKeys.includes(findingKey(rest))) continue;
      // Incidents from before signatures own their keys whole, as they did.
      const split: { covered?: Finding; rest?: Finding } = owner.signatures === undefined ? { covered: rest } : splitFinding(rest, new Set(signaturesOf(owner)), threshold);
      if (split.covered !== undefined) joins.set(owner, [...(joins.get(owner) ?? []), split.covered]);
      rest = split.rest;
    }
    if (rest !== undefined) uncovered.push(rest);
  }
  return { joins, uncovered };
}

async function healDrift(context: PipelineContext, pending: PendingDrift, listen: HealListener): Promise<void> {
  const { warehouse } = context;
  const table = tableOf(context);
  const threshold = context.contract.contract.evolution.drift_threshold;
  const { joins, uncovered } = assign(pending.drift, await listIncidents(warehouse, { table }), threshold);

  const joined = [...joins.keys()];
  const inFile = joined.length === 0 ? new Map<string, number>() : await countIncidentRecords(warehouse, warehouse.dialect, table, joined, pending.fileId);
  const now = new Date().toISOString();
  const updated = [...joins].map(([incident, findings]): Incident => ({
    ...incident,
    findings: mergeFindings(incident.findings, findings),
    batches: incident.batches + 1,
    files: incident.files.length < 20 ? [...incident.files, pending.key] : incident.files,
    stillQuarantined: (incident.stillQuarantined ?? 0) + (inFile.get(incident.id) ?? 0),
    updatedAt: now,
  }));
  const created = uncovered.length === 0
    ? undefined
    : newIncident(table, uncovered.map(findingKey), uncovered, pending.key, uncovered.flatMap((finding) => findingSignatures(finding, threshold)));
  const events: EventInput[] = updated.map((incident) => ({ kind: 'incident_updated', table, fileId: pending.fileId, payload: { incident: incident.id, file: pending.key } }));
  if (created !== undefined) events.push({ kind: 'incident_opened', table, fileId: pending.fileId, payload: { incident: created.id, findings: uncovered } });
  const changed = created === undefined ? updated : [...updated, created];
  const settledBy = updated.map((incident) => `${incident.id} (${incident.status})`).join(', ');
  const transitions = await warehouse.transaction(async (tx) => {
    for (const incident of changed) await saveIncident(tx, warehouse.dialect, incident);
    await appendEvents(tx, events);
    // Drift that only joins incidents no longer at work (rejected, applied) starts no healing.
    return reconcileControl(tx, context, changed, `drift in ${pending.key} is already decided in incident(s) ${settledBy}`, { dropPending: [pending.fileId] });
  });
  if (created !== undefined) crashPoint('heal:opened');
  for (const incident of updated) listen({ kind: 'attached', incident, file: pending.key });
  for (const t of transitions) listen({ kind: 'controller', table, transition: t });
  if (created === undefined) return;
  listen({ kind: 'detected', incident: created, file: pending.key });
  await planAndAct(context, created, listen);
}
