/**
 * Findings made the way the pipeline makes them: records through the real validator,
 * profiler and findingsFromProfile, so the architect is tested on what the sensor says.
 */
import type { PlanInput } from '../../src/agent/actions.js';
import { DEFAULT_EVOLUTION, type ColumnSpec, type Contract, type EvolutionRules } from '../../src/contract/types.js';
import { findingsFromProfile, type Finding } from '../../src/sensor/findings.js';
import { createProfiler } from '../../src/sensor/profile.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { jsonRecord, validEvent } from '../sensor/fixtures.js';

export { validEvent };

/** DESIGN.md's events contract plus the columns the drift kinds need. */
export function driftContract(evolution: Partial<EvolutionRules> = {}, overrides: Partial<Record<string, Partial<ColumnSpec>>> = {}): Contract {
  const columns: ColumnSpec[] = [
    { name: 'event_id', type: { name: 'string' }, required: true },
    { name: 'event_timestamp', type: { name: 'timestamp' }, required: true },
    { name: 'event_type', type: { name: 'string' }, required: false, enum: ['click', 'view', 'purchase'] },
    { name: 'user_id', type: { name: 'integer' }, required: true, min: 0 },
    { name: 'amount', type: { name: 'double' }, required: false, min: 0 },
    { name: 'device', type: { name: 'string' }, required: false },
    { name: 'quantity', type: { name: 'integer' }, required: false, min: 1 },
    { name: 'signup_date', type: { name: 'date' }, required: false },
    { name: 'price', type: { name: 'decimal', precision: 10, scale: 2 }, required: false },
  ];
  return {
    table: 'events',
    primary_key: ['event_id'],
    columns: columns.map((spec) => ({ ...spec, ...overrides[spec.name] })),
    evolution: { ...DEFAULT_EVOLUTION, ...evolution },
  };
}

/** The findings of one batch of events under `contract`. */
export function findingsOf(contract: Contract, events: readonly Record<string, unknown>[]): Finding[] {
  const validate = compileValidator(contract);
  const profiler = createProfiler(contract);
  events.forEach((event, index) => {
    const record = jsonRecord(event, index + 1);
    profiler.observe(record, validate(record));
  });
  return findingsFromProfile(profiler.finish(), contract);
}

/** `count` valid events, each changed by `change(event, index)`. */
export function events(count: number, change: (event: Record<string, unknown>, index: number) => void = () => undefined): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => {
    const event = validEvent({ event_id: `evt-${index.toString(16)}`, quantity: 2, signup_date: '2024-01-15', price: 12.5 });
    change(event, index);
    return event;
  });
}

/** A plan input for `events` under `contract`, with silver facts when given. */
export function planInput(contract: Contract, batch: readonly Record<string, unknown>[], columnStats: PlanInput['columnStats'] = {}): PlanInput {
  return { table: contract.table, contract, findings: findingsOf(contract, batch), columnStats };
}
