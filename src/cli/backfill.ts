/** `agentic-etl backfill --column C`: fill a column from bronze for records that landed while its field was ignored. */
import type { Command } from 'commander';
import { backfillColumn } from '../actuator/backfill.js';
import { appendEvents } from '../ledger/event-log.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import { printJson, say } from './_output.js';

export default async function backfill(options: { column: string; table?: string; json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    const contract = pipeline.contract.contract;
    if (options.table !== undefined && options.table !== contract.table) {
      throw new AetlError('usage', `this config's contract is for table ${contract.table}, not ${options.table}`, { hint: 'pass the config of that pipeline with -c' });
    }
    const column = contract.columns.find((c) => c.name === options.column);
    if (column === undefined) {
      throw new AetlError('not_found', `column \`${options.column}\` is not in contract v${pipeline.contract.version} of ${contract.table}`, {
        hint: `add it to the contract first; columns: ${contract.columns.map((c) => c.name).join(', ')}`,
      });
    }
    const result = await backfillColumn(pipeline.warehouse, { table: contract.table, column, coercion: column.coercion ?? contract.evolution.coercion });
    await appendEvents(pipeline.warehouse, [{ kind: 'backfill', table: contract.table, payload: { column: column.name, ...result } }]);
    if (options.json) printJson(result);
    else say(`backfilled ${column.name}: ${result.filled} of ${result.examined} silver record(s) filled from bronze${result.message ? ` — ${result.message}` : ''}`);
    return 0;
  } finally {
    await pipeline.close();
  }
}
