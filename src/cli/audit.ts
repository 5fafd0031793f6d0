/** `agentic-etl audit`: the conservation invariant per file; exit 1 naming the files where it fails. */
import type { Command } from 'commander';
import pc from 'picocolors';
import { audit } from '../ledger/audit.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { note, printJson, printTable } from './_output.js';

export default async function auditCommand(options: { json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const report = await audit(warehouse);
    const offending = report.files.filter((file) => !file.ok);
    if (options.json) {
      printJson({ ok: report.ok, files: report.files.length, offending, orphans: report.orphans });
    } else {
      if (offending.length > 0) {
        printTable(
          ['table', 'file', 'records', 'bronze', 'silver', 'quarantined', 'in both', 'duplicates'],
          offending.map((f) => [f.table, f.key, f.records, f.bronze, f.silver, f.quarantined, f.inBoth, f.duplicates]),
        );
      }
      for (const [table, n] of Object.entries(report.orphans)) {
        if (n > 0) note(pc.red(`${table}: ${n} row(s) belong to no file in the ledger`));
      }
      const records = report.files.reduce((sum, f) => sum + f.records, 0);
      note(
        report.ok
          ? pc.green(`audit ok: ${report.files.length} file(s), ${records} record(s), every record in exactly one of silver or quarantine`)
          : pc.red(`audit FAILED: ${offending.length} file(s) break the invariant`),
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    await warehouse.close();
  }
}
