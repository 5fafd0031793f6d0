/** `agentic-etl quarantine list`: quarantined records with their reasons. */
import type { Command } from 'commander';
import { listQuarantine, type QuarantineStatus } from '../ledger/quarantine-store.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import { note, printJson, printTable } from './_output.js';
import { resolveTable } from './_resolve-table.js';

interface ListOptions {
  table?: string;
  file?: string;
  status: string;
  limit: string;
  json?: boolean;
}

const STATUSES: readonly QuarantineStatus[] = ['open', 'replayed', 'discarded'];

export default async function quarantineList(options: ListOptions, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  if (!STATUSES.includes(options.status as QuarantineStatus)) {
    throw new AetlError('usage', `--status ${options.status} is not a quarantine status`, { hint: `use one of: ${STATUSES.join(', ')}` });
  }
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new AetlError('usage', `--limit ${options.limit} is not a positive whole number`, { hint: 'e.g. --limit 100' });
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const table = await resolveTable(warehouse, options.table);
    const records = await listQuarantine(warehouse, { table, status: options.status as QuarantineStatus, file: options.file, limit });
    if (options.json) {
      printJson(records);
      return 0;
    }
    if (records.length === 0) {
      note(`No ${options.status} quarantined records in ${table}.`);
      return 0;
    }
    printTable(
      ['record id', 'file:line', 'reasons'],
      records.map((r) => [r.recordId, `${r.file}:${r.line}`, r.reasons.map((reason) => `${reason.kind}${reason.column ? `(${reason.column})` : ''}`).join(', ')]),
    );
    note(`Showing ${records.length} record(s); \`agentic-etl quarantine show ID\` shows one in full.`);
    return 0;
  } finally {
    await warehouse.close();
  }
}
