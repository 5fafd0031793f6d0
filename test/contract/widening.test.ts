import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TYPE_NAMES, type ColumnType } from '../../src/contract/types.js';
import {
  isLosslessWidening,
  needsApproval,
  valueFitsWidening,
  wideningKind,
  widenValue,
  type WideningKind,
} from '../../src/contract/widening.js';
import type { TypedValue } from '../../src/sensor/types.js';
import { INT64_MAX, INT64_MIN } from '../../src/sensor/values.js';

const t = (name: ColumnType['name']): ColumnType => ({ name });
const dec = (precision: number, scale: number): ColumnType => ({ name: 'decimal', precision, scale });

describe('wideningKind', () => {
  const cases: [ColumnType, ColumnType, WideningKind][] = [
    [t('integer'), t('integer'), 'same'],
    [dec(10, 2), dec(10, 2), 'same'],
    [{ name: 'decimal' }, dec(18, 0), 'same'],
    [t('integer'), t('double'), 'lossless'],
    [t('integer'), dec(19, 0), 'lossless'],
    [t('integer'), dec(21, 2), 'lossless'],
    [t('integer'), dec(20, 2), 'narrowing'],
    [t('integer'), dec(18, 0), 'narrowing'],
    [dec(10, 2), dec(12, 2), 'lossless'],
    [dec(10, 2), dec(11, 3), 'lossless'],
    [dec(10, 2), dec(10, 3), 'narrowing'],
    [dec(10, 2), dec(12, 1), 'narrowing'],
    [dec(10, 2), t('double'), 'narrowing'],
    [t('double'), t('integer'), 'narrowing'],
    [t('double'), dec(38, 10), 'narrowing'],
    [t('date'), t('timestamp'), 'lossless'],
    [t('timestamp'), t('date'), 'narrowing'],
    [t('integer'), t('string'), 'needs_approval'],
    [t('json'), t('string'), 'needs_approval'],
    [t('timestamp'), t('string'), 'needs_approval'],
    [t('string'), t('integer'), 'narrowing'],
    [t('string'), t('json'), 'narrowing'],
    [t('boolean'), t('integer'), 'narrowing'],
  ];
  it.each(cases)('%o → %o is %s', (from, to, kind) => {
    expect(wideningKind(from, to)).toBe(kind);
    expect(isLosslessWidening(from, to)).toBe(kind === 'lossless');
    expect(needsApproval(from, to)).toBe(kind === 'needs_approval');
  });

  it('checks integer → double per value: |v| ≤ 2^53 only', () => {
    expect(valueFitsWidening(2n ** 53n, t('integer'), t('double'))).toBe(true);
    expect(valueFitsWidening(-(2n ** 53n), t('integer'), t('double'))).toBe(true);
    expect(valueFitsWidening(2n ** 53n + 1n, t('integer'), t('double'))).toBe(false);
    expect(valueFitsWidening(null, t('integer'), t('double'))).toBe(true);
    expect(valueFitsWidening('1.5', dec(10, 2), t('double'))).toBe(false);
  });
});

// ---- property tests -------------------------------------------------------------------

const columnType: fc.Arbitrary<ColumnType> = fc.oneof(
  fc.constantFrom(...TYPE_NAMES.filter((name) => name !== 'decimal')).map(t),
  fc.integer({ min: 1, max: 38 }).chain((p) => fc.integer({ min: 0, max: p }).map((s) => dec(p, s))),
);

const digits = (count: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: count, maxLength: count }).map((d) => d.join(''));

/** Any value of the type, in TypedValue's convention. */
function valueOf(type: ColumnType): fc.Arbitrary<TypedValue> {
  switch (type.name) {
    case 'integer':
      return fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
    case 'double':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'decimal': {
      const p = type.precision ?? 18;
      const s = type.scale ?? 0;
      return fc.tuple(fc.boolean(), digits(p - s), digits(s)).map(([negative, int, frac]) => {
        const integer = int.replace(/^0+(?=\d)/, '') || '0';
        const text = s === 0 ? integer : `${integer}.${frac}`;
        return negative && /[1-9]/.test(text) ? `-${text}` : text;
      });
    }
    case 'date':
      return fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'timestamp':
      return fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.string();
    case 'json':
      return fc.json();
  }
}

/** The exact value a TypedValue stands for, as comparable text: numbers as exact decimals, instants in µs. */
function exact(value: TypedValue, type: ColumnType): string {
  if (value === null) return 'null';
  switch (type.name) {
    case 'integer':
    case 'timestamp':
      return String(value);
    case 'double':
      return Number.isInteger(value) ? BigInt(value as number).toString() : `double:${String(value)}`;
    case 'decimal': {
      const [int = '0', frac = ''] = String(value).replace(/^-/, '').split('.');
      const trimmed = frac.replace(/0+$/, '');
      const magnitude = `${BigInt(int).toString()}${trimmed ? `.${trimmed}` : ''}`;
      return String(value).startsWith('-') && magnitude !== '0' ? `-${magnitude}` : magnitude;
    }
    case 'date':
      return String(BigInt(Date.parse(`${value as string}T00:00:00Z`)) * 1000n);
    default:
      return `${type.name}:${String(value)}`;
  }
}

describe('widening properties', () => {
  it('a lossless widening maps every value that fits to an equal value of the target', () => {
    const pair = fc.tuple(columnType, columnType).filter(([from, to]) => isLosslessWidening(from, to));
    fc.assert(
      fc.property(pair.chain(([from, to]) => fc.tuple(fc.constant(from), fc.constant(to), valueOf(from))), ([from, to, value]) => {
        if (!valueFitsWidening(value, from, to)) {
          // Only integer → double is checked per value; every other widening takes every value.
          expect(from.name === 'integer' && to.name === 'double').toBe(true);
          return;
        }
        expect(exact(widenValue(value, from, to), to)).toBe(exact(value, from));
      }),
      { numRuns: 2000 },
    );
  });

  it('integer → double: every int64 within ±2^53 survives Number → BigInt, and no value that fits is changed', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (v) => {
        const fits = valueFitsWidening(v, t('integer'), t('double'));
        expect(fits).toBe(v >= -(2n ** 53n) && v <= 2n ** 53n);
        if (fits) expect(BigInt(widenValue(v, t('integer'), t('double')) as number)).toBe(v);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }), (v) => {
        expect(BigInt(Number(v))).toBe(v);
        expect(valueFitsWidening(v, t('integer'), t('double'))).toBe(true);
      }),
    );
  });

  it('a narrowing is never called lossless: some value of the source would not survive', () => {
    // For decimals, the largest value of the source is the witness.
    const widest = (type: ColumnType) => {
      const p = type.precision ?? 18;
      const s = type.scale ?? 0;
      return s === 0 ? '9'.repeat(p) : `${'9'.repeat(p - s) || '0'}.${'9'.repeat(s)}`;
    };
    fc.assert(
      fc.property(columnType, columnType, (from, to) => {
        if (from.name === 'decimal' && to.name === 'decimal') {
          const fits = valueFitsWidening(widest(from), from, to);
          expect(isLosslessWidening(from, to) || wideningKind(from, to) === 'same').toBe(fits || wideningKind(from, to) === 'same');
        }
        if (from.name === 'integer' && to.name === 'decimal') {
          const lossless = isLosslessWidening(from, to);
          const maxFits = String(INT64_MIN).length - 1 <= (to.precision ?? 18) - (to.scale ?? 0);
          expect(lossless).toBe(maxFits);
        }
        // Widening is one-way: two different types are never lossless in both directions.
        if (isLosslessWidening(from, to)) expect(isLosslessWidening(to, from)).toBe(false);
        // Nothing widens out of text, and nothing but integers widens into double.
        if (from.name === 'string' || from.name === 'json') expect(isLosslessWidening(from, to)).toBe(false);
        if (to.name === 'double' && from.name !== 'integer') expect(isLosslessWidening(from, to)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });
});
