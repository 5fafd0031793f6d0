/** The controller's per-table state in `_aetl_controller`, read and written with each file. */
import type { TableControl } from '../controller/types.js';
import { nowMicros } from '../util/time.js';
import { controllerTable } from '../warehouse/tables.js';
import type { Dialect, WarehouseSession } from '../warehouse/warehouse.js';
import { toJsonText } from './event-log.js';

export async function loadControl(session: WarehouseSession, dialect: Dialect, table: string): Promise<TableControl | undefined> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await session.query(`SELECT ${q('state')} FROM ${q(controllerTable.name)} WHERE ${q('table_name')} = ${p(1)}`, [table]);
  return rows[0] === undefined ? undefined : (JSON.parse(String(rows[0].state)) as TableControl);
}

export async function saveControl(session: WarehouseSession, dialect: Dialect, control: TableControl): Promise<void> {
  const { quoteIdent: q, placeholder: p } = dialect;
  await session.run(`DELETE FROM ${q(controllerTable.name)} WHERE ${q('table_name')} = ${p(1)}`, [control.table]);
  const writer = await session.bulkWriter(controllerTable.name, controllerTable.columns);
  writer.append([control.table, toJsonText(control), nowMicros()]);
  await writer.close();
}
