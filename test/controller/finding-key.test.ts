import { describe, expect, it } from 'vitest';
import { findingKey, isDeviation, MALFORMED_KEY } from '../../src/controller/finding-key.js';
import { coercion, enumViolation, malformed, typeMismatch, unknownColumn } from './fixtures.js';

describe('findingKey', () => {
  it('is kind:column, the same across batches whatever the counts', () => {
    expect(findingKey(unknownColumn('session_id', 10, 100))).toBe('unknown_column:session_id');
    expect(findingKey(unknownColumn('session_id', 999, 1000))).toBe(findingKey(unknownColumn('session_id', 1, 5)));
    expect(findingKey(typeMismatch('quantity', 1, 10))).toBe('type_mismatch:quantity');
    expect(findingKey(enumViolation('event_type', 1, 10))).not.toBe(findingKey(typeMismatch('event_type', 1, 10)));
  });

  it('gives malformed input, which has no column, one key', () => {
    expect(findingKey(malformed(3, 10))).toBe('malformed:*');
    expect(MALFORMED_KEY).toBe('malformed:*');
  });
});

describe('isDeviation', () => {
  it('counts everything but coercions', () => {
    expect(isDeviation(coercion('user_id', 10, 10))).toBe(false);
    expect(isDeviation(malformed(1, 10))).toBe(true);
    expect(isDeviation(unknownColumn('x', 1, 10))).toBe(true);
    expect(isDeviation(typeMismatch('x', 1, 10))).toBe(true);
    expect(isDeviation({ kind: 'missing_required', column: 'x', count: 1, share: 0.1 })).toBe(true);
    expect(isDeviation({ kind: 'null_required', column: 'x', count: 1, share: 0.1 })).toBe(true);
    expect(isDeviation({ kind: 'range_violation', column: 'x', count: 1, share: 0.1, below: 1, above: 0, samples: [] })).toBe(true);
    expect(isDeviation({ kind: 'pattern_violation', column: 'x', count: 1, share: 0.1, pattern: '^a', samples: [] })).toBe(true);
  });
});
