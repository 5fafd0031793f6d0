import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, looseName, nearest } from '../../src/config/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('warehouse', 'wharehouse')).toBe(1);
    expect(editDistance('flaw', 'lawn')).toBe(2);
  });
});

describe('nearest', () => {
  const keys = ['pipeline', 'source', 'format', 'warehouse', 'contract', 'max_line_bytes', 'policy', 'controller'];

  it('finds typos and other spellings of a key', () => {
    expect(nearest('wharehouse', keys)).toBe('warehouse');
    expect(nearest('Max-Line-Bytes', keys)).toBe('max_line_bytes');
    expect(nearest('contrct', keys)).toBe('contract');
    expect(nearest('controler', keys)).toBe('controller');
  });

  it('offers nothing when no key is close', () => {
    expect(nearest('retries', keys)).toBeUndefined();
    expect(nearest('x', keys)).toBeUndefined();
    expect(didYouMean('retries', keys)).toBe('');
    expect(didYouMean('fromat', keys)).toBe(' — did you mean `format`?');
  });

  it('compares without case or separators', () => {
    expect(looseName('Fare_Amt')).toBe(looseName('fare-amt'));
    expect(looseName('Pickup DateTime')).toBe('pickupdatetime');
  });
});
