/** Opens a DuckDB warehouse file for a test's own reads, and always closes it. */
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

export async function withWarehouse<T>(file: string, work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse(`duckdb:${file}`, '/');
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}
