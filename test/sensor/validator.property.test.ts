import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadRecord } from '../../src/readers/reader.js';
import type { Verdict } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { INT64_MAX, INT64_MIN } from '../../src/sensor/values.js';
import { eventsContract, jsonRecord } from './fixtures.js';

const contract = eventsContract();
const validate = compileValidator(contract);
const ignoring = compileValidator(eventsContract({ new_column: 'ignore' }));

/** Checks a valid verdict against every rule of the contract, independently of the validator. */
function expectSatisfiesContract(verdict: Verdict): void {
  if (verdict.status !== 'valid') return;
  expect(verdict.values).toHaveLength(contract.columns.length);
  contract.columns.forEach((column, index) => {
    const value = verdict.values[index];
    if (column.required) expect(value).not.toBeNull();
    if (value === null || value === undefined) return;
    switch (column.type.name) {
      case 'string':
        expect(typeof value).toBe('string');
        break;
      case 'integer':
        expect(typeof value).toBe('bigint');
        expect((value as bigint) >= INT64_MIN && (value as bigint) <= INT64_MAX).toBe(true);
        break;
      case 'double':
        expect(Number.isFinite(value)).toBe(true);
        break;
      case 'timestamp':
        expect(typeof value).toBe('bigint');
        break;
      default:
        throw new Error(`the fixture contract has no ${column.type.name} column`);
    }
    if (column.enum !== undefined) expect(column.enum).toContain(String(value));
    if (column.min !== undefined) expect(Number(value)).toBeGreaterThanOrEqual(column.min);
    if (column.max !== undefined) expect(Number(value)).toBeLessThanOrEqual(column.max);
    if (column.pattern !== undefined) expect(String(value)).toMatch(new RegExp(`^(?:${column.pattern})$`));
  });
}

/** Values that are sometimes right for a column and often wrong in interesting ways. */
const plausible = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('click', 'view', 'purchase', 'refund', 'evt-1a', 'evt-XYZ', '2024-05-01T12:30:00Z', '2024-13-01', '1234', '-1', '42.50', '007', 'true', ''),
  fc.integer({ min: -10, max: 2_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const contractKeys = contract.columns.map((column) => column.name);
const keyish = fc.oneof(fc.constantFrom(...contractKeys, ' amount', 'Device', 'user-id', 'marketing_campaign'), fc.string({ maxLength: 12 }));

const nearlyEvent = fc.dictionary(keyish, plausible, { maxKeys: 9 });

const timestamp = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

const validEvent = fc.record(
  {
    event_id: fc.stringMatching(/^evt-[0-9a-f]{1,12}$/),
    event_timestamp: timestamp,
    event_type: fc.option(fc.constantFrom('click', 'view', 'purchase'), { nil: null }),
    user_id: fc.oneof(fc.nat(), fc.nat().map(String)),
    amount: fc.option(fc.oneof(fc.double({ min: 0, max: 1_000_000, noNaN: true }), fc.integer({ min: 0, max: 1_000_000 }).map((cents) => (cents / 100).toFixed(2))), { nil: null }),
    device: fc.option(fc.string(), { nil: null }),
  },
  { requiredKeys: ['event_id', 'event_timestamp', 'user_id'] },
);

/** Valid events with a few keys overwritten: near the boundary, where bugs live. */
const perturbedEvent = fc.tuple(validEvent, fc.dictionary(keyish, plausible, { maxKeys: 2 })).map(([event, overrides]) => ({ ...event, ...overrides }));

const SEARCHES = { numRuns: 3000 };

describe('validator: properties', () => {
  it('never throws on arbitrary JSON values, and every valid verdict satisfies the contract', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.object(), nearlyEvent, perturbedEvent), (value) => {
        const record: ReadRecord = { line: 1, offset: 0, raw: 'x', rawEncoding: 'utf8', value: value as Record<string, unknown> };
        for (const check of [validate, ignoring]) {
          const verdict = check(record);
          expectSatisfiesContract(verdict);
          if (verdict.status === 'invalid') {
            expect(verdict.reasons.length).toBeGreaterThan(0);
            for (const reason of verdict.reasons) {
              expect(reason.actual.length).toBeLessThanOrEqual(200);
              expect(reason.message.length).toBeGreaterThan(10);
            }
          }
        }
      }),
      SEARCHES,
    );
  });

  it('a CSV-shaped record never throws either', () => {
    fc.assert(
      fc.property(fc.dictionary(keyish, fc.option(fc.oneof(fc.string(), fc.constantFrom('1234', '0.5', 'view', 'evt-0a', '2024-05-01')), { nil: null })), (fields) => {
        expectSatisfiesContract(validate({ line: 2, offset: 0, raw: '', rawEncoding: 'utf8', value: fields, textual: true }));
      }),
      SEARCHES,
    );
  });

  /** Per column, values of the wrong type (not convertible without loss). */
  const wrongTypes: Record<string, fc.Arbitrary<unknown>> = {
    event_id: fc.oneof(fc.object(), fc.array(fc.string(), { minLength: 1 })),
    event_timestamp: fc.oneof(fc.integer(), fc.constantFrom('yesterday', '2024-02-30T00:00:00Z', '01/05/2024'), fc.boolean()),
    event_type: fc.oneof(fc.dictionary(fc.string(), fc.string(), { minKeys: 1 }), fc.array(fc.integer())),
    user_id: fc.oneof(fc.double({ min: 0.1, max: 1e6, noInteger: true, noNaN: true }), fc.constantFrom('abc', '007', '1e3', '12.5', ' 12'), fc.boolean()),
    amount: fc.oneof(fc.constantFrom('one_hundred_dollars', '1,234.50', 'NaN', ''), fc.boolean(), fc.object()),
    device: fc.oneof(fc.constant({ os: 'ios' }), fc.array(fc.string())),
  };

  it('a record built from a valid generator is valid', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const verdict = validate(jsonRecord(event));
        expect(verdict.status).toBe('valid');
        expectSatisfiesContract(verdict);
      }),
      SEARCHES,
    );
  });

  it('one field of the wrong type makes it invalid, with a reason naming that column', () => {
    const mutated = validEvent.chain((event) =>
      fc.constantFrom(...contractKeys).chain((column) => (wrongTypes[column] as fc.Arbitrary<unknown>).map((wrong) => ({ event: { ...event, [column]: wrong }, column }))),
    );
    fc.assert(
      fc.property(mutated, ({ event, column }) => {
        const verdict = validate(jsonRecord(event));
        expect(verdict.status).toBe('invalid');
        if (verdict.status !== 'invalid') return;
        expect(verdict.reasons.map((reason) => reason.column)).toEqual([column]);
        expect(verdict.reasons[0]?.kind).toBe('type_mismatch');
        expect(verdict.reasons[0]?.message).toContain(`\`${column}\``);
      }),
      SEARCHES,
    );
  });
});
