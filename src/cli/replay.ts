/** `agentic-etl replay [--incident ID]`: re-validate open quarantine rows against the current contract. */
import type { Command } from 'commander';
import { replayQuarantine } from '../actuator/replay.js';
import { appendEvents } from '../ledger/event-log.js';
import { getIncident } from '../ledger/incidents.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import { silverTable } from '../warehouse/tables.js';
import { printJson, say } from './_output.js';

export default async function replay(options: { incident?: string; json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    let select: ((reasons: Array<{ kind: string; column: string | null }>) => boolean) | undefined;
    if (options.incident !== undefined) {
      const incident = await getIncident(pipeline.warehouse, pipeline.warehouse.dialect, options.incident);
      if (incident === undefined) throw new AetlError('not_found', `no incident \`${options.incident}\``, { hint: 'list them with `agentic-etl incidents`' });
      const keys = new Set(incident.findingKeys);
      select = (reasons) => reasons.some((r) => keys.has(`${r.kind}:${r.column ?? '*'}`));
    }
    const table = pipeline.contract.table;
    const result = await replayQuarantine(pipeline.warehouse, {
      table,
      contractVersion: pipeline.contract.version,
      validate: pipeline.validate,
      silverColumns: silverTable(pipeline.contract.contract).columns,
      incidentId: options.incident ?? null,
      select,
    });
    await appendEvents(pipeline.warehouse, [{ kind: 'replay', table, payload: { incident: options.incident ?? null, by: 'user', ...result } }]);
    if (options.json) printJson(result);
    else say(`replayed against contract v${pipeline.contract.version}: ${result.examined} examined, ${result.promoted} promoted to silver, ${result.stillInvalid} still quarantined`);
    return 0;
  } finally {
    await pipeline.close();
  }
}
