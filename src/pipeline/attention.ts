/**
 * What waits for a person after a run, so that the exit status can say so: a table that is
 * halted (circuit open: its valid records are held in quarantine) and incidents whose
 * proposals await approval. Read from the warehouse at the end, so it is the state a
 * scheduler should act on, whoever (this run, another worker, an earlier run) caused it.
 */
import { describeAction } from '../agent/actions.js';
import { loadControl } from '../ledger/controller-store.js';
import { listIncidents } from '../ledger/incidents.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export type AttentionKind = 'table_halted' | 'awaiting_approval';

export interface Attention {
  kind: AttentionKind;
  table: string;
  incident?: string;
  message: string;
  hint: string;
}

export async function needsAttention(warehouse: Warehouse, table: string): Promise<Attention[]> {
  const found: Attention[] = [];
  const control = await loadControl(warehouse, warehouse.dialect, table);
  const incidents = await listIncidents(warehouse, { table, active: true });
  if (control?.state === 'halted') {
    const halting = incidents.find((incident) => incident.status === 'halted');
    found.push({
      kind: 'table_halted',
      table,
      ...(halting === undefined ? {} : { incident: halting.id }),
      message: `table \`${table}\` is halted (circuit open): its valid records are held in quarantine, none reach silver`,
      hint: halting === undefined
        ? 'see agentic-etl incidents --open'
        : `see agentic-etl incidents show ${halting.id}, then agentic-etl approve ${halting.id} or reject ${halting.id}`,
    });
  }
  for (const incident of incidents) {
    if (incident.status !== 'awaiting_approval') continue;
    const pending = (incident.decisions ?? []).filter((decision) => decision.verdict === 'approve').map((decision) => describeAction(decision.planned.action));
    found.push({
      kind: 'awaiting_approval',
      table,
      incident: incident.id,
      message: `incident ${incident.id} awaits approval${pending.length === 0 ? '' : `: ${pending.join('; ')}`}; its records stay quarantined until then`,
      hint: `agentic-etl approve ${incident.id} or agentic-etl reject ${incident.id}`,
    });
  }
  return found;
}
