/** `--table`: the named table, or the only table there is. */
import { knownTables } from '../ledger/known-tables.js';
import { AetlError } from '../util/errors.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export async function resolveTable(warehouse: Warehouse, requested: string | undefined): Promise<string> {
  const tables = await knownTables(warehouse);
  if (requested !== undefined) {
    if (tables.includes(requested)) return requested;
    throw new AetlError('not_found', `table \`${requested}\` is not in ${warehouse.uri}`, {
      hint: tables.length > 0 ? `use one of: ${tables.join(', ')}` : 'run `agentic-etl run` first',
    });
  }
  if (tables.length === 1) return tables[0]!;
  if (tables.length === 0) throw new AetlError('not_found', `no tables in ${warehouse.uri} yet`, { hint: 'run `agentic-etl run` first' });
  throw new AetlError('usage', `several tables exist (${tables.join(', ')})`, { hint: 'say which with --table NAME' });
}
