/**
 * Dates and instants against a warehouse's range (its dialect's temporalRanges): inside,
 * a record is valid; outside, it is a type mismatch whose message names the range — never
 * a value handed to an engine that refuses it and fails the whole file. The oracle orders
 * (year, month, day, …) tuples, independent of the day arithmetic under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVOLUTION, type Contract } from '../../src/contract/types.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { isoYear } from '../../src/sensor/values.js';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresDialect } from '../../src/warehouse/postgres/postgres-dialect.js';

const CONTRACT: Contract = {
  table: 'events',
  primary_key: [],
  columns: [
    { name: 'd', type: { name: 'date' }, required: false },
    { name: 'ts', type: { name: 'timestamp' }, required: false },
  ],
  evolution: DEFAULT_EVOLUTION,
};

const record = (value: Record<string, unknown>): ReadRecord => ({ line: 1, offset: 0, raw: JSON.stringify(value), rawEncoding: 'utf8', value });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** [year, month, day, hour, minute, second, micro] of ISO text (Z only), for ordering. */
function tuple(text: string): number[] {
  const match = /^([+-]?\d+)-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z)?$/.exec(text)!;
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0), Number((match[7] ?? '').padEnd(6, '0'))];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/** Years near both ends of both engines' ranges, and ordinary ones. */
function yearsNear(ends: string[]): fc.Arbitrary<number> {
  const years = ends.map((end) => tuple(end)[0] as number);
  return fc.oneof(...years.map((y) => fc.integer({ min: y - 2, max: y + 2 })), fc.integer({ min: -9999, max: 99_999 }));
}

const date = (ends: string[]) =>
  fc
    .record({ year: yearsNear(ends), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
    .filter(({ year, month, day }) => day <= (month === 2 && !leap(year) ? 28 : (DAYS[month - 1] as number)))
    .map(({ year, month, day }) => `${isoYear(year)}-${pad(month)}-${pad(day)}`);

for (const dialect of [postgresDialect, duckdbDialect]) {
  const { date: dates, timestamp: instants } = dialect.capabilities.temporalRanges;
  const validate = compileValidator(CONTRACT, { ranges: dialect.capabilities.temporalRanges });

  describe(`the ${dialect.name} range`, () => {
    it('takes a date exactly when it lies within the range, and names the range when it does not', () => {
      fc.assert(
        fc.property(date([dates.min, dates.max]), (text) => {
          const inside = compare(tuple(text), tuple(dates.min)) >= 0 && compare(tuple(text), tuple(dates.max)) <= 0;
          const verdict = validate(record({ d: text }));
          expect(verdict.status, text).toBe(inside ? 'valid' : 'invalid');
          if (verdict.status === 'invalid') {
            expect(verdict.reasons).toEqual([
              expect.objectContaining({ column: 'd', kind: 'type_mismatch', message: expect.stringContaining(`${dates.min} … ${dates.max}`) }),
            ]);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('takes an instant exactly when it lies within the range', () => {
      const instant = fc
        .tuple(date([instants.min, instants.max]), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 999_999 }))
        .map(([day, h, m, s, micro]) => `${day}T${pad(h)}:${pad(m)}:${pad(s)}.${pad(micro, 6)}Z`);
      fc.assert(
        fc.property(instant, (text) => {
          const inside = compare(tuple(text), tuple(instants.min)) >= 0 && compare(tuple(text), tuple(instants.max)) <= 0;
          expect(validate(record({ ts: text })).status, text).toBe(inside ? 'valid' : 'invalid');
        }),
        { numRuns: 2000 },
      );
    });

    it('takes both ends, and refuses one day and one microsecond beyond them', () => {
      expect(validate(record({ d: dates.min, ts: instants.min })).status).toBe('valid');
      expect(validate(record({ d: dates.max, ts: instants.max })).status).toBe('valid');
      const after = instants.max.replace(/\.(\d+)Z$/, (_all, digits: string) => `.${String(Number(digits) + 1).padStart(6, '0')}Z`);
      expect(validate(record({ ts: after })).status).toBe('invalid');
      expect(validate(record({ d: '0000-01-01', ts: '0000-01-01T00:00:00Z' })).status).toBe('valid');
    });
  });
}

it("PostgreSQL's range: year 0 (1 BC) is a date it stores; 4714-11-23 BC is one it does not", () => {
  const validate = compileValidator(CONTRACT, { ranges: postgresDialect.capabilities.temporalRanges });
  expect(validate(record({ d: '0000-01-01' })).status).toBe('valid');
  const verdict = validate(record({ d: '-4713-11-23' }));
  expect(verdict).toMatchObject({ status: 'invalid', reasons: [{ kind: 'type_mismatch', message: expect.stringMatching(/outside the dates the warehouse can store \(-4713-11-24 … \+5874897-12-31\)/) }] });
});
