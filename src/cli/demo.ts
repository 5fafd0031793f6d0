/**
 * `agentic-etl demo`: the whole ingestion core on the embedded default, in one command —
 * the chaos monkey writes a drifting event stream, `run` loads it, and the scorecard
 * shows where every poisoned record went against the ground truth. No network, no server.
 */
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import { CHAOS_CONTRACT_YAML } from '../chaos/contract.js';
import { readManifest } from '../chaos/manifest.js';
import { scoreAgainstManifest } from '../chaos/scorecard.js';
import { writeChaos } from '../chaos/write.js';
import { audit } from '../ledger/audit.js';
import { recordOutcomes } from '../ledger/outcomes.js';
import { listQuarantine } from '../ledger/quarantine-store.js';
import { tableStatus } from '../ledger/table-status.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { runOnce } from '../pipeline/run-once.js';
import { AetlError } from '../util/errors.js';
import { percent, printTable, say } from './_output.js';
import { renderScorecard } from './scorecard.js';

const MARKER = '.agentic-etl-demo';

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** Starts from an empty folder, but only ever deletes a folder an earlier demo made. */
async function freshDemoDir(dir: string): Promise<void> {
  if (await exists(dir)) {
    if (!(await exists(join(dir, MARKER)))) {
      throw new AetlError('usage', `${dir} exists and was not made by the demo`, { hint: 'pass --dir with a new folder name' });
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'made by agentic-etl demo; safe to delete\n');
}

function heading(text: string): void {
  say(`\n${pc.bold(pc.cyan(`── ${text}`))}`);
}

export default async function demo(options: { dir: string }): Promise<number> {
  const dir = resolve(options.dir);
  await freshDemoDir(dir);
  const landing = join(dir, 'landing');

  heading('1. The chaos monkey writes 6 files of events with poison pills and a drift from file 5 on');
  const chaos = await writeChaos({ out: landing, files: 6, records: 2000, poisonRate: 0.03, seed: 2026, drift: [{ kind: 'new_column', fromFile: 5 }] });
  say(`${chaos.totals.records} records: ${chaos.totals.clean} clean, ${chaos.totals.poisoned} poisoned, ${chaos.totals.drifted} drifted (a new column \`session_id\` in every record of files 5–6)`);
  await writeFile(join(dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);
  await writeFile(
    join(dir, 'agentic-etl.yaml'),
    'pipeline: demo\nsource: ./landing\nformat: ndjson\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\n',
  );

  heading('2. agentic-etl run: every record to bronze, then silver or quarantine, one transaction per file');
  const pipeline = await openPipeline(join(dir, 'agentic-etl.yaml'));
  try {
    const summary = await runOnce(pipeline, {
      onFileDone: (o) =>
        say(o.status === 'done'
          ? `  ✓ ${o.key}: ${o.result.records} records → ${o.result.silver} silver (${o.result.coerced} coerced), ${o.result.quarantined} quarantined`
          : `  ✗ ${o.key}: ${o.error.message}`),
    });
    const failed = summary.outcomes.filter((o) => o.status === 'failed').length;

    heading('3. Status');
    const status = await tableStatus(pipeline.warehouse, 'events');
    printTable(['table', 'files', 'records', 'silver', 'quarantined', 'quarantine rate'], [
      [status.table, status.files, status.records, status.silver, status.quarantined, percent(status.quarantineRate)],
    ]);

    heading('4. Where each poisoned record went, against the ground truth');
    const card = scoreAgainstManifest(await readManifest(landing), await recordOutcomes(pipeline.warehouse, 'events'));
    renderScorecard(card);

    heading('5. A few quarantined records and why');
    for (const record of await listQuarantine(pipeline.warehouse, { table: 'events', status: 'open', limit: 200 }).then((all) => {
      const firstPerKind = new Map<string, (typeof all)[number]>();
      for (const r of all) firstPerKind.set(r.reasons[0]?.kind ?? '?', firstPerKind.get(r.reasons[0]?.kind ?? '?') ?? r);
      return [...firstPerKind.values()];
    })) {
      say(`  ${pc.dim(`${record.file}:${record.line}`)} ${record.reasons.map((r) => r.message).join(' ')}`);
    }

    heading('6. Audit: the conservation invariant');
    const report = await audit(pipeline.warehouse);
    say(report.ok ? pc.green(`ok: ${report.files.length} files, every record in exactly one of silver or quarantine, raw bytes in bronze`) : pc.red('FAILED'));

    say(`\nThe drift (files 5–6) is quarantined, not lost: healing it is the agent's job (next issue).`);
    say(`Explore: cd ${dir} && npx agentic-etl status | quarantine list | quarantine show ID | audit`);
    return failed > 0 || !report.ok || card.lost > 0 || card.duplicated > 0 ? 1 : 0;
  } finally {
    await pipeline.close();
  }
}
