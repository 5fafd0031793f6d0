/**
 * The controller's per-table state in `_aetl_controller`, read and written inside each
 * file's transaction. With several workers the read at the end of a file locks the row
 * (FOR UPDATE, where the engine has row locks) so that concurrent files update the state
 * one after another instead of overwriting each other; the lock lasts only until commit.
 */
import type { TableControl } from '../controller/types.js';
import { nowMicros } from '../util/time.js';
import { controllerTable } from '../warehouse/tables.js';
import type { Dialect, WarehouseSession } from '../warehouse/warehouse.js';
import { toJsonText } from './event-log.js';

export async function loadControl(session: WarehouseSession, dialect: Dialect, table: string, options: { forUpdate?: boolean } = {}): Promise<TableControl | undefined> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const lock = options.forUpdate === true && dialect.capabilities.skipLocked === true ? ' FOR UPDATE' : '';
  const rows = await session.query(`SELECT ${q('state')} FROM ${q(controllerTable.name)} WHERE ${q('table_name')} = ${p(1)}${lock}`, [table]);
  return rows[0] === undefined ? undefined : (JSON.parse(String(rows[0].state)) as TableControl);
}

export async function saveControl(session: WarehouseSession, dialect: Dialect, control: TableControl): Promise<void> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const state = dialect.parameterAs?.(2, { name: 'json' }) ?? p(2);
  const at = dialect.parameterAs?.(3, { name: 'timestamp' }) ?? p(3);
  await session.run(
    `INSERT INTO ${q(controllerTable.name)} (${q('table_name')}, ${q('state')}, ${q('updated_at')}) VALUES (${p(1)}, ${state}, ${at})
     ON CONFLICT (${q('table_name')}) DO UPDATE SET ${q('state')} = excluded.${q('state')}, ${q('updated_at')} = excluded.${q('updated_at')}`,
    [control.table, toJsonText(control), nowMicros()],
  );
}
