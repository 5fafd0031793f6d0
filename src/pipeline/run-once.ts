/**
 * `agentic-etl run`: process every object the source lists that the ledger has not seen,
 * one at a time, each in its own transaction. A file that fails is reported and retried
 * on the next run; a warehouse failure stops the run, since every later file would fail too.
 */
import { AetlError, errorMessage, isAetlError } from '../util/errors.js';
import { appendEvents } from '../ledger/event-log.js';
import { claimFile, doneFileIds, fileIdOf, renewLease } from '../ledger/file-ledger.js';
import type { SourceObject } from '../sources/source.js';
import { healAfterFile, type HealListener } from './heal.js';
import { recoverIncidents } from './heal-recover.js';
import { ingestFile, type FileResult } from './ingest-file.js';
import { tableOf, type PipelineContext } from './pipeline-context.js';
import { refreshContract } from './refresh-contract.js';

export type FileOutcome =
  | { key: string; status: 'done'; result: FileResult }
  | { key: string; status: 'failed'; error: AetlError }
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
    if (isAetlError(error) && (error.code === 'warehouse_failed' || error.code === 'warehouse_locked')) throw error;
    if (isAetlError(error) && error.code === 'fenced_out') {
      // Not a failure: this worker stalled past its lease and another one took the file.
      const skipped: FileOutcome = { key: object.key, status: 'skipped', reason: error.message };
      hooks.onFileDone?.(skipped);
      return skipped;
    }
    const wrapped = isAetlError(error)
      ? error
      : new AetlError('source_read_failed', `${object.key}: ${errorMessage(error)}`, { kind: 'transient', cause: error });
    await appendEvents(context.warehouse, [
      {
        kind: 'file_failed',
        table: tableOf(context),
        fileId: fileIdOf(context.source.uri, object),
        payload: { key: object.key, version: object.version, code: wrapped.code, message: wrapped.message, hint: wrapped.hint },
      },
    ]);
    const failed: FileOutcome = { key: object.key, status: 'failed', error: wrapped };
    hooks.onFileDone?.(failed);
    return failed;
  } finally {
    clearInterval(heartbeat);
  }
  const outcome: FileOutcome = { key: object.key, status: 'done', result };
  hooks.onFileDone?.(outcome);
  // The file is committed; healing runs in its own transactions, so a failure here is
  // not the file's: it propagates (the incident stays open and is planned again).
  await healAfterFile(context, result, hooks.onHeal);
  return outcome;
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
