import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestampMicros, isoYear, parseIsoDate, parseIsoTimestamp } from '../../src/sensor/values.js';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** An independent oracle: the JS Date, with setUTCFullYear so that years 0–99 stay themselves. */
function oracle(parts: Parts): bigint | undefined {
  const { year, month, day, hour, minute, second, zone } = parts;
  const fraction = second === undefined ? undefined : parts.fraction; // rendered only after seconds
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || (second ?? 0) > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1) return undefined; // day beyond the month's end rolled over
  date.setUTCHours(hour, minute, second ?? 0, 0);
  if (fraction !== undefined && fraction.length > 6 && /[1-9]/.test(fraction.slice(6))) return undefined;
  let offsetMinutes = 0;
  if (zone.kind === 'offset') {
    if (zone.hours > 23 || zone.minutes > 59) return undefined;
    offsetMinutes = zone.sign * (zone.hours * 60 + zone.minutes);
  }
  const micros = fraction === undefined ? 0n : BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  return (BigInt(date.getTime()) - BigInt(offsetMinutes) * 60_000n) * 1000n + micros;
}

interface Parts {
  year: number;
  /** Write a year of 0–9999 with ISO's optional sign (`+2024`), too. */
  signed: boolean;
  month: number;
  day: number;
  separator: 'T' | ' ';
  hour: number;
  minute: number;
  second: number | undefined;
  fraction: string | undefined;
  zone: { kind: 'none' } | { kind: 'Z' } | { kind: 'offset'; sign: 1 | -1; hours: number; minutes: number; colon: boolean };
}

const parts: fc.Arbitrary<Parts> = fc.record({
  // Expanded years (BC, past 9999) within what the Date oracle can tell.
  year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1960, max: 2100 }), fc.integer({ min: -271_000, max: 275_000 })),
  signed: fc.boolean(),
  month: fc.integer({ min: 0, max: 13 }),
  day: fc.integer({ min: 0, max: 32 }),
  separator: fc.constantFrom('T' as const, ' ' as const),
  hour: fc.integer({ min: 0, max: 24 }),
  minute: fc.integer({ min: 0, max: 60 }),
  second: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
  fraction: fc.option(fc.oneof(fc.stringMatching(/^[0-9]{1,9}$/), fc.stringMatching(/^[0-9]{1,6}0{1,3}$/)), { nil: undefined }),
  zone: fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.constant({ kind: 'Z' as const }),
    fc.record({ kind: fc.constant('offset' as const), sign: fc.constantFrom(1 as const, -1 as const), hours: fc.integer({ min: 0, max: 24 }), minutes: fc.integer({ min: 0, max: 60 }), colon: fc.boolean() }),
  ),
});

function render(value: Parts): string {
  const year = value.signed && value.year >= 0 ? `+${pad(value.year, 4)}` : isoYear(value.year);
  let text = `${year}-${pad(value.month)}-${pad(value.day)}${value.separator}${pad(value.hour)}:${pad(value.minute)}`;
  if (value.second !== undefined) {
    text += `:${pad(value.second)}`;
    if (value.fraction !== undefined) text += `.${value.fraction}`;
  }
  const zone = value.zone;
  if (zone.kind === 'Z') text += 'Z';
  if (zone.kind === 'offset') text += `${zone.sign < 0 ? '-' : '+'}${pad(zone.hours)}${zone.colon ? ':' : ''}${pad(zone.minutes)}`;
  return text;
}

describe('parseIsoTimestamp', () => {
  it('agrees with the Date oracle on every shape, valid or not', () => {
    fc.assert(
      fc.property(parts, (value) => {
        expect(parseIsoTimestamp(render(value))).toBe(oracle(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads years 0–99 as themselves, not as 1900–1999', () => {
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 1);
    expect(parseIsoTimestamp('0050-01-01T00:00:00Z')).toBe(BigInt(year50.getTime()) * 1000n);
    expect(parseIsoTimestamp('0050-01-01')).toBe(parseIsoTimestamp('0050-01-01T00:00:00Z'));
  });

  it('round-trips through formatTimestampMicros', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 16n }), (micros) => {
        expect(parseIsoTimestamp(formatTimestampMicros(micros))).toBe(micros);
      }),
    );
  });

  it('refuses text that is not a timestamp', () => {
    for (const text of ['yesterday', '2024-05-01T12:30:00.1234567Z', '2024-05-01T12:30:00.', '2024-05-01T12:30:00+5', '2024-05-01T12:30:00ZZ', ' 2024-05-01T12:30:00Z', '2024-05-01T12:30:00.0000000000Z']) {
      expect(parseIsoTimestamp(text)).toBeUndefined();
    }
    expect(parseIsoTimestamp('2024-05-01T12:30:00.123456000Z')).toBe(1714566600123456n);
  });
});

describe('parseIsoDate', () => {
  it('accepts calendar dates only', () => {
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('2024-2-29')).toBeUndefined();
  });

  it("takes ISO's signed years (0000 is 1 BC, -0001 is 2 BC) and spells each date one way", () => {
    expect(parseIsoDate('0000-01-01')).toBe('0000-01-01');
    expect(parseIsoDate('-0000-01-01')).toBe('0000-01-01');
    expect(parseIsoDate('+2024-02-29')).toBe('2024-02-29');
    expect(parseIsoDate('-0001-12-31')).toBe('-0001-12-31');
    expect(parseIsoDate('-4713-11-24')).toBe('-4713-11-24');
    expect(parseIsoDate('+10000-01-01')).toBe('+10000-01-01');
    expect(parseIsoDate('+005881580-07-10')).toBeUndefined(); // more than 7 digits
    expect(parseIsoDate('-0004-02-29')).toBe('-0004-02-29'); // 5 BC was a leap year
    expect(parseIsoDate('-0001-02-29')).toBeUndefined();
    // An expanded year needs its sign: a five-digit run is a typo as often as a year.
    expect(parseIsoDate('20240-01-01')).toBeUndefined();
  });
});
