/** Saving an incident together with the events that describe the change, in one transaction. */
import { appendEvents, type EventInput } from '../ledger/event-log.js';
import { saveIncident, type Incident } from '../ledger/incidents.js';
import type { PipelineContext } from './pipeline-context.js';

export async function recordIncident(context: PipelineContext, incident: Incident, events: EventInput[]): Promise<void> {
  await context.warehouse.transaction(async (tx) => {
    await saveIncident(tx, context.warehouse.dialect, incident);
    await appendEvents(tx, events);
  });
}
