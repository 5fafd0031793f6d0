/**
 * Keys that JavaScript objects already have — `__proto__`, `constructor`, `prototype`,
 * `toString`, … — are data like any other key: a record holding one is validated, profiled
 * and reported like any other record, and it changes nothing for the records after it
 * (issue 7: one `__proto__` key polluted Object.prototype and every later file failed).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EVOLUTION, type Contract } from '../../src/contract/types.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { findingsFromProfile } from '../../src/sensor/findings.js';
import { createProfiler } from '../../src/sensor/profile.js';
import type { BatchProfile, Verdict } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';

const RESERVED = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Columns named like Object.prototype's members: `__proto__` cannot be one (the contract loader refuses it). */
function reservedContract(): Contract {
  return {
    table: 'events',
    primary_key: [],
    columns: [
      { name: 'id', type: { name: 'integer' }, required: true },
      { name: 'constructor', type: { name: 'string' }, required: false },
      { name: 'prototype', type: { name: 'string' }, required: false },
      { name: 'toString', type: { name: 'integer' }, required: false },
    ],
    evolution: { ...DEFAULT_EVOLUTION },
  };
}

/** A record as the NDJSON reader yields it: JSON.parse of the raw text (which keeps `__proto__` as a key). */
function recordOf(raw: string, line = 1): ReadRecord {
  return { line, offset: 0, raw, rawEncoding: 'utf8', value: JSON.parse(raw) as Record<string, unknown> };
}

function run(contract: Contract, records: readonly ReadRecord[]): { verdicts: Verdict[]; profile: BatchProfile } {
  const validate = compileValidator(contract);
  const profiler = createProfiler(contract);
  const verdicts = records.map((record) => {
    const verdict = validate(record);
    profiler.observe(record, verdict);
    return verdict;
  });
  return { verdicts, profile: profiler.finish() };
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

afterEach(() => {
  // Whatever a test did, Object.prototype must be as it was: the whole point of these tests.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
});

describe('reserved names as record keys and contract columns', () => {
  it('routes them like any other key, reports the unknown ones, and leaves later batches unaffected', () => {
    const contract = reservedContract();
    const { verdicts, profile } = run(contract, [
      recordOf('{"id":1,"constructor":"c","prototype":"p","toString":3}', 1),
      recordOf('{"id":2,"__proto__":{"polluted":true},"hasOwnProperty":"x","valueOf":1}', 2),
      recordOf('{"id":3,"__proto__":null}', 3),
    ]);
    expect(verdicts[0]).toEqual({ status: 'valid', values: [1n, 'c', 'p', 3n], coercions: [], ignored: [] });
    expect(verdicts[1]?.status).toBe('invalid');
    const unknown = verdicts[1]?.status === 'invalid' ? verdicts[1].reasons.map((r) => [r.kind, r.column]) : [];
    expect(unknown).toEqual([['unknown_column', '__proto__'], ['unknown_column', 'hasOwnProperty'], ['unknown_column', 'valueOf']]);

    expect(Object.keys(profile.unknownKeys).sort()).toEqual(['__proto__', 'hasOwnProperty', 'valueOf']);
    expect(profile.unknownKeys['__proto__']).toMatchObject({ count: 2, types: { object: 1, null: 1 } });
    expect(Object.keys(profile.violations).sort()).toEqual(['__proto__', 'hasOwnProperty', 'valueOf']);
    expect(profile.violations['__proto__']).toEqual({ unknown_column: 2 });
    expect(profile.missing).toEqual({ id: 0, constructor: 2, prototype: 2, toString: 2 });
    expect(profile.keys['constructor']?.types).toEqual({ string: 1 });
    // A profile is plain data: it survives the trip through the event log.
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);

    const findings = findingsFromProfile(profile, contract);
    expect(findings.map((f) => `${f.kind}:${f.column}`).sort()).toEqual(['unknown_column:__proto__', 'unknown_column:hasOwnProperty', 'unknown_column:valueOf']);

    // The next batch of the same process: an ordinary record is just valid.
    const later = run(contract, [recordOf('{"id":4,"constructor":"ok"}', 1)]);
    expect(later.verdicts[0]).toMatchObject({ status: 'valid', values: [4n, 'ok', null, null] });
    expect(findingsFromProfile(later.profile, contract)).toEqual([]);
    expect(({} as Record<string, unknown>)['unknown_column']).toBeUndefined();
  });

  it('finds no rename of `constructor` when the records still hold it', () => {
    const contract = reservedContract();
    // `constructr` is one letter from `constructor`, but every record has `constructor` too.
    const records = Array.from({ length: 10 }, (_, i) => recordOf(JSON.stringify({ id: i, constructor: 'c', constructr: 'x' }), i + 1));
    const profile = run(contract, records).profile;
    // Also from the profile as the event log gives it back: JSON.parse makes objects with Object.prototype.
    for (const given of [profile, JSON.parse(JSON.stringify(profile)) as BatchProfile]) {
      const findings = findingsFromProfile(given, contract);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ kind: 'unknown_column', column: 'constructr', count: 10 });
      expect(findings[0]).not.toHaveProperty('renameOf');
    }
  });

  it('profiles any mix of reserved and ordinary keys exactly (property)', () => {
    const contract = reservedContract();
    const key = fc.constantFrom(...RESERVED, 'id', 'name', 'amount', 'Constructor');
    const value = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }), fc.constant({ nested: 1 }));
    const record = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), (entries) => {
        // Written as JSON text, so `__proto__` is a real key of the parsed record.
        const records = entries.map((pairs, i) => recordOf(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`, i + 1));
        const { profile } = run(contract, records);
        const columns = new Set(contract.columns.map((c) => c.name));
        const holding = (name: string) => entries.filter((pairs) => pairs.some(([k]) => k === name)).length;
        const unknownNames = [...new Set(entries.flatMap((pairs) => pairs.map(([k]) => k)))].filter((k) => !columns.has(k)).sort();
        expect(Object.keys(profile.unknownKeys).sort()).toEqual(unknownNames);
        for (const name of unknownNames) expect(profile.unknownKeys[name]?.count).toBe(holding(name));
        for (const column of columns) expect(profile.missing[column]).toBe(entries.length - holding(column));
        const findings = findingsFromProfile(profile, contract);
        expect(findings.filter((f) => f.kind === 'unknown_column').map((f) => f.column).sort()).toEqual(unknownNames);
      }),
      { numRuns: 200 },
    );
  });
});
