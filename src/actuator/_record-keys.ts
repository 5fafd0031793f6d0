/**
 * Finding a column's field in a raw record the way the validator does: keys match after
 * trimming, under the column's name or one of its aliases (rename_column).
 */
import type { ColumnSpec } from '../contract/types.js';

/** The column's name and aliases. `aliases` is read structurally: older specs have none. */
export function keysOf(column: ColumnSpec): ReadonlySet<string> {
  const aliases = (column as ColumnSpec & { aliases?: readonly string[] }).aliases ?? [];
  return new Set([column.name, ...aliases]);
}

/** The value of the first key that names the column, or undefined when none does. */
export function lookUp(record: Record<string, unknown>, names: ReadonlySet<string>): unknown {
  for (const key in record) {
    if (names.has(key) || names.has(key.trim())) return record[key];
  }
  return undefined;
}
