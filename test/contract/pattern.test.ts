/**
 * Contract patterns use RE2 (contract/pattern.ts): linear-time matching, so no value can
 * hang the validator, with the meaning a JavaScript RegExp has for the patterns people write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, type ContractPattern } from '../../src/contract/pattern.js';

function compiled(source: string): ContractPattern {
  const result = compilePattern(source);
  if ('error' in result) throw new Error(result.error);
  return result.pattern;
}

describe('compilePattern', () => {
  it('matches the whole value, alternations included', () => {
    const device = compiled('ios|android|web');
    expect(['ios', 'android', 'web'].map((v) => device.matches(v))).toEqual([true, true, true]);
    expect(['iosx', 'xweb', '', 'ios|web'].map((v) => device.matches(v))).toEqual([false, false, false, false]);
    expect(compiled('evt-[0-9a-f]+').matches('evt-00ff')).toBe(true);
    expect(compiled('^[A-Z]{3}$').matches('ABC')).toBe(true);
  });

  it('matches catastrophic-backtracking patterns in linear time', () => {
    const evil = compiled('(a+)+$');
    // JavaScript's RegExp would backtrack through 2^50 ways here; RE2 reads the value once.
    expect(evil.matches(`${'a'.repeat(50)}b`)).toBe(false);
    expect(evil.matches('a'.repeat(100_000))).toBe(true);
    expect(compiled('(x+x+)+y').matches('x'.repeat(5_000))).toBe(false);
  });

  it('refuses what RE2 cannot do, saying what', () => {
    expect(compilePattern('(a)\\1')).toEqual({ error: 'invalid escape sequence: `\\1`' });
    expect(compilePattern('a(?=b)')).toEqual({ error: expect.stringContaining('(?=') });
    expect(compilePattern('([a-z]')).toEqual({ error: expect.stringContaining('missing closing )') });
  });

  it('agrees with a JavaScript RegExp on patterns without backtracking features (property)', () => {
    const atom = fc.constantFrom('a', 'b', '[ab]', '[^a]', '\\d', '.', '(?:ab)', 'x');
    const quantified = fc.tuple(atom, fc.constantFrom('', '*', '+', '?', '{1,2}')).map(([a, q]) => a + q);
    const branch = fc.array(quantified, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));
    const pattern = fc.array(branch, { minLength: 1, maxLength: 3 }).map((branches) => branches.join('|'));
    const value = fc.string({ unit: fc.constantFrom('a', 'b', 'x', '1', ' '), maxLength: 8 });
    fc.assert(
      fc.property(pattern, fc.array(value, { maxLength: 10 }), (source, values) => {
        const re2 = compiled(source);
        const native = new RegExp(`^(?:${source})$`);
        for (const v of values) expect(re2.matches(v), `/${source}/ on ${JSON.stringify(v)}`).toBe(native.test(v));
      }),
      { numRuns: 300 },
    );
  });
});
