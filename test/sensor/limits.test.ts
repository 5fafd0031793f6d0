/**
 * What one record may cost (issue 7): a record with more keys than max_record_keys, or a key
 * longer than MAX_KEY_LENGTH, is malformed — raw text kept, parsed value dropped, one short
 * reason — and no record lists more than MAX_REASONS reasons.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadRecord } from '../../src/readers/reader.js';
import { createProfiler } from '../../src/sensor/profile.js';
import { limitRecord, MAX_KEY_LENGTH, type RecordLimits } from '../../src/sensor/limits.js';
import { MAX_REASONS } from '../../src/sensor/reasons.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { eventsContract, jsonRecord, validEvent } from './fixtures.js';

const LIMITS: RecordLimits = { maxRecordKeys: 1000, maxTableColumns: 500 };

function wide(keys: number): Record<string, unknown> {
  const value: Record<string, unknown> = { event_id: 'evt-1' };
  for (let i = 1; i < keys; i += 1) value[`k${i}`] = i;
  return value;
}

describe('limitRecord', () => {
  it('makes a record with too many keys malformed, keeping its raw text and dropping its value', () => {
    const record = jsonRecord(wide(1001), 7);
    const limited = limitRecord(record, LIMITS, 'in/a.ndjson');
    expect(limited).toEqual({
      line: 7, offset: 0, raw: record.raw, rawEncoding: 'utf8',
      malformed: 'in/a.ndjson line 7 has 1001 keys, over the limit of 1000 (max_record_keys): split the record, nest the keys under one json column, or raise max_record_keys in agentic-etl.yaml',
    });
    expect(limitRecord(jsonRecord(wide(1000)), LIMITS, 'a')).toMatchObject({ value: expect.any(Object) });
  });

  it('counts the keys of a CSV row, whose names come from the header', () => {
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 1500; i += 1) value[`c${i}`] = null;
    const row: ReadRecord = { line: 2, offset: 10, raw: ','.repeat(1499), rawEncoding: 'utf8', value, textual: true };
    expect(limitRecord(row, LIMITS, 'wide.csv')).toMatchObject({ line: 2, textual: true, malformed: expect.stringContaining('wide.csv line 2 has 1500 keys') });
    const longName: ReadRecord = { ...row, raw: '1', value: { ['x'.repeat(MAX_KEY_LENGTH + 1)]: '1' } };
    expect(limitRecord(longName, LIMITS, 'wide.csv').malformed).toContain(`a key of ${MAX_KEY_LENGTH + 1} characters, over the limit of ${MAX_KEY_LENGTH}`);
  });

  it('is malformed exactly when the keys are too many or one is too long (property)', () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constant('y'.repeat(MAX_KEY_LENGTH + 1)));
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 30 }), fc.integer({ min: 1, max: 25 }), fc.boolean(), (keys, maxRecordKeys, textual) => {
        const raw = `{${keys.map((k, i) => `${JSON.stringify(k)}:${i}`).join(',')}}`;
        const record: ReadRecord = { line: 1, offset: 0, raw, rawEncoding: 'utf8', value: JSON.parse(raw) as Record<string, unknown>, textual };
        const limited = limitRecord(record, { maxRecordKeys, maxTableColumns: 500 }, 'f');
        const over = keys.length > maxRecordKeys || keys.some((k) => k.length > MAX_KEY_LENGTH);
        expect(limited.malformed !== undefined).toBe(over);
        expect(limited.value === undefined).toBe(over);
        expect(limited.raw).toBe(raw);
      }),
    );
  });
});

describe('bounded reasons', () => {
  it('lists at most MAX_REASONS reasons and sums up the rest', () => {
    const contract = eventsContract();
    const validate = compileValidator(contract);
    const record = jsonRecord({ ...validEvent(), ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`extra_${i}`, i])) });
    const verdict = validate(record);
    if (verdict.status !== 'invalid') throw new Error('expected invalid');
    expect(verdict.reasons).toHaveLength(MAX_REASONS);
    expect(verdict.reasons.slice(0, MAX_REASONS - 1).map((r) => r.column)).toEqual(Array.from({ length: MAX_REASONS - 1 }, (_, i) => `extra_${i}`));
    expect(verdict.reasons.at(-1)).toMatchObject({ column: null, kind: 'unknown_column', actual: `${300 - MAX_REASONS + 1} more` });
    expect(verdict.reasons.at(-1)?.message).toContain(`${300 - MAX_REASONS + 1} unknown_column`);
    expect(JSON.stringify(verdict.reasons).length).toBeLessThan(20_000);
    // The profile still sees every key of the record, listed or not.
    const profiler = createProfiler(contract);
    profiler.observe(record, verdict);
    expect(Object.keys(profiler.finish().unknownKeys)).toHaveLength(256);
  });
});
