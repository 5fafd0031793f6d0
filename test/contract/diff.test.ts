import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeChange, diffContracts, type ContractChange } from '../../src/contract/diff.js';
import { parseContract } from '../../src/contract/load-contract.js';
import { contractToJson } from '../../src/contract/serialize.js';
import { arbitraryContract } from './arbitrary-contract.js';

const V1 = parseContract(
  `table: events
primary_key: [event_id]
columns:
  event_id: {type: string, required: true}
  event_type: {type: string, enum: [click, view, purchase]}
  user_id: {type: integer, required: true, min: 0}
  amount: {type: "decimal(10,2)", min: 0}
  device: {type: string, pattern: "^[a-z]+$"}
  legacy: {type: string}
`,
  'v1.yaml',
);

const V2 = parseContract(
  `table: events
primary_key: [event_id, user_id]
columns:
  event_id: {type: string, required: true}
  event_type: {type: string, enum: [view, purchase, refund]}
  user_id: {type: double, required: false, min: 0, max: 1000}
  amount: {type: "decimal(12,2)", min: 0}
  device: {type: string, description: "the client"}
  country: {type: string, required: true}
evolution: {new_column: quarantine, drift_threshold: 0.1}
`,
  'v2.yaml',
);

describe('diffContracts', () => {
  it('names every kind of change between two versions', () => {
    const changes = diffContracts(V1, V2);
    expect(changes).toEqual<ContractChange[]>([
      { kind: 'enum_changed', column: 'event_type', from: ['click', 'view', 'purchase'], to: ['view', 'purchase', 'refund'], added: ['refund'], removed: ['click'] },
      { kind: 'type_changed', column: 'user_id', from: 'integer', to: 'double' },
      { kind: 'required_changed', column: 'user_id', from: true, to: false },
      { kind: 'bounds_changed', column: 'user_id', from: { min: 0 }, to: { min: 0, max: 1000 } },
      { kind: 'type_changed', column: 'amount', from: 'decimal(10,2)', to: 'decimal(12,2)' },
      { kind: 'pattern_changed', column: 'device', from: '^[a-z]+$' },
      { kind: 'description_changed', column: 'device', to: 'the client' },
      { kind: 'column_added', column: 'country', spec: { name: 'country', type: { name: 'string' }, required: true } },
      { kind: 'column_removed', column: 'legacy', spec: { name: 'legacy', type: { name: 'string' }, required: false } },
      { kind: 'primary_key_changed', from: ['event_id'], to: ['event_id', 'user_id'] },
      { kind: 'evolution_changed', key: 'new_column', from: 'evolve', to: 'quarantine' },
      { kind: 'evolution_changed', key: 'drift_threshold', from: 0.05, to: 0.1 },
    ]);
    // Stored as JSON in _aetl_contracts: nothing undefined may hide in it.
    expect(JSON.parse(JSON.stringify(changes))).toEqual(changes);
  });

  it('tells an enum that appears or disappears from one that changes', () => {
    const open = parseContract('table: t\ncolumns:\n  c: {type: string}\n', 'a.yaml');
    const closed = parseContract('table: t\ncolumns:\n  c: {type: string, enum: [a, b]}\n', 'b.yaml');
    expect(diffContracts(open, closed)).toEqual([{ kind: 'enum_changed', column: 'c', to: ['a', 'b'], added: ['a', 'b'], removed: [] }]);
    expect(diffContracts(closed, open)).toEqual([{ kind: 'enum_changed', column: 'c', from: ['a', 'b'], added: [], removed: ['a', 'b'] }]);
  });

  it('ignores enum order', () => {
    const a = parseContract('table: t\ncolumns:\n  c: {type: string, enum: [a, b]}\n', 'a.yaml');
    const b = parseContract('table: t\ncolumns:\n  c: {type: string, enum: [b, a]}\n', 'b.yaml');
    expect(diffContracts(a, b)).toEqual([]);
  });

  it('finds a change exactly when the canonical forms differ', () => {
    fc.assert(
      fc.property(arbitraryContract, arbitraryContract, fc.boolean(), (a, other, reversePk) => {
        expect(diffContracts(a, a)).toEqual([]);
        // The same columns with specs (and rules) taken from another contract, where it has them.
        const b = {
          ...a,
          columns: a.columns.map((column, index) => {
            const spec = other.columns[index];
            return spec === undefined ? column : { ...spec, name: column.name };
          }),
          primary_key: reversePk ? [...a.primary_key].reverse() : a.primary_key,
          evolution: other.evolution,
        };
        expect(diffContracts(a, b).length === 0).toBe(contractToJson(a) === contractToJson(b));
      }),
      { numRuns: 300 },
    );
  });

  it('describes each change in one readable line', () => {
    const lines = diffContracts(V1, V2).map(describeChange);
    expect(lines).toContain('event_type: enum +refund -click');
    expect(lines).toContain('user_id: type integer → double');
    expect(lines).toContain('user_id: no longer required');
    expect(lines).toContain('user_id: bounds 0..∞ → 0..1000');
    expect(lines).toContain('added column country (string, required)');
    expect(lines).toContain('removed column legacy');
    expect(lines).toContain('primary key [event_id] → [event_id, user_id]');
    expect(lines).toContain('evolution.drift_threshold: 0.05 → 0.1');
  });
});
