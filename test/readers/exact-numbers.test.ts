/**
 * The JSON readers never hand on a number other than the one written: a literal a double
 * cannot carry (`12345678901234567890`, `1.0000000000000001`, `1e400`, `1e-400`) keeps its
 * text; every plain number denotes exactly what its literal did.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonReader } from '../../src/readers/json.js';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { exactEqual, exactOfNumeral } from '../sensor/exact.js';
import { collect, options, streamOf } from './_helpers.js';

async function ndjsonValues(text: string): Promise<ReadRecord[]> {
  return collect(ndjsonReader(streamOf(text), options('exact.ndjson')));
}

async function jsonValues(text: string): Promise<ReadRecord[]> {
  return collect(jsonReader(streamOf(text), options('exact.json')));
}

/** A value the readers gave for a number denotes the literal: as a number whose shortest text does, or as the literal itself. */
function denotes(value: unknown, literal: string): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && exactEqual(exactOfNumeral(String(value)), exactOfNumeral(literal));
  return typeof value === 'object' && value !== null && String(value) === literal;
}

/** Number literals of every kind: short and long mantissas, exponents near and beyond a double's range. */
const literal = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,24}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,24}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'), fc.integer({ min: 0, max: 420 })), { nil: undefined }),
  )
  .map(([negative, integer, fraction, exponent]) => {
    let text = `${negative ? '-' : ''}${integer}`;
    if (fraction !== undefined) text += `.${fraction}`;
    if (exponent !== undefined) text += `${exponent[0]}${exponent[1]}`;
    return text;
  });

describe('exact numbers in the JSON readers', () => {
  it.each([
    ['12345678901234567890'],
    ['-9223372036854775808'],
    ['9007199254740993'],
    ['1.0000000000000001'],
    ['0.30000000000000004'],
    ['1e400'],
    ['-1E+400'],
    ['1e-400'],
    ['5e-324'],
    ['1e20'],
  ])('%s keeps its digits, in NDJSON and in a JSON array', async (text) => {
    const [line] = await ndjsonValues(`{"n":${text},"deep":{"list":[${text}]}}\n`);
    const [element] = await jsonValues(`[{"n":${text}}]`);
    for (const value of [line?.value?.n, (line?.value?.deep as { list: unknown[] }).list[0], element?.value?.n]) {
      expect(typeof value).not.toBe('number');
      expect(String(value)).toBe(text);
    }
  });

  it('numbers a double carries faithfully stay plain numbers', async () => {
    const [record] = await ndjsonValues('{"a":0,"b":-0.5,"c":1.5e3,"d":123456789012345,"e":1e-7,"f":0.0,"g":"1e400"}\n');
    expect(record?.value).toEqual({ a: 0, b: -0.5, c: 1500, d: 123456789012345, e: 1e-7, f: 0, g: '1e400' });
  });

  it('long digit runs and exponents inside strings stay strings, as written', async () => {
    const line = '{"id":"12345678901234567890","hex":"9e4f-1e5","note":"x: 1e400, y","n":7}';
    const [record] = await ndjsonValues(`${line}\n`);
    expect(record?.value).toEqual({ id: '12345678901234567890', hex: '9e4f-1e5', note: 'x: 1e400, y', n: 7 });
  });

  it('a repeated key keeps the last value, as JSON.parse does, on the exact path too', async () => {
    const [record] = await ndjsonValues('{"a":1,"b":2,"a":12345678901234567890}\n');
    expect(Object.keys(record?.value ?? {})).toEqual(['a', 'b']);
    expect(String(record?.value?.a)).toBe('12345678901234567890');
  });

  it('a `__proto__` key is an own key on the exact path too, never the prototype', async () => {
    const [record] = await ndjsonValues('{"__proto__":{"polluted":1e400},"n":12345678901234567890}\n');
    const value = record?.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('every number read denotes exactly the number its literal does (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(literal, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 20 }), async (literals, decoy) => {
        const text = `{"s":${JSON.stringify(decoy)},"n":${literals[0]},"list":[${literals.join(',')}],"o":{"m":${literals.at(-1)}}}`;
        const [record] = await ndjsonValues(`${text}\n`);
        const value = record?.value as { n: unknown; list: unknown[]; o: { m: unknown } };
        expect(record?.malformed).toBeUndefined();
        expect(denotes(value.n, literals[0] as string)).toBe(true);
        literals.forEach((lit, i) => expect(denotes(value.list[i], lit)).toBe(true));
        expect(denotes(value.o.m, literals.at(-1) as string)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reads any JSON object as JSON.parse does, apart from the numbers it keeps exact (property)', async () => {
    const withoutLiterals = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(withoutLiterals);
      if (value !== null && typeof value === 'object') {
        if (!Object.getPrototypeOf(value) || Object.getPrototypeOf(value) === Object.prototype) {
          return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutLiterals(v)]));
        }
        return Number(String(value)); // a literal: what JSON.parse makes of it
      }
      return value;
    };
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), async (object) => {
        const text = JSON.stringify(object);
        const [record] = await ndjsonValues(`${text}\n`);
        expect(withoutLiterals(record?.value)).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });
});
