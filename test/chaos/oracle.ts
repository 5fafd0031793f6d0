/**
 * An independent reading of the chaos contract, for tests only: what a record should make
 * (silver, coerced, quarantine with reason kinds), computed from the YAML text and the
 * record alone. The generator's manifest must agree with it on every line.
 */
import { parse } from 'yaml';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import type { Expectation } from '../../src/chaos/labels.js';
import { DECIMAL_NUMERAL, INTEGER_NUMERAL, parseIsoTimestamp } from '../../src/sensor/values.js';

interface YamlColumn {
  type: string;
  required?: boolean;
  enum?: string[];
  min?: number;
}

export const contractDoc = parse(CHAOS_CONTRACT_YAML) as { table: string; primary_key: string[]; columns: Record<string, YamlColumn> };

export function judge(text: string): { expect: Expectation; reasons: string[] } {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { expect: 'quarantine', reasons: ['malformed'] };
  }
  const reasons = new Set<string>();
  let coerced = false;
  for (const key of Object.keys(record)) if (!(key in contractDoc.columns)) reasons.add('unknown_column');
  for (const [name, column] of Object.entries(contractDoc.columns)) {
    if (!(name in record)) {
      if (column.required) reasons.add('missing_required');
      continue;
    }
    let value = record[name];
    if (value === null) {
      if (column.required) reasons.add('null_required');
      continue;
    }
    switch (column.type) {
      case 'string':
        if (typeof value !== 'string') reasons.add('type_mismatch');
        break;
      case 'timestamp':
        if (typeof value !== 'string' || parseIsoTimestamp(value) === undefined) reasons.add('type_mismatch');
        break;
      case 'integer':
        if (typeof value === 'string' && INTEGER_NUMERAL.test(value)) {
          value = Number(value);
          coerced = true;
        } else if (typeof value !== 'number' || !Number.isInteger(value)) reasons.add('type_mismatch');
        break;
      case 'double':
        if (typeof value === 'string' && DECIMAL_NUMERAL.test(value)) {
          value = Number(value);
          coerced = true;
        } else if (typeof value !== 'number') reasons.add('type_mismatch');
        break;
      default:
        throw new Error(`oracle does not know type ${column.type}`);
    }
    if (column.enum && typeof value === 'string' && !column.enum.includes(value)) reasons.add('enum_violation');
    if (column.min !== undefined && typeof value === 'number' && value < column.min) reasons.add('below_min');
  }
  if (reasons.size > 0) return { expect: 'quarantine', reasons: [...reasons].sort() };
  return { expect: coerced ? 'coerced' : 'silver', reasons: [] };
}
