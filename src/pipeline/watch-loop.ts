/**
 * `agentic-etl watch`: the backlog first, then each object as the source reports it, and
 * failed files again after a capped backoff (retry-schedule.ts). Stops between files when
 * `signal` aborts — a file in progress always finishes (or, if the process is killed, rolls
 * back whole). A failure of the watcher itself ends the loop with that error, also while
 * the backlog runs (it stops the backlog between files), never as an unhandled rejection.
 */
import { fileIdOf, isFileDone } from '../ledger/file-ledger.js';
import type { SourceObject } from '../sources/source.js';
import { AetlError, errorMessage, isAetlError } from '../util/errors.js';
import { processObject, runOnce, type FileOutcome, type RunHooks } from './run-once.js';
import type { PipelineContext } from './pipeline-context.js';
import { retrySchedule, type BackoffPolicy, type ScheduledRetry } from './retry-schedule.js';

export interface WatchHooks extends RunHooks {
  /** A file failed and will be tried again at `retry.at`. */
  onRetryScheduled?(retry: ScheduledRetry): void;
}

export interface WatchOptions {
  /** Backoff for failed files; default 1 s doubling up to 5 min. */
  backoff?: BackoffPolicy;
}

type Step = { kind: 'object'; object: SourceObject } | { kind: 'ended' } | { kind: 'failed'; error: AetlError };

export async function watchLoop(context: PipelineContext, hooks: WatchHooks, signal: AbortSignal, options: WatchOptions = {}): Promise<void> {
  const retries = retrySchedule(options.backoff);
  // `watching` ends the watcher on Ctrl+C and whenever the loop ends; `backlog` stops the
  // backlog between files on Ctrl+C or when the watcher fails meanwhile.
  const watching = new AbortController();
  const backlog = new AbortController();
  let watcherFailed = false;
  const onAbort = (): void => {
    watching.abort();
    backlog.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // Subscribe before the backlog so that a file landing during it is not missed; objects
  // the backlog already took are skipped by the ledger check below.
  const events = context.source.watch(watching.signal)[Symbol.asyncIterator]();
  // Each step is settled at once: a watcher failing while the backlog runs is held here,
  // never an unhandled rejection.
  const nextStep = (): Promise<Step> =>
    events.next().then(
      (step): Step => (step.done === true ? { kind: 'ended' } : { kind: 'object', object: step.value }),
      (error: unknown): Step => {
        watcherFailed = true;
        backlog.abort();
        return { kind: 'failed', error: watchFailed(context, error) };
      },
    );

  const withRetries: WatchHooks = {
    ...hooks,
    onFileDone(outcome) {
      hooks.onFileDone?.(outcome);
      schedule(outcome);
    },
  };
  const schedule = (outcome: FileOutcome): void => {
    if (outcome.status !== 'failed') {
      if (outcome.status === 'done') retries.forget(outcome.key);
      return;
    }
    // Gone from the source: nothing left to try.
    if (outcome.error.code === 'not_found') {
      retries.forget(outcome.key);
      return;
    }
    hooks.onRetryScheduled?.(retries.failed(outcome.object, Date.now()));
  };

  let next = nextStep();
  try {
    await runOnce(context, withRetries, backlog.signal);
    while (!signal.aborted) {
      const step = await untilNextOrRetry(next, retries.nextAt());
      if (step === 'retry') {
        for (const retry of retries.takeDue(Date.now())) {
          if (signal.aborted) break;
          await processUnlessDone(context, retry.object, withRetries);
        }
        continue;
      }
      if (step.kind === 'failed') throw step.error;
      if (step.kind === 'ended') break;
      // A new version of a key replaces any retry of the old one; the same version (reported
      // again, e.g. by the watcher's start-up scan) is simply one more try, counted as such.
      retries.supersede(step.object);
      await processUnlessDone(context, step.object, withRetries);
      next = nextStep();
    }
    // Ctrl+C and a watcher failure at once: the failure is what to report, not "stopped".
    if (watcherFailed) {
      const step = await next;
      if (step.kind === 'failed') throw step.error;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    watching.abort();
    await events.return?.();
  }
}

async function processUnlessDone(context: PipelineContext, object: SourceObject, hooks: WatchHooks): Promise<void> {
  if (!(await isFileDone(context.warehouse, fileIdOf(context.source.uri, object)))) await processObject(context, object, hooks);
}

/** The next watcher step, or 'retry' when the earliest retry falls due first. */
async function untilNextOrRetry(next: Promise<Step>, retryAt: number | undefined): Promise<Step | 'retry'> {
  if (retryAt === undefined) return next;
  let timer: NodeJS.Timeout | undefined;
  const due = new Promise<'retry'>((resolve) => {
    timer = setTimeout(() => resolve('retry'), Math.max(0, retryAt - Date.now()));
  });
  try {
    return await Promise.race([next, due]);
  } finally {
    clearTimeout(timer);
  }
}

function watchFailed(context: PipelineContext, error: unknown): AetlError {
  if (isAetlError(error)) return error;
  return new AetlError('source_watch_failed', `watching ${context.source.uri} for new files failed: ${errorMessage(error)}`, {
    kind: 'transient',
    hint: 'start the watch again; if it keeps failing, check that the source is reachable and readable',
    cause: error,
  });
}
