import { describe, expect, it } from 'vitest';
import { createRandom, mix32 } from '../../src/chaos/random.js';

describe('createRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: number | string) => {
      const r = createRandom(seed);
      return Array.from({ length: 50 }, () => r.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).toEqual(draw('42'));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int, pick, chance and hex within their promises', () => {
    const r = createRandom('bounds');
    const ints = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const n = r.int(-2, 3);
      expect(Number.isInteger(n) && n >= -2 && n <= 3).toBe(true);
      ints.add(n);
      const f = r.next();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect([...ints].sort()).toEqual([-1, -2, 0, 1, 2, 3]);
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
    expect(r.hex(13)).toMatch(/^[0-9a-f]{13}$/);
    const picks = new Set(Array.from({ length: 200 }, () => r.pick(['a', 'b', 'c'])));
    expect(picks).toEqual(new Set(['a', 'b', 'c']));
  });

  it('hits a probability within tolerance', () => {
    const r = createRandom(7);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (r.chance(0.3)) hits += 1;
    expect(Math.abs(hits / 20_000 - 0.3)).toBeLessThan(0.015);
  });
});

describe('mix32', () => {
  it('never maps two counters to the same value', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) seen.add(mix32(i));
    expect(seen.size).toBe(200_000);
  });
});
