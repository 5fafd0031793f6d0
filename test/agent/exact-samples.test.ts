/**
 * The architect reads type-mismatch samples back as the numbers they were: a sample's text
 * is parsed as the readers parse it, so a widening is judged on the literal's digits, not
 * on a double that is not what the producer sent.
 */
import { describe, expect, it } from 'vitest';
import { parseSample } from '../../src/agent/rules-common.js';
import { exactAsDouble, widerDecimal } from '../../src/agent/rules-types.js';

describe('samples with numbers a double cannot carry', () => {
  it('are not exact as doubles, so integer → double is never judged lossless for them', () => {
    for (const sample of ['1.0000000000000001', '9007199254740993', '12345678901234567890', '1e400']) {
      expect(exactAsDouble(parseSample(sample)), sample).toBe(false);
    }
    expect(exactAsDouble(parseSample('0.1'))).toBe(true);
    expect(exactAsDouble(parseSample('0.30000000000000004'))).toBe(true);
  });

  it('size a wider decimal by their digits', () => {
    expect(widerDecimal({ name: 'decimal', precision: 10, scale: 2 }, [parseSample('1234567890.123456789012')])).toEqual({
      name: 'decimal',
      precision: 22,
      scale: 12,
    });
  });
});
