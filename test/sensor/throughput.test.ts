/**
 * The sensor is on the hot path: 1,000,000 realistic event records must validate well
 * under 2 s. The bound asserted here is loose (shared CI machines are noisy); the measured
 * rate is printed so a regression is visible long before it fails.
 */
import { describe, expect, it } from 'vitest';
import type { ReadRecord } from '../../src/readers/reader.js';
import { createProfiler } from '../../src/sensor/profile.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { eventsContract } from './fixtures.js';

const RECORDS = 1_000_000;
const POOL = 100_000;
const DEVICES = ['ios', 'android', 'web', null];
const TYPES = ['click', 'view', 'purchase'];

/** Parsed NDJSON lines, like the reader yields: mostly clean, 2% coerced, 1% invalid. */
function pool(): ReadRecord[] {
  const records: ReadRecord[] = [];
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < POOL; i += 1) {
    const roll = random();
    const event: Record<string, unknown> = {
      event_id: `evt-${i.toString(16)}`,
      event_timestamp: new Date(start + Math.floor(random() * 86_400_000 * 30)).toISOString(),
      event_type: TYPES[i % 3],
      user_id: Math.floor(random() * 1_000_000),
      amount: Math.round(random() * 100_000) / 100,
      device: DEVICES[i % 4],
    };
    if (roll < 0.01) event.amount = '42.50';
    else if (roll < 0.02) event.user_id = String(event.user_id);
    else if (roll < 0.025) event.amount = 'one_hundred_dollars';
    else if (roll < 0.03) event.marketing_campaign = 'spring';
    const raw = JSON.stringify(event);
    records.push({ line: i + 1, offset: i * 150, raw, rawEncoding: 'utf8', value: JSON.parse(raw) as Record<string, unknown> });
  }
  return records;
}

describe('sensor throughput', () => {
  it(`validates and profiles ${RECORDS.toLocaleString('en')} records`, () => {
    const records = pool();
    const contract = eventsContract();
    const validate = compileValidator(contract);
    // Warm up so the measurement sees optimized code, as a long ingest does.
    for (let i = 0; i < POOL; i += 1) validate(records[i] as ReadRecord);

    let valid = 0;
    const started = performance.now();
    for (let i = 0; i < RECORDS; i += 1) {
      if (validate(records[i % POOL] as ReadRecord).status === 'valid') valid += 1;
    }
    const validateMs = performance.now() - started;

    const profiler = createProfiler(contract);
    const profileStarted = performance.now();
    for (let i = 0; i < RECORDS; i += 1) {
      const record = records[i % POOL] as ReadRecord;
      profiler.observe(record, validate(record));
    }
    const profile = profiler.finish();
    const bothMs = performance.now() - profileStarted;

    const rate = (ms: number): string => `${Math.round(RECORDS / (ms / 1000)).toLocaleString('en')} records/s`;
    console.log(`validator: ${validateMs.toFixed(0)} ms (${rate(validateMs)}); validator + profiler: ${bothMs.toFixed(0)} ms (${rate(bothMs)})`);

    expect(valid / RECORDS).toBeGreaterThan(0.95);
    expect(valid / RECORDS).toBeLessThan(0.995);
    expect(profile.records).toBe(RECORDS);
    expect(profile.valid).toBe(valid);
    expect(validateMs).toBeLessThan(5_000);
  });
});
