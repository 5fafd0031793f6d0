import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkContract } from '../../src/contract/check-contract.js';
import { describeChange, diffContracts } from '../../src/contract/diff.js';
import { parseContract } from '../../src/contract/load-contract.js';
import { contractHash, contractToJson, contractToYaml } from '../../src/contract/serialize.js';
import type { Contract } from '../../src/contract/types.js';
import { isAetlError } from '../../src/util/errors.js';
import { arbitraryContract } from './arbitrary-contract.js';

const BASE = `table: events
columns:
  event_id: {type: string, required: true}
`;

function problemsOf(text: string): string {
  try {
    parseContract(text, 'c.yaml');
  } catch (error) {
    if (isAetlError(error)) return error.message;
    throw error;
  }
  throw new Error('expected the contract to be refused');
}

describe('aliases and per-column coercion in the YAML form', () => {
  it('reads aliases (trimmed) and a coercion mode onto the column', () => {
    const contract = parseContract(`${BASE}  device: {type: string, aliases: [device_type, " client "], coercion: off}\n`, 'c.yaml');
    expect(contract.columns[1]).toEqual({ name: 'device', type: { name: 'string' }, required: false, aliases: ['device_type', 'client'], coercion: 'off' });
  });

  it('reads a number written as an alias as its text, and `aliases: []` as none', () => {
    const contract = parseContract(`${BASE}  year: {type: integer, aliases: [2020]}\n  device: {type: string, aliases: []}\n`, 'c.yaml');
    expect(contract.columns[1]?.aliases).toEqual(['2020']);
    expect(contract.columns[2]).not.toHaveProperty('aliases');
  });

  it('refuses an alias that is a column name, another column’s alias or listed twice, ignoring case', () => {
    expect(problemsOf(`${BASE}  device: {type: string, aliases: [Event_ID]}\n`)).toMatch(/"Event_ID" is the name of column `event_id`/);
    expect(problemsOf(`${BASE}  a: {type: string, aliases: [src]}\n  b: {type: string, aliases: [SRC]}\n`)).toMatch(/"SRC" is already an alias of column `a`/);
    expect(problemsOf(`${BASE}  a: {type: string, aliases: [x, X]}\n`)).toMatch(/lists "X" twice/);
    expect(problemsOf(`${BASE}  a: {type: string, aliases: ["  "]}\n`)).toMatch(/empty alias/);
  });

  it('refuses an unknown coercion mode', () => {
    expect(problemsOf(`${BASE}  a: {type: integer, coercion: sometimes}\n`)).toMatch(/columns\.a\.coercion/);
  });

  it('writes aliases and coercion back, and they round-trip', () => {
    const contract = parseContract(`${BASE}  device: {type: string, aliases: [device_type, "2020"], coercion: lossless}\n`, 'c.yaml');
    const text = contractToYaml(contract);
    expect(text).toContain('  device: {type: string, aliases: [device_type, "2020"], coercion: lossless}\n');
    expect(parseContract(text, 'again.yaml')).toEqual(contract);
  });

  it('the generated contracts do carry aliases and coercion modes (so the round trips test them)', () => {
    const samples = fc.sample(arbitraryContract, { numRuns: 200, seed: 7 });
    expect(samples.some((contract) => contract.columns.some((column) => (column.aliases?.length ?? 0) > 0))).toBe(true);
    expect(samples.some((contract) => contract.columns.some((column) => column.coercion !== undefined))).toBe(true);
  });

  it('round-trips every valid contract through YAML, and checkContract accepts each unchanged', () => {
    fc.assert(
      fc.property(arbitraryContract, (contract) => {
        expect(parseContract(contractToYaml(contract), 'round-trip.yaml')).toEqual(contract);
        expect(checkContract(contract, 'test')).toEqual(contract);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonical JSON with aliases', () => {
  const withAliases = (aliases: string[] | undefined): Contract => {
    const contract = parseContract(`${BASE}  device: {type: string}\n`, 'c.yaml');
    if (aliases !== undefined) (contract.columns[1] as { aliases?: string[] }).aliases = aliases;
    return contract;
  };

  it('ignores alias order and treats an empty list as none', () => {
    expect(contractHash(withAliases(['b', 'a']))).toBe(contractHash(withAliases(['a', 'b'])));
    expect(contractToJson(withAliases([]))).toBe(contractToJson(withAliases(undefined)));
    expect(contractHash(withAliases(['a']))).not.toBe(contractHash(withAliases(undefined)));
  });
});

describe('diffContracts on aliases and coercion', () => {
  const v1 = parseContract(`${BASE}  device: {type: string, aliases: [kind, os]}\n  n: {type: integer}\n`, 'v1.yaml');
  const v2 = parseContract(`${BASE}  device: {type: string, aliases: [os, device_type]}\n  n: {type: integer, coercion: off}\n`, 'v2.yaml');

  it('names aliases added and removed, and the coercion mode set or cleared', () => {
    expect(diffContracts(v1, v2)).toEqual([
      { kind: 'aliases_changed', column: 'device', added: ['device_type'], removed: ['kind'] },
      { kind: 'coercion_changed', column: 'n', to: 'off' },
    ]);
    expect(diffContracts(v2, v1)).toEqual([
      { kind: 'aliases_changed', column: 'device', added: ['kind'], removed: ['device_type'] },
      { kind: 'coercion_changed', column: 'n', from: 'off' },
    ]);
    expect(diffContracts(v1, v2).map(describeChange)).toEqual(['device: aliases +device_type -kind', 'n: coercion as evolution.coercion → off']);
  });

  it('sees no change in a reordered alias list', () => {
    const reordered = parseContract(`${BASE}  device: {type: string, aliases: [os, kind]}\n  n: {type: integer}\n`, 'v1b.yaml');
    expect(diffContracts(v1, reordered)).toEqual([]);
  });
});
