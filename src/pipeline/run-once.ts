/**
 * `agentic-etl run`: process every object the source lists that the ledger has not seen,
 * one at a time, each in its own transaction. A file that fails gives its claim back, is
 * reported, and is tried again on the next run, while the run goes on to the next file; a
 * failure of the warehouse itself stops the run, since every later file would fail too
 * (failure-scope.ts tells the two apart).
 */
import { crashPoint } from '../util/crash-point.js';
import { AetlError, errorMessage, isAetlError } from '../util/errors.js';
import { appendEvents } from '../ledger/event-log.js';
import { claimFile, doneFileIds, fileIdOf, releaseClaim, renewLease, type Claim } from '../ledger/file-ledger.js';
import type { SourceObject } from '../sources/source.js';
import { healAfterFile, type HealListener } from './heal.js';
import { recoverIncidents } from './heal-recover.js';
import { ingestFile, type FileResult } from './ingest-file.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';
import { refreshContract } from './refresh-contract.js';
import { failureScope } from './failure-scope.js';

export type FileOutcome =
  | { key: string; status: 'done'; result: FileResult }
  /** `object`: what to try again (watch retries it in the same session). */
  | { key: string; status: 'failed'; error: AetlError; object: SourceObject }
  /** Another worker holds the file (or just finished it): nothing to do here. */
  | { key: string; status: 'skipped'; reason: string };

export interface RunHooks {
  /** The objects about to be processed (new ones only). */
  onPlan?(pending: readonly SourceObject[]): void;
  onFileStart?(object: SourceObject): void;
  onRecords?(object: SourceObject, recordsSoFar: number): void;
  onFileDone?(outcome: FileOutcome): void;
  /** Each step of the healing loop: detection, plan, decisions, actions, replay, status. */
  onHeal?: HealListener;
}

export interface RunSummary {
  outcomes: FileOutcome[];
  /** Objects skipped because the ledger already holds them. */
  alreadyDone: number;
}

export async function pendingObjects(context: PipelineContext): Promise<{ pending: SourceObject[]; alreadyDone: number }> {
  const done = await doneFileIds(context.warehouse, context.source.uri);
  const pending: SourceObject[] = [];
  let alreadyDone = 0;
  for await (const object of context.source.list()) {
    if (done.has(fileIdOf(context.source.uri, object))) alreadyDone += 1;
    else pending.push(object);
  }
  return { pending, alreadyDone };
}

/** Processes one object and turns a per-file failure into an outcome (and a logged event). */
export async function processObject(context: PipelineContext, object: SourceObject, hooks: RunHooks = {}): Promise<FileOutcome> {
  await refreshContract(context);
  const claim = await claimFile(context.warehouse, object, {
    source: context.source.uri,
    table: tableOf(context),
    worker: context.worker,
    leaseMs: context.leaseMs,
  });
  if (claim === undefined) {
    const skipped: FileOutcome = { key: object.key, status: 'skipped', reason: 'done or held by another worker' };
    hooks.onFileDone?.(skipped);
    return skipped;
  }
  hooks.onFileStart?.(object);
  // With other writers around, keep the lease fresh while a long file is processed.
  const heartbeat = context.warehouse.dialect.capabilities.concurrentWriters
    ? setInterval(() => void renewLease(context.warehouse, claim, context.leaseMs).catch(() => undefined), Math.max(250, context.leaseMs / 3))
    : undefined;
  let result: FileResult;
  try {
    result = await ingestFile(context, object, claim, (n) => hooks.onRecords?.(object, n));
  } catch (error) {
    const wrapped = isAetlError(error)
      ? error
      : new AetlError('source_read_failed', `${object.key}: ${errorMessage(error)}`, { kind: 'transient', cause: error });
    switch (failureScope(wrapped)) {
      case 'claim_lost': {
        // Not a failure: this worker stalled past its lease and another one took the file.
        const skipped: FileOutcome = { key: object.key, status: 'skipped', reason: wrapped.message };
        hooks.onFileDone?.(skipped);
        return skipped;
      }
      case 'run':
        // Going on is pointless; the claim is given back if the warehouse still answers.
        await giveBack(context, claim);
        throw wrapped;
      case 'file':
        return fileFailed(context, object, claim, wrapped, hooks);
    }
  } finally {
    clearInterval(heartbeat);
  }
  crashPoint('ingest:committed');
  const outcome: FileOutcome = { key: object.key, status: 'done', result };
  hooks.onFileDone?.(outcome);
  // The file is committed; healing runs in its own transactions, so a failure here is
  // not the file's: it propagates (the incident stays open and is planned again).
  await healAfterFile(context, result, hooks.onHeal);
  return outcome;
}

/** Logs the failure, gives the claim back (so the next run takes the file at once) and reports it. */
async function fileFailed(context: PipelineContext, object: SourceObject, claim: Claim, error: AetlError, hooks: RunHooks): Promise<FileOutcome> {
  await giveBack(context, claim);
  try {
    await appendEvents(context.warehouse, [
      {
        kind: 'file_failed',
        table: tableOf(context),
        fileId: claim.fileId,
        payload: { key: object.key, version: object.version, code: error.code, message: error.message, hint: error.hint },
      },
    ]);
  } catch (logError) {
    // The warehouse took the claim back but cannot log now: that is the warehouse's failure.
    if (isAetlError(logError) && failureScope(logError) === 'run') throw logError;
  }
  const failed: FileOutcome = { key: object.key, status: 'failed', error, object };
  hooks.onFileDone?.(failed);
  return failed;
}

async function giveBack(context: PipelineContext, claim: Claim): Promise<void> {
  try {
    await releaseClaim(context.warehouse, claim);
  } catch {
    // A warehouse that cannot take the claim back has failed already; that failure is
    // reported. The claim then ends with its lease (or at once, when its process is gone).
  }
}

export async function runOnce(context: PipelineContext, hooks: RunHooks = {}, signal?: AbortSignal): Promise<RunSummary> {
  // Whatever an interrupted run left half healed is finished before new files are taken.
  await recoverIncidents(context, hooks.onHeal);
  const { pending, alreadyDone } = await pendingObjects(context);
  hooks.onPlan?.(pending);
  const outcomes: FileOutcome[] = [];
  for (const object of pending) {
    // Stop between files, never inside one: a file is all or nothing anyway.
    if (signal?.aborted) break;
    outcomes.push(await processObject(context, object, hooks));
  }
  return { outcomes, alreadyDone };
}
