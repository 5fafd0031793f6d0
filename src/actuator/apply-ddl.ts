/**
 * Runs schema statements inside the caller's transaction, so that a schema change commits
 * together with the contract version that needs it — or not at all. On engines without
 * transactional DDL (`capabilities.transactionalDdl` false) each statement commits on its
 * own; the statements ddlForAction makes are additive, so running them again is harmless
 * (add_column is `IF NOT EXISTS` where the engine has it, a repeated widening changes nothing).
 */
import type { WarehouseSession } from '../warehouse/warehouse.js';

export async function applyDdl(session: WarehouseSession, statements: readonly string[]): Promise<void> {
  // In order: a later statement may depend on an earlier one (a column added, then widened).
  for (const statement of statements) await session.run(statement);
}
