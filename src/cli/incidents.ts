/** `agentic-etl incidents [--open]` and `incidents show ID`: what drifted, the plan, the decisions, the DDL. */
import type { Command } from 'commander';
import { describeAction } from '../agent/actions.js';
import { reasonMatches } from '../controller/finding-signature.js';
import { getIncident, listIncidents, signaturesOf, type Incident } from '../ledger/incidents.js';
import { listQuarantine } from '../ledger/quarantine-store.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { pendingDecisions } from '../pipeline/heal-status.js';
import { AetlError } from '../util/errors.js';
import { note, printJson, printTable, say } from './_output.js';

export async function incidentsList(options: { open?: boolean; table?: string; json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const incidents = await listIncidents(warehouse, { table: options.table, active: options.open === true });
    if (options.json) printJson(incidents);
    else if (incidents.length === 0) note(options.open ? 'No open incidents.' : 'No incidents yet.');
    else
      printTable(
        ['incident', 'table', 'status', 'opened', 'drift', 'batches', 'replayed', 'quarantined'],
        incidents.map((i) => [i.id, i.table, statusText(i), i.openedAt.slice(0, 19), i.findingKeys.join(', '), i.batches, i.replayed, i.stillQuarantined ?? '-']),
      );
    return 0;
  } finally {
    await warehouse.close();
  }
}

/** The status, marked when a crash left work the next run (or approve / reject) will finish. */
const statusText = (incident: Incident): string => (incident.work === undefined ? incident.status : `${incident.status} (unfinished)`);

function showIncident(incident: Incident, samples: Array<{ where: string; raw: string }>): void {
  say(`incident ${incident.id}  table ${incident.table}  status ${incident.status}`);
  if (incident.work !== undefined) {
    say(`unfinished: ${incident.work.by}'s ${incident.work.kind} was interrupted; the next \`agentic-etl run\` (or approve / reject) finishes it`);
  }
  if (incident.signatures !== undefined && incident.signatures.join() !== incident.findingKeys.join()) say(`exactly: ${incident.signatures.join(', ')}`);
  say(`opened ${incident.openedAt}, updated ${incident.updatedAt}; ${incident.batches} batch(es): ${incident.files.join(', ')}`);
  say('\nfindings');
  for (const f of incident.findings) say(`  - ${f.kind}${f.column ? ` ${f.column}` : ''}: ${f.count} record(s), ${(f.share * 100).toFixed(1)}% of the batch ${JSON.stringify({ ...f, kind: undefined, column: undefined, count: undefined, share: undefined })}`);
  if (samples.length > 0) {
    say('\nsample records');
    for (const s of samples) say(`  ${s.where}  ${s.raw.length > 200 ? `${s.raw.slice(0, 200)}…` : s.raw}`);
  }
  if (incident.plan) {
    say(`\nplan (${incident.plan.brain})`);
    for (const p of incident.plan.actions) say(`  - ${describeAction(p.action)}  [${Math.round(p.confidence * 100)}%] ${p.rationale}`);
  }
  if (incident.decisions) {
    say('\ndecisions');
    for (const d of incident.decisions) say(`  - ${describeAction(d.planned.action)} → ${d.verdict} (${d.reason})`);
  }
  if (incident.applied.length > 0) {
    say('\napplied');
    for (const a of incident.applied) say(`  - ${a.at} by ${a.by}: ${describeAction(a.action)} → contract v${a.contractVersion}${a.note === undefined ? '' : ` (${a.note})`}${a.ddl.map((sql) => `\n      ${sql}`).join('')}`);
  }
  if ((incident.refused ?? []).length > 0) {
    say('\nnot applied');
    for (const r of incident.refused ?? []) say(`  - ${r.at} by ${r.by}: ${describeAction(r.action)}: ${r.reason}`);
  }
  const pending = pendingDecisions(incident);
  if (pending.length > 0) say(`\nwaiting for approval: ${pending.map((d) => describeAction(d.planned.action)).join('; ')}  →  agentic-etl approve ${incident.id} | reject ${incident.id}`);
  say(`\nreplayed ${incident.replayed} record(s)`);
  if (incident.stillQuarantined !== undefined) say(`still quarantined: ${incident.stillQuarantined} record(s) with this incident's findings (\`agentic-etl quarantine list\`)`);
  say('\nhistory');
  for (const h of incident.history) say(`  ${h.at}  ${h.status.padEnd(17)} ${h.by}: ${h.note}`);
}

export async function incidentsShow(id: string, options: { json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const incident = await getIncident(warehouse, warehouse.dialect, id);
    if (incident === undefined) throw new AetlError('not_found', `no incident \`${id}\``, { hint: 'list them with `agentic-etl incidents`' });
    const owned = new Set(signaturesOf(incident));
    const quarantined = await listQuarantine(warehouse, { table: incident.table, limit: 500 });
    const samples = quarantined
      .filter((r) => r.reasons.some((reason) => reasonMatches(reason, owned)))
      .slice(0, 3)
      .map((r) => ({ where: `${r.file}:${r.line}`, raw: r.raw }));
    if (options.json) printJson({ ...incident, samples });
    else showIncident(incident, samples);
    return 0;
  } finally {
    await warehouse.close();
  }
}

export default incidentsList;
