import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contract/load-contract.js';
import { contractHash, contractToJson, contractToYaml } from '../../src/contract/serialize.js';
import type { Contract } from '../../src/contract/types.js';
import { DEFAULT_EVOLUTION } from '../../src/contract/types.js';
import { arbitraryContract } from './arbitrary-contract.js';

const EVENTS: Contract = {
  table: 'events',
  primary_key: ['event_id'],
  columns: [
    { name: 'event_id', type: { name: 'string' }, required: true, pattern: '^ev-[0-9]+$' },
    { name: 'event_type', type: { name: 'string' }, required: false, enum: ['click', 'view'] },
    { name: 'amount', type: { name: 'decimal', precision: 10, scale: 2 }, required: false, min: 0, description: 'in EUR: gross' },
  ],
  evolution: DEFAULT_EVOLUTION,
};

describe('contractToYaml', () => {
  it('writes the readable YAML form with a header comment', () => {
    const text = contractToYaml(EVENTS);
    expect(text).toContain('# Data contract for table `events` (agentic-etl).');
    expect(text).toContain('primary_key: [event_id]\n');
    expect(text).toContain('  event_id: {type: string, required: true, pattern: "^ev-[0-9]+$"}\n');
    expect(text).toContain('  event_type: {type: string, enum: [click, view]}\n');
    expect(text).toContain('  amount: {type: "decimal(10,2)", min: 0, description: "in EUR: gross"}\n');
    expect(text).toContain('  new_column: evolve # evolve | quarantine | ignore | fail\n');
  });

  it('puts comments above the columns and the primary key they are about', () => {
    const text = contractToYaml(EVENTS, { header: ['Review me.'], columns: { amount: ['check the currency'] }, primaryKey: ['candidates: event_id'] });
    expect(text).toContain('# Review me.\n');
    expect(text).toContain('# candidates: event_id\nprimary_key:');
    expect(text).toContain('  # check the currency\n  amount:');
    expect(parseContract(text, 'events.yaml')).toEqual(EVENTS);
  });

  it('round-trips every valid contract: parse(serialize(c)) equals c', () => {
    fc.assert(
      fc.property(arbitraryContract, (contract) => {
        const text = contractToYaml(contract, { columns: Object.fromEntries(contract.columns.map((column) => [column.name, [`about ${column.name}`]])) });
        expect(parseContract(text, 'round-trip.yaml')).toEqual(contract);
      }),
      { numRuns: 300 },
    );
  });
});

describe('contractToJson and contractHash', () => {
  it('are canonical: key order and absent options do not matter, enum order does not either', () => {
    const reordered: Contract = {
      evolution: { drift_threshold: 0.05, rename: 'approve', coercion: 'lossless', type_change: 'widen', new_column: 'evolve' },
      columns: [
        { required: true, type: { name: 'string' }, name: 'event_id', pattern: '^ev-[0-9]+$', description: undefined },
        { enum: ['view', 'click'], name: 'event_type', required: false, type: { name: 'string' } },
        { description: 'in EUR: gross', min: 0, name: 'amount', required: false, type: { scale: 2, precision: 10, name: 'decimal' } },
      ],
      primary_key: ['event_id'],
      table: 'events',
    };
    expect(contractToJson(reordered)).toBe(contractToJson(EVENTS));
    expect(contractHash(reordered)).toBe(contractHash(EVENTS));
    expect(JSON.parse(contractToJson(EVENTS))).toEqual({ ...EVENTS, columns: EVENTS.columns.map((column) => ({ ...column })) });
  });

  it('changes with anything meaningful, including column order', () => {
    const swapped = { ...EVENTS, columns: [EVENTS.columns[1], EVENTS.columns[0], EVENTS.columns[2]] } as Contract;
    expect(contractHash(swapped)).not.toBe(contractHash(EVENTS));
    const required = { ...EVENTS, columns: EVENTS.columns.map((column) => ({ ...column, required: true })) };
    expect(contractHash(required)).not.toBe(contractHash(EVENTS));
  });

  it('is stable through the YAML form', () => {
    fc.assert(
      fc.property(arbitraryContract, (contract) => {
        expect(contractHash(parseContract(contractToYaml(contract), 'c.yaml'))).toBe(contractHash(contract));
      }),
      { numRuns: 100 },
    );
  });
});
