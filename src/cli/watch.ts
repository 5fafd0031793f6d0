/**
 * `agentic-etl watch`: process files as they land until Ctrl+C (which finishes the current
 * file); a failed file is tried again after a capped backoff, and the log says when. A
 * failure of the watcher or the warehouse ends the watch with its message and exit 1.
 */
import type { Command } from 'commander';
import { openPipeline } from '../pipeline/open-pipeline.js';
import type { FileOutcome } from '../pipeline/run-once.js';
import type { ScheduledRetry } from '../pipeline/retry-schedule.js';
import { watchLoop } from '../pipeline/watch-loop.js';
import { createLogger, type Logger } from '../util/logger.js';
import { healLine } from './_heal-lines.js';
import { fileState, statusWords } from './_file-status.js';
import { EXIT } from './_exit-codes.js';
import { isAetlError } from '../util/errors.js';
import type { HealEvent } from '../pipeline/heal-events.js';

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

function logRetry(log: Logger, retry: ScheduledRetry): void {
  const at = new Date(retry.at);
  const clock = at.toISOString().slice(11, 19);
  log.info(`↻ ${retry.object.key}: try ${retry.attempt + 1} in ${seconds(retry.delayMs)} (at ${clock} UTC)`, {
    file: retry.object.key,
    event: 'file_retry_scheduled',
    attempt: retry.attempt,
    retryInMs: retry.delayMs,
    retryAt: at.toISOString(),
  });
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)}min`;
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
        onRetryScheduled: (retry) => logRetry(log, retry),
      },
      stop.signal,
    );
    log.info('stopped');
    return EXIT.ok;
  } catch (error) {
    // For the machine reading the log; main.ts prints the message and the fix for people.
    if (isAetlError(error)) log.error(`✗ watch stopped: ${error.message}`, { event: 'watch_failed', code: error.code, hint: error.hint });
    throw error;
  } finally {
    await pipeline.close();
  }
}
