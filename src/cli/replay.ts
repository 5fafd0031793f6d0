/** `agentic-etl replay [--incident ID]`: re-validate open quarantine rows against the current contract. */
import type { Command } from 'commander';
import { appendEvents } from '../ledger/event-log.js';
import { getIncident } from '../ledger/incidents.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import { reasonSelector } from '../pipeline/heal-records.js';
import { replayCurrent } from '../pipeline/replay-current.js';
import type { Reason } from '../sensor/types.js';
import { printJson, say } from './_output.js';

export default async function replay(options: { incident?: string; json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    let select: ((reasons: Reason[]) => boolean) | undefined;
    if (options.incident !== undefined) {
      const incident = await getIncident(pipeline.warehouse, pipeline.warehouse.dialect, options.incident);
      if (incident === undefined) throw new AetlError('not_found', `no incident \`${options.incident}\``, { hint: 'list them with `agentic-etl incidents`' });
      select = reasonSelector(incident.findingKeys, false);
    }
    const table = pipeline.contract.table;
    const result = await replayCurrent(pipeline, options.incident ?? null, select);
    await appendEvents(pipeline.warehouse, [{ kind: 'replay', table, payload: { incident: options.incident ?? null, by: 'user', ...result } }]);
    if (options.json) printJson(result);
    else say(`replayed against contract v${pipeline.contract.version}: ${result.examined} examined, ${result.promoted} promoted to silver, ${result.stillInvalid} still quarantined`);
    return 0;
  } finally {
    await pipeline.close();
  }
}
