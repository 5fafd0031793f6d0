/**
 * Nested json: the profile records paths and types inside json columns (bounded against
 * poison records), a type change at a known path is a nested_type_change finding, and the
 * rules brain escalates it to a person (a halt: no contract change fixes json's contents).
 */
import { describe, expect, it } from 'vitest';
import { planRules } from '../../src/agent/rules.js';
import { DEFAULT_EVOLUTION, type Contract } from '../../src/contract/types.js';
import { findingKey, isDeviation } from '../../src/controller/finding-key.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { nestedTypeChanges, type NestedBaseline } from '../../src/sensor/nested-findings.js';
import { MAX_NESTED_DEPTH, MAX_NESTED_NODES, MAX_NESTED_PATHS } from '../../src/sensor/nested-profile.js';
import { createProfiler } from '../../src/sensor/profile.js';
import type { BatchProfile } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { jsonRecord } from './fixtures.js';

const contract: Contract = {
  table: 'events',
  primary_key: ['id'],
  columns: [
    { name: 'id', type: { name: 'string' }, required: true },
    { name: 'type', type: { name: 'string' }, required: true },
    { name: 'repository', type: { name: 'json' }, required: false },
  ],
  evolution: { ...DEFAULT_EVOLUTION },
};

/** A GitHub-like event. */
const event = (i: number, repoId: unknown): Record<string, unknown> => ({
  id: `e${i}`,
  type: 'PushEvent',
  repository: { id: repoId, name: `octo/repo${i}`, owner: { login: 'octo', id: 7 }, topics: ['a', 'b'] },
});

function profileOf(records: ReadRecord[]): BatchProfile {
  const validate = compileValidator(contract);
  const profiler = createProfiler(contract);
  for (const record of records) profiler.observe(record, validate(record));
  return profiler.finish();
}

const batch = (values: unknown[], from = 1): BatchProfile => profileOf(values.map((value, i) => jsonRecord(event(from + i, value), from + i)));

describe('the nested profile of json columns', () => {
  it('records each path with its observed types, arrays as [] and once per record', () => {
    const profile = batch([1, 2, 3]);
    const paths = profile.nested?.repository?.paths ?? {};
    expect(Object.keys(paths).sort()).toEqual(['id', 'name', 'owner', 'owner.id', 'owner.login', 'topics', 'topics[]']);
    expect(paths.id?.types).toEqual({ integer: 3 });
    expect(paths['topics[]']?.types).toEqual({ string: 3 });
    expect(paths.owner?.types).toEqual({ object: 3 });
    expect(paths.id?.samples.integer).toEqual([1, 2, 3]);
    expect(Object.getPrototypeOf(paths)).toBeNull();
  });

  it('stops at the depth cap and counts what it did not follow', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const record: ReadRecord = { line: 1, offset: 0, raw: '{}', rawEncoding: 'utf8', value: { id: 'e1', type: 't', repository: deep } };
    const profile = profileOf([record]);
    const nested = profile.nested?.repository;
    const longest = Math.max(...Object.keys(nested?.paths ?? {}).map((path) => path.split('.').length));
    expect(longest).toBe(MAX_NESTED_DEPTH);
    expect(nested?.untracked).toBe(1);
  });

  it('keeps at most MAX_NESTED_PATHS paths and visits at most MAX_NESTED_NODES values per record (10k keys)', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) wide[`k${i}`] = i;
    const records = [0, 1, 2].map((i): ReadRecord => ({ line: i + 1, offset: 0, raw: '{}', rawEncoding: 'utf8', value: { id: `e${i}`, type: 't', repository: { ...wide, __proto__x: 1 } } }));
    const started = performance.now();
    const profile = profileOf(records);
    expect(performance.now() - started).toBeLessThan(2_000);
    const nested = profile.nested?.repository;
    expect(Object.keys(nested?.paths ?? {})).toHaveLength(MAX_NESTED_PATHS);
    // Per record: MAX_NESTED_NODES values visited, those beyond the path cap untracked, plus the one that stopped the walk.
    expect(nested?.untracked).toBe(3 * (MAX_NESTED_NODES - MAX_NESTED_PATHS + 1));
  });

  it('takes a `__proto__` key inside json as a path, without touching any prototype', () => {
    const record = jsonRecord({ id: 'e1', type: 't', repository: JSON.parse('{"__proto__": {"polluted": 1}}') as unknown });
    const profile = profileOf([record]);
    expect(Object.keys(profile.nested?.repository?.paths ?? {}).sort()).toEqual(['__proto__', '__proto__.polluted']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('nested_type_change findings', () => {
  it('learns the paths from the first batches, then reports repository.id integer → string once', () => {
    const first = nestedTypeChanges(batch([1, 2, 3, 4]), contract, undefined);
    expect(first.findings).toEqual([]);
    expect(first.baseline.repository?.id).toEqual(['integer']);
    const second = nestedTypeChanges(batch([5, 6], 5), contract, first.baseline);
    expect(second.findings).toEqual([]);

    const changed = batch(['R_kgDOA', 'R_kgDOB', 'R_kgDOC', 9], 7);
    const third = nestedTypeChanges(changed, contract, JSON.parse(JSON.stringify(second.baseline)) as NestedBaseline);
    expect(third.findings).toEqual([
      { kind: 'nested_type_change', column: 'repository', path: 'id', from: ['integer'], to: 'string', count: 3, share: 0.75, samples: ['R_kgDOA', 'R_kgDOB', 'R_kgDOC'] },
    ]);
    expect(third.baseline.repository?.id).toEqual(['integer', 'string']);
    // Reported once: the next batch with strings is what the baseline now knows.
    expect(nestedTypeChanges(batch(['R_x'], 20), contract, third.baseline).findings).toEqual([]);
  });

  it('does not call a new path or a null a change', () => {
    const base = nestedTypeChanges(batch([1]), contract, undefined).baseline;
    expect(nestedTypeChanges(batch([null]), contract, base).findings).toEqual([]);
    const extra = profileOf([jsonRecord({ id: 'e1', type: 't', repository: { id: 1, license: { key: 'mit' } } })]);
    const judged = nestedTypeChanges(extra, contract, base);
    expect(judged.findings).toEqual([]);
    expect(judged.baseline.repository?.['license.key']).toEqual(['string']);
  });

  it('is a deviation with its own key per path, and the rules brain escalates it with a halt', () => {
    const base = nestedTypeChanges(batch([1, 2]), contract, undefined).baseline;
    const [finding] = nestedTypeChanges(batch(['a', 'b']), contract, base).findings;
    expect(finding).toBeDefined();
    expect(isDeviation(finding!)).toBe(true);
    expect(findingKey(finding!)).toBe('nested_type_change:repository.id');
    const plan = planRules({ table: 'events', contract, findings: [finding!], columnStats: {} });
    expect(plan.actions).toHaveLength(1);
    const [action] = plan.actions;
    expect(action?.action).toMatchObject({ kind: 'halt' });
    expect(action?.action.kind === 'halt' && action.action.reason).toMatch(/`repository\.id` \(integer → string\) changed type inside its json in 2 records/);
    expect(action?.evidence).toMatchObject({ finding: 'nested_type_change', path: 'id', from: ['integer'], to: 'string' });
  });
});
