import { describe, expect, it } from 'vitest';
import { mergeFindings } from '../../src/pipeline/merge-findings.js';
import type { Finding, UnknownColumnFinding } from '../../src/sensor/findings.js';
import { inferType } from '../../src/sensor/infer-type.js';

const unknown = (values: unknown[], inferredType: UnknownColumnFinding['inferredType'], observedTypes: UnknownColumnFinding['observedTypes']): UnknownColumnFinding => ({
  kind: 'unknown_column', column: 'pickup_at', count: values.length, share: 1, inferredType, observedTypes, samples: values.filter((v) => v !== null),
});

describe('mergeFindings', () => {
  it('gives a new key the type one inference over every batch gives, as init would', () => {
    const dates = ['2014-01-01', '2014-01-02'];
    const stamps = ['2014-01-03 00:00:00'];
    const merged = mergeFindings([unknown(dates, 'date', { string: 2 })], [unknown(stamps, 'timestamp', { string: 1 })]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ count: 3, inferredType: inferType([...dates, ...stamps]).name, observedTypes: { string: 3 }, samples: [...dates, ...stamps] });
    expect((merged[0] as UnknownColumnFinding).inferredType).toBe('timestamp');
  });

  it('lets a batch of only nulls (an empty CSV column) leave the type as the values say', () => {
    const merged = mergeFindings([unknown(['-73.86', '-73.77'], 'double', { string: 2 })], [unknown([null], 'string', { null: 1 })]);
    expect(merged[0]).toMatchObject({ count: 3, inferredType: 'double', observedTypes: { string: 2, null: 1 } });
    const first = mergeFindings([unknown([null], 'string', { null: 1 })], [unknown(['-73.86'], 'double', { string: 1 })]);
    expect(first[0]).toMatchObject({ inferredType: 'double' });
  });

  it('adds counts for other findings and keeps distinct keys apart', () => {
    const a: Finding = { kind: 'missing_required', column: 'id', count: 2, share: 0.5 };
    const b: Finding = { kind: 'missing_required', column: 'id', count: 3, share: 0.3 };
    const c: Finding = { kind: 'null_required', column: 'id', count: 1, share: 0.1 };
    expect(mergeFindings([a], [b, c])).toEqual([{ ...b, count: 5 }, c]);
  });
});
