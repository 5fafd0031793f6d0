/** `agentic-etl scorecard --chaos DIR`: where every generated record went, against the ground truth. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readManifest } from '../chaos/manifest.js';
import { scoreAgainstManifest, type Scorecard } from '../chaos/scorecard.js';
import { recordOutcomes } from '../ledger/outcomes.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { percent, printJson, printTable, say } from './_output.js';
import { resolveTable } from './_resolve-table.js';

export function renderScorecard(card: Scorecard): void {
  printTable(
    ['true label', 'records', 'as expected', 'silver', 'quarantined', 'lost'],
    Object.entries(card.byLabel)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, s]) => [label, s.records, s.asExpected, s.silver, s.quarantined, s.lost]),
  );
  const ratio = (x: number | null) => (x === null ? 'n/a' : percent(x));
  say(
    `records in ${card.records} | silver ${card.silver} (${card.coerced} coerced) | quarantined ${card.quarantined} | ` +
      `lost ${card.lost} | duplicated ${card.duplicated} | valid quarantined ${card.validQuarantined} | ` +
      `faults caught ${card.faults.caught}/${card.faults.records} | precision ${ratio(card.detection.precision)} | recall ${ratio(card.detection.recall)}`,
  );
}

export default async function scorecard(options: { chaos: string; table?: string; json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const manifest = await readManifest(options.chaos.startsWith('s3://') ? options.chaos : resolve(options.chaos));
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const table = await resolveTable(warehouse, options.table);
    const card = scoreAgainstManifest(manifest, await recordOutcomes(warehouse, table));
    if (options.json) printJson(card);
    else renderScorecard(card);
    return card.lost === 0 && card.duplicated === 0 ? 0 : 1;
  } finally {
    await warehouse.close();
  }
}
