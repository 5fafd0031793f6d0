/** `agentic-etl watch`: process files as they land until Ctrl+C (which finishes the current file). */
import type { Command } from 'commander';
import { openPipeline } from '../pipeline/open-pipeline.js';
import type { FileOutcome } from '../pipeline/run-once.js';
import { watchLoop } from '../pipeline/watch-loop.js';
import { createLogger, type Logger } from '../util/logger.js';
import { healLine } from './_heal-lines.js';
import { fileState, statusWords } from './_file-status.js';
import type { HealEvent } from '../pipeline/heal.js';

function logOutcome(log: Logger, outcome: FileOutcome): void {
  if (outcome.status === 'skipped') {
    log.info(`· ${outcome.key}: ${outcome.reason}`, { file: outcome.key, event: 'file_skipped' });
    return;
  }
  if (outcome.status === 'failed') {
    log.error(`✗ ${outcome.key}: ${outcome.error.message}`, { file: outcome.key, event: 'file_failed', code: outcome.error.code, hint: outcome.error.hint });
    return;
  }
  const r = outcome.result;
  const state = fileState(outcome);
  const mark = state === 'held' ? '⏸' : '✓';
  log.info(`${mark} ${r.key}: ${r.records} records → ${r.silver} silver, ${r.quarantined} quarantined${r.coerced ? `, ${r.coerced} coerced` : ''} — ${statusWords(outcome)}`, {
    file: r.key,
    event: 'file_done',
    state,
    held: r.held,
    records: r.records,
    silver: r.silver,
    quarantined: r.quarantined,
    coerced: r.coerced,
  });
}

function logHeal(log: Logger, event: HealEvent): void {
  const incident = 'incident' in event ? event.incident : undefined;
  log.info(healLine(event), {
    event: `heal_${event.kind}`,
    incident: incident?.id,
    status: incident?.status,
    ...(event.kind === 'replayed' ? { promoted: event.result.promoted } : {}),
  });
}

export default async function watch(options: { json?: boolean }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const log = createLogger(options.json === true);
  const pipeline = await openPipeline(config);
  const stop = new AbortController();
  const onSignal = (name: string) => () => {
    log.warn(`${name}: finishing the current file, then exiting (press Ctrl+C again to stop at once; an unfinished file rolls back)`);
    stop.abort();
  };
  // `once`: a second Ctrl+C gets Node's default behaviour and ends the process at once.
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  for (const conflict of pipeline.conflicts) log.warn(`contract conflict (your edit wins): ${conflict}`);
  log.info(`watching ${pipeline.source.uri} → ${pipeline.warehouse.uri} (table ${pipeline.contract.table}, contract v${pipeline.contract.version})`);
  try {
    await watchLoop(
      pipeline,
      {
        onFileStart: (object) => log.info(`… ${object.key} (${object.size} bytes)`, { file: object.key, event: 'file_started' }),
        onFileDone: (outcome) => logOutcome(log, outcome),
        onHeal: (event) => logHeal(log, event),
      },
      stop.signal,
    );
    log.info('stopped');
    return 0;
  } finally {
    await pipeline.close();
  }
}
