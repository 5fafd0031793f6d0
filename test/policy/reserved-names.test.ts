import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, Plan } from '../../src/agent/actions.js';
import { decide } from '../../src/policy/policy.js';
import { bronzeTable, quarantineTable, SILVER_SYSTEM_COLUMNS } from '../../src/warehouse/tables.js';
import { driftContract } from '../agent/drift-batch.js';

const contract = driftContract();

/** Every column agentic-etl itself writes beside the data's columns. */
const SYSTEM_NAMES = [
  ...new Set([...SILVER_SYSTEM_COLUMNS, ...bronzeTable('events').columns, ...quarantineTable('events').columns].map((c) => c.name).filter((n) => n.startsWith('_'))),
];

function planOf(action: Action): Plan {
  return { brain: 'rules', actions: [{ action, confidence: 0.9, rationale: 'test', evidence: {} }] };
}

const verdictOf = (action: Action, config = {}) => decide(planOf(action), config, contract)[0]!;

/** The name in a random mix of upper and lower case: DuckDB folds case, so `_FILE` is `_file`. */
const anyCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''));

describe('reserved column names', () => {
  it('knows the system columns of silver, bronze and quarantine', () => {
    expect(SYSTEM_NAMES).toEqual(expect.arrayContaining(['_record_id', '_file_id', '_file', '_line', '_contract_version', '_coercions', '_ingested_at', '_offset', '_raw', '_raw_encoding', '_value', '_textual']));
  });

  it('denies add_column of a system column name in any case, whatever the config says', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SYSTEM_NAMES).chain(anyCase), fc.constantFrom('auto', 'approve', 'deny'), (name, verdict) => {
        const decision = verdictOf({ kind: 'add_column', column: name, type: { name: 'string' } }, { add_column: verdict });
        expect(decision.verdict).toBe('deny');
        expect(decision.reason).toMatch(/^hard rule: `.+` is reserved: agentic-etl's system column `_[a-z_]+`/);
      }),
    );
  });

  it('does not refuse ordinary names, including ones that only start with an underscore', () => {
    const ordinary = fc.stringMatching(/^_?[a-z][a-z0-9_]{0,20}$/).filter((name) => !SYSTEM_NAMES.includes(name.toLowerCase()) && !contract.columns.some((c) => c.name === name));
    fc.assert(
      fc.property(ordinary, (name) => {
        expect(verdictOf({ kind: 'add_column', column: name, type: { name: 'string' } }).verdict).toBe('auto');
      }),
    );
    // Quarantine's bookkeeping columns never share a table with data columns: `status` is a fine column name.
    expect(verdictOf({ kind: 'add_column', column: 'status', type: { name: 'string' } }).verdict).toBe('auto');
  });
});
