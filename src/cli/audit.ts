/**
 * `agentic-etl audit`: the conservation invariant per file, and a recount of every done
 * file from the source (independent of the readers); exit 1 naming the files where either
 * fails. Files that cannot be recounted (deleted or changed since ingestion, …) are named
 * with the reason but do not fail the audit: the warehouse still holds what was ingested.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { audit, type AuditReport, type FileAudit } from '../ledger/audit.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import type { NotRecountable } from '../recount/recount-file.js';
import { openSource } from '../sources/open-source.js';
import { note, printJson, printTable } from './_output.js';

/** How many files each reason names before it only counts them. */
const NAMED = 5;

export default async function auditCommand(options: { json?: boolean; recount?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { config: loaded, warehouse } = await openConfiguredWarehouse(config);
  try {
    const recount =
      options.recount === false
        ? undefined
        : { source: openSource(loaded.written.source, loaded.baseDir, { s3: loaded.config.s3 }), format: loaded.config.format, maxLineBytes: loaded.config.max_line_bytes };
    const report = await audit(warehouse, { recount });
    const offending = report.files.filter((file) => !file.ok);
    if (options.json) printJson({ ok: report.ok, files: report.files.length, offending, orphans: report.orphans, recount: recountSummary(report) });
    else printReport(report, offending);
    return report.ok ? 0 : 1;
  } finally {
    await warehouse.close();
  }
}

function printReport(report: AuditReport, offending: FileAudit[]): void {
  if (offending.length > 0) {
    printTable(
      ['table', 'file', 'records', 'bronze', 'silver', 'quarantined', 'in both', 'duplicates', 'recount'],
      offending.map((f) => [f.table, f.key, f.records, f.bronze, f.silver, f.quarantined, f.inBoth, f.duplicates, recountCell(f)]),
    );
    for (const f of offending) if (f.recount?.status === 'differs' && f.recount.note !== undefined) note(pc.red(`${f.key}: ${f.recount.note}`));
  }
  for (const [table, n] of Object.entries(report.orphans)) {
    if (n > 0) note(pc.red(`${table}: ${n} row(s) belong to no file in the ledger`));
  }
  for (const f of report.files) if (f.recount?.status === 'equal' && f.recount.belowLine !== undefined) note(pc.yellow(`recounted in part: ${f.key}: ${f.recount.note}`));
  const summary = recountSummary(report);
  for (const [reason, files] of Object.entries(summary.notRecounted)) {
    const named = files.slice(0, NAMED).map((f) => `  ${f.key}: ${f.note}`);
    const more = files.length > NAMED ? [`  … and ${files.length - NAMED} more`] : [];
    note(pc.yellow([`not recounted (${REASONS[reason as NotRecountable]}): ${files.length} file(s)`, ...named, ...more].join('\n')));
  }
  const records = report.files.reduce((sum, f) => sum + f.records, 0);
  const unrecounted = Object.values(summary.notRecounted).reduce((n, files) => n + files.length, 0);
  const recounted = summary.equal + summary.differs + unrecounted === 0 ? '' : `; recounted from the source: ${summary.equal} equal${unrecounted > 0 ? `, ${unrecounted} could not be (above)` : ''}`;
  note(
    report.ok
      ? pc.green(`audit ok: ${report.files.length} file(s), ${records} record(s), every record in exactly one of silver or quarantine${recounted}`)
      : pc.red(`audit FAILED: ${offending.length} file(s) break the invariant or differ from their source`),
  );
}

const REASONS: Record<NotRecountable, string> = {
  gone: 'gone from the source',
  changed: 'changed in the source',
  other_source: 'from another source',
  damaged: 'damaged gzip',
  unreadable: 'could not be read',
};

function recountCell(f: FileAudit): string {
  const r = f.recount;
  if (r === undefined) return '-';
  if (r.status === 'not_recountable') return r.reason;
  const part = r.belowLine === undefined ? '' : ` (lines < ${r.belowLine})`;
  return r.status === 'equal' ? `equal${part}` : `${r.sourceRecords} in source, ${r.bronzeRecords} in bronze${part}`;
}

function recountSummary(report: AuditReport): { equal: number; differs: number; notRecounted: Record<string, Array<{ key: string; note: string }>> } {
  const notRecounted: Record<string, Array<{ key: string; note: string }>> = Object.create(null) as Record<string, Array<{ key: string; note: string }>>;
  let equal = 0;
  let differs = 0;
  for (const f of report.files) {
    if (f.recount?.status === 'equal') equal++;
    else if (f.recount?.status === 'differs') differs++;
    else if (f.recount?.status === 'not_recountable') (notRecounted[f.recount.reason] ??= []).push({ key: f.key, note: f.recount.note });
  }
  return { equal, differs, notRecounted };
}
