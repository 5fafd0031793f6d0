/**
 * Typing JSON numbers from their literal text, never from a rounded double: records come
 * from the real NDJSON reader and go through the compiled validator, as in ingestion.
 * The promise checked: a value is accepted into an exact type (integer, decimal, string,
 * json) exactly when the stored value denotes the literal's number, and a logged coercion
 * keeps the original digit for digit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVOLUTION, type ColumnSpec, type Contract } from '../../src/contract/types.js';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import { inferType } from '../../src/sensor/infer-type.js';
import { createProfiler } from '../../src/sensor/profile.js';
import type { Verdict } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { collect, options, streamOf } from '../readers/_helpers.js';
import { belowPowerOfTen, exactEqual, exactOfNumeral, fitsScale, type Exact } from './exact.js';

const columns: ColumnSpec[] = [
  { name: 'i', type: { name: 'integer' }, required: false },
  { name: 'd', type: { name: 'double' }, required: false },
  { name: 'dec', type: { name: 'decimal', precision: 38, scale: 6 }, required: false },
  { name: 's', type: { name: 'string' }, required: false },
  { name: 'j', type: { name: 'json' }, required: false },
];
const contract: Contract = { table: 't', primary_key: [], columns, evolution: { ...DEFAULT_EVOLUTION } };
const validate = compileValidator(contract);

/** Reads one NDJSON line with the real reader and validates it. */
async function verdictOf(line: string): Promise<Verdict> {
  const [record] = await collect(ndjsonReader(streamOf(`${line}\n`), options('exact.ndjson')));
  if (record === undefined) throw new Error('no record');
  return validate(record);
}

async function one(column: string, literal: string): Promise<Verdict> {
  return verdictOf(`{"${column}":${literal}}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function wholeValue(exact: Exact): bigint | undefined {
  if (exact.scale <= 0) return exact.n * 10n ** BigInt(-exact.scale);
  const unit = 10n ** BigInt(exact.scale);
  return exact.n % unit === 0n ? exact.n / unit : undefined;
}

/** Literals of every kind, exponents within reach of int64, decimal(38,6) and beyond a double. */
const literal = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,22}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
    fc.option(fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -420, max: 420 })), { nil: undefined }),
  )
  .map(([negative, integer, fraction, exponent]) => {
    let text = `${negative ? '-' : ''}${integer}`;
    if (fraction !== undefined) text += `.${fraction}`;
    if (exponent !== undefined) text += `e${exponent}`;
    return text;
  });

describe('typing JSON numbers by their literal', () => {
  it.each<[string, string, unknown]>([
    ['an int64 beyond 2^53', '9223372036854775807', 9223372036854775807n],
    ['the smallest int64', '-9223372036854775808', -9223372036854775808n],
    ['a whole number in exponent form', '12345678901234567e2', 1234567890123456700n],
    ['a whole number with a zero fraction', '9007199254740993.000', 9007199254740993n],
  ])('an integer column takes %s exactly', async (_name, text, expected) => {
    expect(await one('i', text)).toMatchObject({ status: 'valid', values: [expected, null, null, null, null] });
  });

  it.each([
    ['1.0000000000000001', 'not a whole number, though a double reads 1'],
    ['9223372036854775808', 'beyond int64'],
    ['12345678901234567890', 'beyond int64'],
    ['1e400', 'beyond int64 (and a double)'],
  ])('an integer column refuses %s: %s', async (text) => {
    const verdict = await one('i', text);
    expect(verdict.status).toBe('invalid');
    if (verdict.status === 'invalid') expect(verdict.reasons[0]).toMatchObject({ column: 'i', kind: 'type_mismatch', actual: text });
  });

  it('a double column takes the nearest double, and refuses what is beyond its range either way', async () => {
    expect(await one('d', '-73.865043640136719')).toMatchObject({ status: 'valid', values: [null, -73.865043640136719, null, null, null] });
    expect(await one('d', '12345678901234567890')).toMatchObject({ status: 'valid', values: [null, Number('12345678901234567890'), null, null, null] });
    for (const text of ['1e400', '-1e400', '1e-400']) {
      const verdict = await one('d', text);
      expect(verdict.status, text).toBe('invalid');
      if (verdict.status === 'invalid') expect(verdict.reasons[0]?.message).toMatch(/range of a double|close to zero/);
    }
  });

  it('decimal, string and json columns keep every digit, and the coercion log keeps the original', async () => {
    expect(await one('dec', '12345678901234567890.123456')).toMatchObject({ status: 'valid', values: [null, null, '12345678901234567890.123456', null, null] });
    const coerced = await one('s', '1.0000000000000001');
    expect(coerced).toMatchObject({ status: 'valid', values: [null, null, null, '1.0000000000000001', null] });
    if (coerced.status === 'valid') expect(String(coerced.coercions[0]?.original)).toBe('1.0000000000000001');
    if (coerced.status === 'valid') expect(coerced.coercions[0]).toMatchObject({ from: 'double', to: 'string' });
    expect(await one('j', '{"a":[1e400,12345678901234567890,-0.5]}')).toMatchObject({ values: [null, null, null, null, '{"a":[1e400,12345678901234567890,-0.5]}'] });
  });

  it('an exact column accepts a number exactly when the stored value denotes it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(literal, async (text) => {
        const exact = exactOfNumeral(text);
        const whole = wholeValue(exact);
        const integer = await one('i', text);
        expect(integer.status === 'valid').toBe(whole !== undefined && whole >= INT64_MIN && whole <= INT64_MAX);
        if (integer.status === 'valid') expect(integer.values[0]).toBe(whole);

        const decimal = await one('dec', text);
        expect(decimal.status === 'valid').toBe(fitsScale(exact, 6) && belowPowerOfTen(exact, 32));
        if (decimal.status === 'valid') expect(exactEqual(exactOfNumeral(String(decimal.values[2])), exact)).toBe(true);

        // A string column always takes a number: logged as a coercion, whose stored text denotes it.
        const string = await one('s', text);
        expect(string.status).toBe('valid');
        if (string.status === 'valid') {
          expect(exactEqual(exactOfNumeral(String(string.values[3])), exact)).toBe(true);
          expect(string.coercions).toHaveLength(1);
          expect(exactEqual(exactOfNumeral(String(string.coercions[0]?.original)), exact)).toBe(true);
        }

        const json = await one('j', text);
        expect(json.status === 'valid' && exactEqual(exactOfNumeral(String(json.values[4])), exact)).toBe(true);

        const double = await one('d', text);
        const nearest = Number(text);
        expect(double.status === 'valid').toBe(Number.isFinite(nearest) && (nearest !== 0 || exact.n === 0n));
        if (double.status === 'valid') expect(double.values[1]).toBe(nearest);
      }),
      { numRuns: 300 },
    );
  });

  it('the profile counts a long number as the number it is, and inference keeps its digits', async () => {
    const records = await collect(ndjsonReader(streamOf('{"i":12345678901234567890}\n{"i":1.0000000000000001}\n{"x":12345678901234567890}\n'), options('p.ndjson')));
    const profiler = createProfiler(contract);
    for (const record of records) profiler.observe(record, validate(record));
    const profile = profiler.finish();
    expect(profile.keys.i?.types).toEqual({ integer: 1, double: 1 });
    expect(profile.unknownKeys.x?.inferredType).toBe('string');
    const values = records.map((record) => record.value?.i ?? record.value?.x);
    expect(inferType([values[0]])).toEqual({ name: 'string' });
    expect(inferType([values[1]])).toEqual({ name: 'double' });
  });
});
