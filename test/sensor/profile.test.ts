import { describe, expect, it } from 'vitest';
import type { ReadRecord } from '../../src/readers/reader.js';
import { findingsFromProfile, type Finding } from '../../src/sensor/findings.js';
import { createProfiler } from '../../src/sensor/profile.js';
import type { BatchProfile } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { csvRecord, eventsContract, jsonRecord, malformedRecord, validEvent } from './fixtures.js';

const contract = eventsContract();

function profileOf(records: ReadRecord[], evolution = {}): BatchProfile {
  const current = eventsContract(evolution);
  const validate = compileValidator(current);
  const profiler = createProfiler(current);
  for (const record of records) profiler.observe(record, validate(record));
  return profiler.finish();
}

function withoutKey(event: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...event };
  delete copy[key];
  return copy;
}

/** A batch of 20 records: 8 valid (2 of them coerced), 11 invalid, 1 malformed. */
function chaosBatch(): ReadRecord[] {
  const events: Record<string, unknown>[] = [
    ...Array.from({ length: 6 }, (_, i) => validEvent({ event_id: `evt-${i}` })),
    validEvent({ amount: '42.50' }),
    validEvent({ amount: '7.25', user_id: '1234' }),
    validEvent({ amount: 'one_hundred_dollars' }),
    validEvent({ device: { os: 'ios' } }),
    withoutKey(validEvent(), 'user_id'),
    validEvent({ event_timestamp: null }),
    validEvent({ event_type: 'refund' }),
    validEvent({ event_type: 'refund' }),
    validEvent({ event_type: 'chargeback' }),
    validEvent({ user_id: -3 }),
    validEvent({ marketing_campaign: 'spring' }),
    validEvent({ marketing_campaign: 'summer' }),
    { ...withoutKey(validEvent(), 'device'), Device: 'android' },
  ];
  const records = events.map((event, index) => jsonRecord(event, index + 1));
  records.push(malformedRecord('Line 20 is not valid JSON; fix the producer.', '{"event_id": "evt-'));
  return records;
}

describe('createProfiler', () => {
  it('counts records, verdicts, types, missing keys, violations and coercions', () => {
    const profile = profileOf(chaosBatch());
    expect(profile).toMatchObject({ records: 20, valid: 8, coerced: 2, invalid: 12, malformed: 1 });
    expect(profile.keys.amount?.types).toEqual({ double: 16, string: 3 });
    expect(profile.keys.device?.types).toEqual({ string: 17, object: 1 });
    expect(profile.keys.event_timestamp?.types).toEqual({ string: 18, null: 1 });
    expect(profile.missing).toEqual({ event_id: 0, event_timestamp: 0, event_type: 0, user_id: 1, amount: 0, device: 1 });
    expect(profile.violations).toEqual({
      _record: { malformed: 1 },
      amount: { type_mismatch: 1 },
      device: { type_mismatch: 1 },
      user_id: { missing_required: 1, below_min: 1 },
      event_timestamp: { null_required: 1 },
      event_type: { enum_violation: 3 },
      marketing_campaign: { unknown_column: 2 },
      Device: { unknown_column: 1 },
    });
    expect(profile.coercions).toEqual({ amount: 2, user_id: 1 });
    expect(profile.evidence?.coerced).toEqual({ amount: ['42.50', '7.25'], user_id: ['1234'] });
    expect(profile.evidence?.offending.event_type).toEqual({ enum_violation: { refund: 2, chargeback: 1 } });
  });

  it('profiles unknown keys with an inferred type, samples and rename evidence', () => {
    const profile = profileOf(chaosBatch());
    expect(profile.unknownKeys.marketing_campaign).toEqual({ types: { string: 2 }, samples: ['spring', 'summer'], count: 2, inferredType: 'string' });
    expect(profile.unknownKeys.Device).toMatchObject({ count: 1, inferredType: 'string' });
    expect(profile.keys.marketing_campaign?.types).toEqual({ string: 2 });
    expect(profile.evidence?.missingWith.Device).toEqual({ device: 1 });
    expect(profile.evidence?.missingWith.marketing_campaign).toEqual({});
  });

  it('keeps at most 5 distinct, shortened samples per key', () => {
    const records = Array.from({ length: 50 }, (_, i) => jsonRecord(validEvent({ note: `${i % 7}${'x'.repeat(500)}` }), i + 1));
    const samples = profileOf(records).unknownKeys.note?.samples ?? [];
    expect(samples).toHaveLength(5);
    expect(new Set(samples).size).toBe(5);
    for (const sample of samples) expect(String(sample).length).toBeLessThanOrEqual(200);
  });

  it('infers CSV types from text and still profiles an ignored key', () => {
    const records = [1, 2, 3].map((i) => csvRecord({ event_id: `evt-${i}`, event_timestamp: '2024-05-01', user_id: String(i), tip: `${i}.5` }, i + 1));
    const profile = profileOf(records, { new_column: 'ignore' });
    expect(profile.valid).toBe(3);
    expect(profile.unknownKeys.tip).toMatchObject({ count: 3, inferredType: 'double' });
    expect(profile.missing).toMatchObject({ amount: 3, device: 3, event_type: 3, user_id: 0 });
  });

  it('is plain, serializable data', () => {
    const profile = profileOf(chaosBatch());
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });
});

describe('findingsFromProfile', () => {
  function byKind<K extends Finding['kind']>(findings: Finding[], kind: K, column: string | null): Extract<Finding, { kind: K }> {
    const found = findings.find((finding) => finding.kind === kind && finding.column === column);
    if (found === undefined) throw new Error(`no ${kind} finding for ${column}`);
    return found as Extract<Finding, { kind: K }>;
  }

  it('turns the chaos batch into one finding per column and kind, with shares and evidence', () => {
    const findings = findingsFromProfile(profileOf(chaosBatch()), contract);
    expect(findings.map((finding) => `${finding.kind}:${finding.column}`)).toEqual([
      'malformed:null',
      'null_required:event_timestamp',
      'enum_violation:event_type',
      'missing_required:user_id',
      'range_violation:user_id',
      'coercion:user_id',
      'type_mismatch:amount',
      'coercion:amount',
      'type_mismatch:device',
      'unknown_column:marketing_campaign',
      'unknown_column:Device',
    ]);
    expect(byKind(findings, 'malformed', null)).toEqual({ kind: 'malformed', column: null, count: 1, share: 0.05, samples: ['{"event_id": "evt-'] });
    expect(byKind(findings, 'enum_violation', 'event_type')).toEqual({
      kind: 'enum_violation',
      column: 'event_type',
      allowed: ['click', 'view', 'purchase'],
      newValues: [
        { value: 'refund', count: 2 },
        { value: 'chargeback', count: 1 },
      ],
      count: 3,
      share: 0.15,
    });
    expect(byKind(findings, 'type_mismatch', 'amount')).toEqual({
      kind: 'type_mismatch',
      column: 'amount',
      expected: 'double',
      observedTypes: { double: 16, string: 3 },
      count: 1,
      share: 0.05,
      samples: ['"one_hundred_dollars"'],
    });
    expect(byKind(findings, 'type_mismatch', 'device').samples).toEqual(['{"os":"ios"}']);
    expect(byKind(findings, 'range_violation', 'user_id')).toMatchObject({ min: 0, below: 1, above: 0, samples: ['-3'] });
    expect(byKind(findings, 'coercion', 'amount')).toEqual({ kind: 'coercion', column: 'amount', to: 'double', count: 2, share: 0.1, samples: ['42.50', '7.25'] });
    expect(byKind(findings, 'unknown_column', 'marketing_campaign')).toEqual({
      kind: 'unknown_column',
      column: 'marketing_campaign',
      count: 2,
      share: 0.1,
      inferredType: 'string',
      observedTypes: { string: 2 },
      samples: ['spring', 'summer'],
    });
    expect(byKind(findings, 'unknown_column', 'Device').renameOf).toBe('device');
  });

  it('suggests a rename only when the similar column is missing where the new key appears', () => {
    // fare_amt renamed to Fare_Amount in half the batch: the old column is absent exactly there.
    const fareContract = {
      ...contract,
      columns: [...contract.columns, { name: 'fare_amt', type: { name: 'double' as const }, required: false }],
    };
    const validate = compileValidator(fareContract);
    const profiler = createProfiler(fareContract);
    const events = [
      ...Array.from({ length: 5 }, () => validEvent({ fare_amt: 10.5 })),
      ...Array.from({ length: 5 }, () => validEvent({ Fare_Amount: 11.5 })),
      ...Array.from({ length: 5 }, () => validEvent({ fare_amt: 3, fare_amount_note: 'x' })),
    ];
    for (const event of events) {
      const record = jsonRecord(event);
      profiler.observe(record, validate(record));
    }
    const findings = findingsFromProfile(profiler.finish(), fareContract);
    expect(byKind(findings, 'unknown_column', 'Fare_Amount')).toMatchObject({ count: 5, share: 5 / 15, inferredType: 'double', renameOf: 'fare_amt' });
    // Similar name, but fare_amt is present wherever fare_amount_note is: not a rename.
    expect(byKind(findings, 'unknown_column', 'fare_amount_note').renameOf).toBeUndefined();
  });

  it('reports pattern violations and nothing for a clean batch', () => {
    const clean = findingsFromProfile(profileOf([jsonRecord(validEvent())]), contract);
    expect(clean).toEqual([]);
    const findings = findingsFromProfile(profileOf([jsonRecord(validEvent({ event_id: 'EVT-1' })), jsonRecord(validEvent())]), contract);
    expect(findings).toEqual([{ kind: 'pattern_violation', column: 'event_id', pattern: 'evt-[0-9a-f]+', count: 1, share: 0.5, samples: ['"EVT-1"'] }]);
  });

  it('gives share 0 for an empty batch', () => {
    expect(findingsFromProfile(profileOf([]), contract)).toEqual([]);
  });
});
