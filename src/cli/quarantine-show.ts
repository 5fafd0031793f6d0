/** `agentic-etl quarantine show ID`: one quarantined record, raw bytes and every reason. */
import type { Command } from 'commander';
import { showQuarantined } from '../ledger/quarantine-store.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import { printJson, say } from './_output.js';
import { resolveTable } from './_resolve-table.js';

export default async function quarantineShow(recordId: string, options: { table?: string; json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const table = await resolveTable(warehouse, options.table);
    const record = await showQuarantined(warehouse, table, recordId);
    if (record === undefined) {
      throw new AetlError('not_found', `no quarantined record \`${recordId}\` in ${table}`, { hint: 'list them with `agentic-etl quarantine list`' });
    }
    if (options.json) {
      printJson(record);
      return 0;
    }
    say(`record   ${record.recordId}`);
    say(`from     ${record.file}:${record.line}`);
    say(`status   ${record.status} (contract v${record.contractVersion}, quarantined ${record.quarantinedAt})`);
    say(`raw      ${record.rawEncoding === 'base64' ? '(not valid UTF-8; base64) ' : ''}${record.raw}`);
    say('reasons');
    for (const reason of record.reasons) say(`  - ${reason.kind}${reason.column ? ` [${reason.column}]` : ''}: ${reason.message}`);
    return 0;
  } finally {
    await warehouse.close();
  }
}
