/** `agentic-etl status`: per table, files, records, silver, quarantined and the rate. */
import type { Command } from 'commander';
import { allTableStatus } from '../ledger/table-status.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { note, percent, printJson, printTable } from './_output.js';

export default async function status(options: { json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const tables = await allTableStatus(warehouse);
    if (options.json) {
      printJson(tables);
    } else if (tables.length === 0) {
      note('No tables yet: run `agentic-etl run` first.');
    } else {
      printTable(
        ['table', 'files', 'records', 'silver', 'quarantined', 'quarantine rate'],
        tables.map((t) => [t.table, t.files, t.records, t.silver, t.quarantined, percent(t.quarantineRate)]),
      );
    }
    return 0;
  } finally {
    await warehouse.close();
  }
}
