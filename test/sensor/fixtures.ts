/**
 * Shared test data for the sensor: DESIGN.md's example contract and record builders that
 * go through real JSON text, the way the readers produce records.
 */
import { DEFAULT_EVOLUTION, type Contract, type EvolutionRules } from '../../src/contract/types.js';
import type { ReadRecord } from '../../src/readers/reader.js';

export function eventsContract(evolution: Partial<EvolutionRules> = {}): Contract {
  return {
    table: 'events',
    primary_key: ['event_id'],
    columns: [
      { name: 'event_id', type: { name: 'string' }, required: true, pattern: 'evt-[0-9a-f]+' },
      { name: 'event_timestamp', type: { name: 'timestamp' }, required: true },
      { name: 'event_type', type: { name: 'string' }, required: false, enum: ['click', 'view', 'purchase'] },
      { name: 'user_id', type: { name: 'integer' }, required: true, min: 0 },
      { name: 'amount', type: { name: 'double' }, required: false, min: 0, max: 1_000_000 },
      { name: 'device', type: { name: 'string' }, required: false },
    ],
    evolution: { ...DEFAULT_EVOLUTION, ...evolution },
  };
}

/** A record as the NDJSON reader yields it: raw text and its parse. */
export function jsonRecord(value: unknown, line = 1): ReadRecord {
  const raw = JSON.stringify(value);
  return { line, offset: 0, raw, rawEncoding: 'utf8', value: JSON.parse(raw) as Record<string, unknown> };
}

/** A record as the CSV reader yields it: text fields, '' already turned into null. */
export function csvRecord(fields: Record<string, string | null>, line = 2): ReadRecord {
  const raw = Object.values(fields)
    .map((field) => field ?? '')
    .join(',');
  return { line, offset: 0, raw, rawEncoding: 'utf8', value: { ...fields }, textual: true };
}

export function malformedRecord(message: string, raw = '{"event_id": '): ReadRecord {
  return { line: 7, offset: 120, raw, rawEncoding: 'utf8', malformed: message };
}

export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: 'evt-00ff',
    event_timestamp: '2024-05-01T12:30:00Z',
    event_type: 'purchase',
    user_id: 1234,
    amount: 42.5,
    device: 'ios',
    ...overrides,
  };
}
