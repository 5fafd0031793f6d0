/**
 * `agentic-etl run`: process every new file once, print a summary, and tell a scheduler
 * the truth in the exit status: 1 when a file failed, 3 when everything was processed but
 * a person is needed (a table halted, an incident awaiting approval), else 0.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { needsAttention, type Attention } from '../pipeline/attention.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { runOnce, type FileOutcome } from '../pipeline/run-once.js';
import { EXIT, type ExitCode } from './_exit-codes.js';
import { fileState, statusWords } from './_file-status.js';
import { note, printJson, printTable } from './_output.js';
import { progressHooks } from './_progress.js';
import { healLine } from './_heal-lines.js';

interface RunOptions {
  json?: boolean;
}

export function outcomeRow(outcome: FileOutcome): Array<string | number> {
  const words = statusWords(outcome);
  switch (outcome.status) {
    case 'failed':
      return [outcome.key, '-', '-', '-', pc.red(words)];
    case 'skipped':
      return [outcome.key, '-', '-', '-', pc.dim(words)];
    case 'done': {
      const r = outcome.result;
      const state = fileState(outcome);
      return [outcome.key, r.records, r.silver, r.quarantined, state === 'held' ? pc.red(words) : state === 'quarantined' ? pc.yellow(words) : words];
    }
  }
}

/** `status` stays done / failed / skipped (what happened); `state` and `summary` say how it went. */
function outcomeJson(o: FileOutcome): Record<string, unknown> {
  const words = { state: fileState(o), summary: statusWords(o) };
  switch (o.status) {
    case 'done':
      return { status: o.status, ...words, ...o.result, profile: undefined, control: undefined };
    case 'failed':
      return { key: o.key, status: o.status, ...words, code: o.error.code, message: o.error.message, hint: o.error.hint };
    case 'skipped':
      return { key: o.key, status: o.status, ...words, reason: o.reason };
  }
}

export function runExitCode(outcomes: readonly FileOutcome[], attention: readonly Attention[]): ExitCode {
  if (outcomes.some((o) => o.status === 'failed')) return EXIT.failed;
  return attention.length > 0 ? EXIT.attention : EXIT.ok;
}

export default async function run(options: RunOptions, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  for (const conflict of pipeline.conflicts) note(`contract conflict (your edit wins): ${conflict}`);
  const progress = progressHooks(!options.json && process.stderr.isTTY === true);
  try {
    const summary = await runOnce(pipeline, { ...progress, onHeal: options.json ? undefined : (event) => note(healLine(event)) });
    progress.stop();
    const attention = await needsAttention(pipeline.warehouse, pipeline.contract.table);
    const exitCode = runExitCode(summary.outcomes, attention);
    const failed = summary.outcomes.filter((o) => o.status === 'failed');
    if (options.json) {
      printJson({
        table: pipeline.contract.table,
        contractVersion: pipeline.contract.version,
        alreadyDone: summary.alreadyDone,
        exitCode,
        attention,
        files: summary.outcomes.map(outcomeJson),
      });
    } else {
      if (summary.outcomes.length > 0) {
        printTable(['file', 'records', 'silver', 'quarantined', 'status'], summary.outcomes.map(outcomeRow));
      }
      const done = summary.outcomes.filter((o) => o.status === 'done').length;
      note(`${done} file(s) processed, ${summary.alreadyDone} already done, ${failed.length} failed (table ${pipeline.contract.table}, contract v${pipeline.contract.version})`);
      for (const f of failed) if (f.status === 'failed' && f.error.hint) note(`  ${f.key}: fix: ${f.error.hint}`);
      for (const item of attention) note(`${pc.yellow('needs attention:')} ${item.message}\n  ${pc.dim('next:')} ${item.hint}`);
    }
    return exitCode;
  } finally {
    progress.stop();
    await pipeline.close();
  }
}
