/**
 * A batch profile stays small however many distinct keys a file holds (issue 7: 200,000
 * distinct unknown keys grew the heap by 215 MB and wrote a 22 MB event row). Beyond a cap
 * keys are counted, not profiled; what is kept stays exact.
 */
import { describe, expect, it } from 'vitest';
import { findingsFromProfile } from '../../src/sensor/findings.js';
import { createProfiler, MAX_TRACKED_KEYS } from '../../src/sensor/profile.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { eventsContract, jsonRecord, validEvent } from './fixtures.js';

describe('profile bounds', () => {
  it('tracks a bounded number of distinct unknown keys, counts the rest, and keeps the tracked ones exact', () => {
    const contract = eventsContract();
    const validate = compileValidator(contract);
    const profiler = createProfiler(contract);
    const records = 4_000;
    for (let i = 0; i < records; i += 1) {
      // A sustained new key in every record, and one key per record that is never seen again (a map used as a record).
      const event = i % 2 === 0 ? validEvent({ session_id: `s${i}`, [`user_${i}`]: i }) : { ...validEvent({ session_id: `s${i}`, [`user_${i}`]: i }), device: undefined };
      profiler.observe(jsonRecord(event, i + 1), validate(jsonRecord(event, i + 1)));
    }
    const profile = profiler.finish();

    // Small enough for one event row: the unbounded profile was ~320 KB for these 4,000 keys, and grows with them.
    expect(JSON.stringify(profile).length).toBeLessThan(100_000);
    expect(Object.keys(profile.unknownKeys)).toHaveLength(MAX_TRACKED_KEYS);
    expect(Object.keys(profile.violations).length).toBeLessThanOrEqual(MAX_TRACKED_KEYS + contract.columns.length + 1);
    expect(Object.keys(profile.evidence?.offending ?? {}).length).toBeLessThanOrEqual(MAX_TRACKED_KEYS + contract.columns.length + 1);
    // session_id and the first 255 one-off keys are tracked; the other one-off keys are counted.
    expect(profile.untracked).toEqual({ keys: records - (MAX_TRACKED_KEYS - 1), records: records - (MAX_TRACKED_KEYS - 1) });

    // What is kept is exact: the sustained key's count, types and co-missing evidence.
    expect(profile.unknownKeys['session_id']).toMatchObject({ count: records, types: { string: records }, inferredType: 'string' });
    expect(profile.evidence?.missingWith['session_id']).toEqual({ device: records / 2 });
    expect(profile.violations['session_id']).toEqual({ unknown_column: records });
    expect(profile.unknownKeys['user_7']).toMatchObject({ count: 1, types: { integer: 1 } });
    const session = findingsFromProfile(profile, contract).find((f) => f.column === 'session_id');
    expect(session).toMatchObject({ kind: 'unknown_column', count: records, share: 1, inferredType: 'string' });
  });
});
