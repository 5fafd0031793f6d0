/** `agentic-etl run`: process every new file once, print a summary, exit 0 unless a file failed. */
import type { Command } from 'commander';
import pc from 'picocolors';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { runOnce, type FileOutcome } from '../pipeline/run-once.js';
import { note, printJson, printTable } from './_output.js';
import { progressHooks } from './_progress.js';
import { healLine } from './_heal-lines.js';

interface RunOptions {
  json?: boolean;
}

export function outcomeRow(outcome: FileOutcome): Array<string | number> {
  switch (outcome.status) {
    case 'failed':
      return [outcome.key, '-', '-', '-', pc.red(`failed: ${outcome.error.message}`)];
    case 'skipped':
      return [outcome.key, '-', '-', '-', pc.dim(`skipped: ${outcome.reason}`)];
    case 'done': {
      const r = outcome.result;
      return [outcome.key, r.records, r.silver, r.quarantined, r.coerced > 0 ? `ok (${r.coerced} coerced)` : 'ok'];
    }
  }
}

function outcomeJson(o: FileOutcome): Record<string, unknown> {
  switch (o.status) {
    case 'done':
      return { status: o.status, ...o.result, profile: undefined, control: undefined };
    case 'failed':
      return { key: o.key, status: o.status, code: o.error.code, message: o.error.message, hint: o.error.hint };
    case 'skipped':
      return { key: o.key, status: o.status, reason: o.reason };
  }
}

export default async function run(options: RunOptions, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  for (const conflict of pipeline.conflicts) note(`contract conflict (your edit wins): ${conflict}`);
  const progress = progressHooks(!options.json && process.stderr.isTTY === true);
  try {
    const summary = await runOnce(pipeline, { ...progress, onHeal: options.json ? undefined : (event) => note(healLine(event)) });
    progress.stop();
    const failed = summary.outcomes.filter((o) => o.status === 'failed');
    if (options.json) {
      printJson({
        table: pipeline.contract.table,
        contractVersion: pipeline.contract.version,
        alreadyDone: summary.alreadyDone,
        files: summary.outcomes.map(outcomeJson),
      });
    } else {
      if (summary.outcomes.length > 0) {
        printTable(['file', 'records', 'silver', 'quarantined', 'status'], summary.outcomes.map(outcomeRow));
      }
      const done = summary.outcomes.filter((o) => o.status === 'done').length;
      note(`${done} file(s) processed, ${summary.alreadyDone} already done, ${failed.length} failed (table ${pipeline.contract.table}, contract v${pipeline.contract.version})`);
      for (const f of failed) if (f.status === 'failed' && f.error.hint) note(`  ${f.key}: fix: ${f.error.hint}`);
    }
    return failed.length > 0 ? 1 : 0;
  } finally {
    progress.stop();
    await pipeline.close();
  }
}
