/**
 * A replay of quarantined records against the pipeline's current contract version: the one
 * place that turns a PipelineContext into the actuator's replay options, for the healing
 * loop and for `agentic-etl replay`.
 */
import { replayQuarantine, type ReplayResult } from '../actuator/replay.js';
import type { Reason } from '../sensor/types.js';
import { silverTable } from '../warehouse/tables.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';

export function replayCurrent(context: PipelineContext, incidentId: string | null, select?: (reasons: Reason[]) => boolean): Promise<ReplayResult> {
  return replayQuarantine(context.warehouse, {
    table: tableOf(context),
    contractVersion: context.contract.version,
    validate: context.validate,
    silverColumns: silverTable(context.contract.contract).columns,
    incidentId,
    select: select ?? null,
  });
}
