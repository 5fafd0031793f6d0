/**
 * `agentic-etl watch`: the backlog first, then each object as the source reports it. Stops
 * between files when `signal` aborts — a file in progress always finishes (or, if the
 * process is killed, rolls back whole).
 */
import { fileIdOf, isFileDone } from '../ledger/file-ledger.js';
import { processObject, runOnce, type RunHooks } from './run-once.js';
import type { PipelineContext } from './pipeline-context.js';

export async function watchLoop(context: PipelineContext, hooks: RunHooks, signal: AbortSignal): Promise<void> {
  // Subscribe before the backlog so that a file landing during it is not missed; objects
  // the backlog already took are skipped by the ledger check below.
  const events = context.source.watch(signal)[Symbol.asyncIterator]();
  const first = events.next();
  await runOnce(context, hooks, signal);
  let next = first;
  while (!signal.aborted) {
    const step = await next;
    if (step.done) break;
    const object = step.value;
    if (!(await isFileDone(context.warehouse, fileIdOf(context.source.uri, object)))) {
      await processObject(context, object, hooks);
    }
    next = events.next();
  }
  await events.return?.();
}
