/**
 * Several workers share one contract: before each file, a worker checks whether another
 * one (or `approve` from a person) made a newer version, and if so takes it — the DDL that
 * came with it is already in the warehouse.
 */
import { contractVersionAt, latestVersionNumber } from '../ledger/contract-store.js';
import { validatorFor } from './compile-validator.js';
import type { PipelineContext } from './pipeline-context.js';

export async function refreshContract(context: PipelineContext): Promise<boolean> {
  const latest = await latestVersionNumber(context.warehouse, context.contract.table);
  if (latest <= context.contract.version) return false;
  const version = await contractVersionAt(context.warehouse, context.contract.table, latest);
  if (version === undefined) return false;
  context.contract = version;
  context.validate = validatorFor(context.warehouse, version.contract);
  return true;
}
