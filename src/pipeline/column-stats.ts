/**
 * Facts about existing silver data that the architect needs and cannot see in a batch:
 * for each numeric column a finding is about, its row count and min/max (an integer column
 * widens to double only if every stored value stays exact).
 */
import type { PlanInput } from '../agent/actions.js';
import type { Contract } from '../contract/types.js';
import type { Finding } from '../sensor/findings.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { dict } from '../util/dict.js';

const NUMERIC = new Set(['integer', 'double', 'decimal']);

function toNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export async function gatherColumnStats(warehouse: Warehouse, contract: Contract, findings: readonly Finding[]): Promise<PlanInput['columnStats']> {
  const q = warehouse.dialect.quoteIdent;
  // Keyed by column name: a column may be called `constructor` (util/dict.ts).
  const stats: PlanInput['columnStats'] = dict();
  const columns = new Set(findings.map((finding) => finding.column).filter((column): column is string => column !== null));
  for (const spec of contract.columns) {
    if (!columns.has(spec.name)) continue;
    if (!NUMERIC.has(spec.type.name)) {
      const [row] = await warehouse.query(`SELECT count(*) AS n FROM ${q(contract.table)}`);
      stats[spec.name] = { rows: Number(row?.n ?? 0), min: null, max: null };
      continue;
    }
    const [row] = await warehouse.query(
      `SELECT count(*) AS n, min(${q(spec.name)}) AS lo, max(${q(spec.name)}) AS hi FROM ${q(contract.table)}`,
    );
    stats[spec.name] = { rows: Number(row?.n ?? 0), min: toNumber(row?.lo), max: toNumber(row?.hi) };
  }
  return stats;
}
