/**
 * `agentic-etl approve ID` / `reject ID`: a person's decision on an incident waiting for
 * one. Approve applies the pending actions (author `user`), resumes a halted table and
 * replays; reject leaves the records in quarantine and, if halted, resumes the flow of
 * valid records.
 */
import type { Command } from 'commander';
import type { Action } from '../agent/actions.js';
import { getIncident, transition, type Incident } from '../ledger/incidents.js';
import { act, pendingDecisions, recordIncident, resumeHalted, settleControl } from '../pipeline/heal.js';
import { openPipeline, type OpenPipeline } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import { say } from './_output.js';
import { healLine } from './_heal-lines.js';

async function waitingIncident(pipeline: OpenPipeline, id: string): Promise<Incident> {
  const incident = await getIncident(pipeline.warehouse, pipeline.warehouse.dialect, id);
  if (incident === undefined) throw new AetlError('not_found', `no incident \`${id}\``, { hint: 'list them with `agentic-etl incidents --open`' });
  if (incident.status !== 'awaiting_approval' && incident.status !== 'halted') {
    throw new AetlError('usage', `incident ${id} is ${incident.status}, not waiting for a decision`, { hint: 'see `agentic-etl incidents --open`' });
  }
  if (incident.table !== pipeline.contract.table) {
    throw new AetlError('usage', `incident ${id} belongs to table ${incident.table}, but this config's contract is ${pipeline.contract.table}`, {
      hint: 'pass the config of that pipeline with -c',
    });
  }
  return incident;
}

export default async function approve(id: string, _options: unknown, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    const incident = await waitingIncident(pipeline, id);
    const actions: Action[] = pendingDecisions(incident).map((d) => d.planned.action);
    if (incident.status === 'halted') actions.push({ kind: 'resume' });
    actions.push({ kind: 'replay' });
    await pipeline.warehouse.exclusive(`heal:${incident.table}`, () => act(pipeline, incident, actions, 'user', (event) => say(healLine(event))));
    return 0;
  } finally {
    await pipeline.close();
  }
}

export async function reject(id: string, options: { reason?: string }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    const incident = await waitingIncident(pipeline, id);
    const listen = (event: Parameters<typeof healLine>[0]) => say(healLine(event));
    await pipeline.warehouse.exclusive(`heal:${incident.table}`, async () => {
      if (incident.status === 'halted') await resumeHalted(pipeline, incident, listen);
      transition(incident, 'rejected', options.reason ?? 'rejected by a person: the records stay in quarantine', 'user');
      await settleControl(pipeline, incident, 'rejected', listen);
      await recordIncident(pipeline, incident, [{ kind: 'incident_updated', table: incident.table, payload: { incident: incident.id, status: 'rejected', by: 'user' } }]);
    });
    say(healLine({ kind: 'status', incident, status: 'rejected', note: incident.history.at(-1)?.note ?? '' }));
    return 0;
  } finally {
    await pipeline.close();
  }
}
