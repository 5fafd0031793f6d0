import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/contract/types.js';
import { coerce, compileCoercer, type CoerceResult } from '../../src/sensor/coerce.js';
import { formatTimestampMicros } from '../../src/sensor/values.js';
import { belowPowerOfTen, exactEqual, exactOfNumeral, fitsScale } from './exact.js';

const INTEGER: ColumnType = { name: 'integer' };
const DOUBLE: ColumnType = { name: 'double' };
const DECIMAL_10_2: ColumnType = { name: 'decimal', precision: 10, scale: 2 };
const BOOLEAN: ColumnType = { name: 'boolean' };
const DATE: ColumnType = { name: 'date' };
const TIMESTAMP: ColumnType = { name: 'timestamp' };
const STRING: ColumnType = { name: 'string' };
const JSON_TYPE: ColumnType = { name: 'json' };

function ok(value: unknown, coerced: boolean): CoerceResult {
  return { ok: true, value: value as never, coerced };
}

describe('coerce: JSON values', () => {
  it.each<[string, unknown, ColumnType, CoerceResult | false]>([
    ['integer from a JSON integer', 1234, INTEGER, ok(1234n, false)],
    ['integer from a numeral string', '1234', INTEGER, ok(1234n, true)],
    ['integer from a negative numeral string', '-42', INTEGER, ok(-42n, true)],
    ['integer from int64 max as a string', '9223372036854775807', INTEGER, ok(9223372036854775807n, true)],
    ['integer beyond int64', '9223372036854775808', INTEGER, false],
    ['integer from a fraction', 12.5, INTEGER, false],
    ['integer from a JSON number beyond 2^53', 2 ** 60, INTEGER, false],
    ['integer from leading zeros', '007', INTEGER, false],
    ['integer from a plus sign', '+1', INTEGER, false],
    ['integer from an exponent', '1e3', INTEGER, false],
    ['integer from padded text', ' 12', INTEGER, false],
    ['integer from a boolean', true, INTEGER, false],
    ['double from a JSON number', 42.5, DOUBLE, ok(42.5, false)],
    ['double from a JSON integer', 3, DOUBLE, ok(3, false)],
    ['double from "42.50"', '42.50', DOUBLE, ok(42.5, true)],
    ['double from "0.1"', '0.1', DOUBLE, ok(0.1, true)],
    ['double from an exponent string', '6.02e23', DOUBLE, ok(6.02e23, true)],
    ['double from a numeral it cannot hold', '12345678901234567890', DOUBLE, false],
    ['double from a numeral with more digits than a double', '-73.865043640136719', DOUBLE, false],
    ['double from a thousands separator', '1,234.50', DOUBLE, false],
    ['double from words', 'one_hundred_dollars', DOUBLE, false],
    ['double from NaN text', 'NaN', DOUBLE, false],
    ['double from a boolean', false, DOUBLE, false],
    ['decimal from a JSON number', 42.5, DECIMAL_10_2, ok('42.50', false)],
    ['decimal from a numeral string', '1234.5', DECIMAL_10_2, ok('1234.50', true)],
    ['decimal with trailing zeros beyond the scale', '3.1400', DECIMAL_10_2, ok('3.14', true)],
    ['decimal that would need rounding', 3.145, DECIMAL_10_2, false],
    ['decimal too large for its precision', 123456789, DECIMAL_10_2, false],
    ['decimal from a tiny exponent', 1e-7, DECIMAL_10_2, false],
    ['decimal from words', 'ten', DECIMAL_10_2, false],
    ['decimal from a JSON number parsing may have rounded', Number('12345678901234567.89'), { name: 'decimal', precision: 20, scale: 2 }, false],
    ['decimal from the same digits as a string', '12345678901234567.89', { name: 'decimal', precision: 20, scale: 2 }, ok('12345678901234567.89', true)],
    ['boolean from true', true, BOOLEAN, ok(true, false)],
    ['boolean from "true"', 'true', BOOLEAN, ok(true, true)],
    ['boolean from "false"', 'false', BOOLEAN, ok(false, true)],
    ['boolean from "TRUE"', 'TRUE', BOOLEAN, false],
    ['boolean from "yes"', 'yes', BOOLEAN, false],
    ['boolean from 1', 1, BOOLEAN, false],
    ['date from YYYY-MM-DD', '2024-02-29', DATE, ok('2024-02-29', false)],
    ['date from an impossible date', '2023-02-29', DATE, false],
    ['date from a timestamp', '2024-02-29T10:00:00Z', DATE, false],
    ['timestamp from ISO-8601', '2024-05-01T12:30:00Z', TIMESTAMP, ok(1714566600000000n, false)],
    ['timestamp with an offset', '2024-05-01T14:30:00+02:00', TIMESTAMP, ok(1714566600000000n, false)],
    ['timestamp from epoch seconds', 1714566600, TIMESTAMP, false],
    ['timestamp from words', 'yesterday', TIMESTAMP, false],
    ['string from a string', 'ios', STRING, ok('ios', false)],
    ['string from a number', 42.5, STRING, ok('42.5', true)],
    ['string from a boolean', true, STRING, ok('true', true)],
    ['string from a nested object', { os: 'ios' }, STRING, false],
    ['string from an array', ['ios'], STRING, false],
    ['json from an object', { os: 'ios' }, JSON_TYPE, ok('{"os":"ios"}', false)],
    ['json from a string', 'x', JSON_TYPE, ok('"x"', false)],
  ])('%s', (_name, raw, type, expected) => {
    const result = coerce(raw, type);
    if (expected === false) expect(result.ok).toBe(false);
    else expect(result).toEqual(expected);
  });

  it('null is a null value, never a failure', () => {
    for (const type of [INTEGER, DOUBLE, DECIMAL_10_2, BOOLEAN, DATE, TIMESTAMP, STRING, JSON_TYPE]) {
      expect(coerce(null, type)).toEqual(ok(null, false));
    }
  });

  it('says why when there is more to say than the type', () => {
    const rounding = coerce(3.145, DECIMAL_10_2);
    expect(rounding.ok === false && rounding.why).toMatch(/more than 2 digits after the point/);
    const unsafe = coerce(2 ** 60, INTEGER);
    expect(unsafe.ok === false && unsafe.why).toMatch(/send it as a string/);
  });

  it('with coercion off, only the coerced branches fail', () => {
    const mode = { mode: 'off' as const };
    for (const [raw, type] of [['1234', INTEGER], ['42.50', DOUBLE], ['1.5', DECIMAL_10_2], ['true', BOOLEAN], [42, STRING]] as const) {
      const result = coerce(raw, type, mode);
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.why).toMatch(/coercion is off/);
    }
    expect(coerce(1234, INTEGER, mode)).toEqual(ok(1234n, false));
    expect(coerce('2024-05-01T12:30:00Z', TIMESTAMP, mode).ok).toBe(true);
    expect(coerce('2024-05-01', DATE, mode).ok).toBe(true);
    expect(coerce('-73.865043640136719', DOUBLE, { textual: true, mode: 'off' })).toEqual(ok(-73.865043640136719, false));
  });

  it('refuses an impossible decimal type when compiling', () => {
    expect(() => compileCoercer({ name: 'decimal', precision: 2, scale: 5 })).toThrow(/not a valid decimal/);
  });
});

describe('coerce: CSV text is typed, never coerced', () => {
  const textual = { textual: true };
  it.each<[string, string, ColumnType, CoerceResult | false]>([
    ['integer', '1234', INTEGER, ok(1234n, false)],
    ['integer with leading zeros', '007', INTEGER, false],
    ['integer from a fraction', '12.0', INTEGER, false],
    ['double to the nearest double', '-73.865043640136719', DOUBLE, ok(-73.865043640136719, false)],
    ['double from an integer numeral', '3', DOUBLE, ok(3, false)],
    ['double from 0.x', '0.25', DOUBLE, ok(0.25, false)],
    ['double with leading zeros', '00.5', DOUBLE, false],
    ['double beyond range', '1e400', DOUBLE, false],
    ['double so small a double holds it as 0', '1e-400', DOUBLE, false],
    ['double zero in exponent form', '0e-400', DOUBLE, ok(0, false)],
    ['decimal', '19.9', DECIMAL_10_2, ok('19.90', false)],
    ['boolean', 'false', BOOLEAN, ok(false, false)],
    ['boolean in capitals', 'False', BOOLEAN, false],
    ['date', '2024-01-31', DATE, ok('2024-01-31', false)],
    ['timestamp', '2024-05-01 12:30:00', TIMESTAMP, ok(1714566600000000n, false)],
    ['string that looks like a number', '42', STRING, ok('42', false)],
    ['json text', '{"a":1}', JSON_TYPE, ok('{"a":1}', false)],
    ['json text that does not parse', '{a:1}', JSON_TYPE, false],
  ])('%s', (_name, raw, type, expected) => {
    const result = coerce(raw, type, textual);
    if (expected === false) expect(result.ok).toBe(false);
    else expect(result).toEqual(expected);
  });
});

// ---- property tests: coercion is never lossy ----

const numeralText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,24}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,24}$/), { nil: undefined }),
    fc.option(fc.integer({ min: -40, max: 40 }), { nil: undefined }),
  )
  .map(([negative, integer, fraction, exponent]) => {
    let text = `${negative ? '-' : ''}${integer}`;
    if (fraction !== undefined) text += `.${fraction}`;
    if (exponent !== undefined) text += `e${exponent}`;
    return text;
  });

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });

/** Numerals near the exactly-representable ones, so both outcomes are common. */
const doubleishText = fc.oneof(
  numeralText,
  finiteDouble.map((value) => String(value)),
  fc.tuple(finiteDouble, fc.integer({ min: 1, max: 21 })).map(([value, digits]) => value.toPrecision(digits)),
  fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 6 })).map(([cents, digits]) => (cents / 100).toFixed(digits)),
);

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  doubleishText,
  fc.constantFrom('007', '+1', '1e3', ' 12', '12 ', '1,234.50', 'NaN', 'Infinity', '-0', '0x10', 'true', 'TRUE', '1_000', '١٢', '2024-02-30'),
);

describe('coerce: properties', () => {
  it('every int64 numeral string coerces to exactly that integer', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        expect(coerce(String(value), INTEGER)).toEqual(ok(value, true));
      }),
    );
  });

  it('every double rendered as a string coerces back to the same double', () => {
    fc.assert(
      fc.property(finiteDouble, (value) => {
        const result = coerce(String(value), DOUBLE);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value === value).toBe(true);
      }),
    );
  });

  // "Lossless" for a double means in decimal terms: the double's shortest text (what every
  // JSON writer prints) denotes exactly the number the string did, so "0.1" → 0.1 is lossless
  // while "12345678901234567890" → 12345678901234567000 is not.
  it('a numeral string coerces to a double exactly when the double reads back as the same number', () => {
    fc.assert(
      fc.property(doubleishText, (text) => {
        const result = coerce(text, DOUBLE);
        const nearest = Number(text);
        const exact = Number.isFinite(nearest) && exactEqual(exactOfNumeral(text), exactOfNumeral(String(nearest)));
        expect(result.ok).toBe(exact);
        if (result.ok) {
          expect(result.coerced).toBe(true);
          expect(Number(text) === result.value).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a numeral fits decimal(p,s) exactly when it needs no rounding and no extra digits', () => {
    fc.assert(
      fc.property(numeralText, fc.integer({ min: 1, max: 38 }), fc.integer({ min: 0, max: 38 }), (text, precision, scaleSeed) => {
        const scale = scaleSeed % (precision + 1);
        const result = coerce(text, { name: 'decimal', precision, scale });
        const exact = exactOfNumeral(text);
        expect(result.ok).toBe(fitsScale(exact, scale) && belowPowerOfTen(exact, precision - scale));
        if (result.ok) {
          const value = String(result.value);
          expect(exactEqual(exactOfNumeral(value), exact)).toBe(true);
          expect(value.split('.')[1]?.length ?? 0).toBe(scale);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a JSON number fits a decimal column only without rounding', () => {
    fc.assert(
      fc.property(finiteDouble, fc.integer({ min: 0, max: 10 }), (value, scale) => {
        const result = coerce(value, { name: 'decimal', precision: 38, scale });
        const shortest = exactOfNumeral(String(value));
        const significant = String(shortest.n < 0n ? -shortest.n : shortest.n).replace(/0+$/, '').length;
        const fits = fitsScale(shortest, scale) && belowPowerOfTen(shortest, 38 - scale) && significant <= 15;
        expect(result.ok).toBe(fits);
        if (result.ok) expect(Number(result.value)).toBe(value === 0 ? 0 : value);
      }),
    );
  });

  it('no string ever coerces into a different value', () => {
    const decimal = { name: 'decimal', precision: 20, scale: 4 } as const;
    fc.assert(
      fc.property(anyString, (text) => {
        const integer = coerce(text, INTEGER);
        if (integer.ok) expect(exactEqual(exactOfNumeral(text), { n: integer.value as bigint, scale: 0 })).toBe(true);
        const double = coerce(text, DOUBLE);
        if (double.ok) {
          expect(Number(text) === double.value).toBe(true);
          expect(exactEqual(exactOfNumeral(text), exactOfNumeral(String(double.value)))).toBe(true);
        }
        const fitted = coerce(text, decimal);
        if (fitted.ok) expect(exactEqual(exactOfNumeral(String(fitted.value)), exactOfNumeral(text))).toBe(true);
        const boolean = coerce(text, BOOLEAN);
        if (boolean.ok) expect(String(boolean.value)).toBe(text);
        const date = coerce(text, DATE);
        if (date.ok) expect(date.value).toBe(text);
        const timestamp = coerce(text, TIMESTAMP);
        if (timestamp.ok) expect(coerce(formatTimestampMicros(timestamp.value as bigint), TIMESTAMP)).toEqual(timestamp);
        expect(coerce(text, STRING)).toEqual(ok(text, false));
      }),
      { numRuns: 3000 },
    );
  });

  it('a scalar coerced to a string reads back as the same scalar', () => {
    fc.assert(
      fc.property(fc.oneof(finiteDouble, fc.boolean(), fc.integer()), (value) => {
        const result = coerce(value, STRING);
        expect(result.ok && result.coerced).toBe(true);
        if (result.ok) expect(JSON.parse(String(result.value))).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});

describe('NUL characters', () => {
  it('are refused in string values, with the reason, since no warehouse text column holds them', async () => {
    const { coerce } = await import('../../src/sensor/coerce.js');
    expect(coerce('a\u0000b', { name: 'string' })).toMatchObject({ ok: false, why: expect.stringMatching(/NUL/) });
    expect(coerce('ab', { name: 'string' })).toMatchObject({ ok: true, value: 'ab' });
  });
});
