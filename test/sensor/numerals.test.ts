import { describe, expect, it } from 'vitest';
import { canonicalNumeral, fitDecimal, splitNumeral } from '../../src/sensor/numerals.js';

describe('canonicalNumeral', () => {
  it('gives one text per number', () => {
    expect(canonicalNumeral('42.50')).toBe(canonicalNumeral('42.5'));
    expect(canonicalNumeral('42.5')).toBe(canonicalNumeral('425e-1'));
    expect(canonicalNumeral('1e+21')).toBe(canonicalNumeral('1000000000000000000000'));
    expect(canonicalNumeral('-0.00')).toBe('0');
    expect(canonicalNumeral('0')).toBe('0');
    expect(canonicalNumeral('-1.5e-7')).toBe('-15e-8');
  });

  it('tells different numbers apart', () => {
    expect(canonicalNumeral('12345678901234567890')).not.toBe(canonicalNumeral(String(Number('12345678901234567890'))));
    expect(canonicalNumeral('0.1')).not.toBe(canonicalNumeral('0.01'));
    expect(canonicalNumeral('-1')).not.toBe(canonicalNumeral('1'));
  });

  it('splits sign, digits and exponent', () => {
    expect(splitNumeral('-0012.3400')).toEqual({ negative: true, digits: '1234', exponent: -2 });
    expect(splitNumeral('1200')).toEqual({ negative: false, digits: '12', exponent: 2 });
  });
});

describe('fitDecimal', () => {
  it('pads to the scale', () => {
    expect(fitDecimal('42.5', 10, 2)).toBe('42.50');
    expect(fitDecimal('7', 10, 2)).toBe('7.00');
    expect(fitDecimal('-0.05', 10, 2)).toBe('-0.05');
    expect(fitDecimal('0', 10, 2)).toBe('0.00');
    expect(fitDecimal('-0.0', 5, 0)).toBe('0');
    expect(fitDecimal('1.5e-7', 10, 8)).toBe('0.00000015');
    expect(fitDecimal('1e3', 6, 2)).toBe('1000.00');
  });

  it('drops trailing zeros beyond the scale but never rounds', () => {
    expect(fitDecimal('42.5000', 10, 2)).toBe('42.50');
    expect(fitDecimal('42.505', 10, 2)).toBe('needs_rounding');
    expect(fitDecimal('1.5e-7', 10, 2)).toBe('needs_rounding');
  });

  it('refuses values with too many integer digits', () => {
    expect(fitDecimal('12345678.9', 10, 2)).toBe('12345678.90');
    expect(fitDecimal('123456789', 10, 2)).toBe('too_large');
    expect(fitDecimal('1e+21', 20, 0)).toBe('too_large');
    expect(fitDecimal('1e+21', 22, 0)).toBe('1000000000000000000000');
  });
});
