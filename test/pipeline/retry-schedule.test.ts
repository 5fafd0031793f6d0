/**
 * The backoff of `watch`'s retries: doubling from the first delay, never above the cap,
 * one entry per key, and a new version of a file starting over.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retrySchedule } from '../../src/pipeline/retry-schedule.js';
import type { SourceObject } from '../../src/sources/source.js';

const object = (key: string, version = 'v1'): SourceObject => ({ key, version, size: 1, modifiedAt: new Date(0) });

describe('backoffDelay', () => {
  it('starts at the first delay, doubles, and never passes the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000 }), (initialMs, extra, attempt) => {
        const policy = { initialMs, maxMs: initialMs + extra };
        const delay = backoffDelay(policy, attempt);
        expect(backoffDelay(policy, 1)).toBe(initialMs);
        expect(delay).toBeLessThanOrEqual(policy.maxMs);
        expect(Number.isFinite(delay)).toBe(true);
        expect(backoffDelay(policy, attempt + 1)).toBe(Math.min(policy.maxMs, delay * 2));
      }),
    );
  });
});

describe('retrySchedule', () => {
  it('hands out due retries earliest first, counting attempts per key and version', () => {
    const schedule = retrySchedule({ initialMs: 1000, maxMs: 4000 });
    expect(schedule.nextAt()).toBeUndefined();
    expect(schedule.failed(object('b'), 0)).toMatchObject({ attempt: 1, delayMs: 1000, at: 1000 });
    expect(schedule.failed(object('a'), 500)).toMatchObject({ attempt: 1, at: 1500 });
    expect(schedule.nextAt()).toBe(1000);
    expect(schedule.takeDue(999)).toEqual([]);
    expect(schedule.takeDue(2000).map((r) => r.object.key)).toEqual(['b', 'a']);
    expect(schedule.nextAt()).toBeUndefined();
    expect(schedule.failed(object('b'), 2000)).toMatchObject({ attempt: 2, delayMs: 2000 });
    expect(schedule.failed(object('b'), 4000)).toMatchObject({ attempt: 3, delayMs: 4000 });
    expect(schedule.failed(object('b'), 8000)).toMatchObject({ attempt: 4, delayMs: 4000 });
    // The same version reported again keeps its count; a new version is a new file: it starts over.
    schedule.supersede(object('b'));
    expect(schedule.failed(object('b'), 8500)).toMatchObject({ attempt: 5 });
    schedule.supersede(object('b', 'v2'));
    expect(schedule.nextAt()).toBeUndefined();
    expect(schedule.failed(object('b', 'v2'), 9000)).toMatchObject({ attempt: 1, delayMs: 1000 });
    expect(schedule.failed(object('a'), 9000)).toMatchObject({ attempt: 2 });
    schedule.forget('b');
    expect(schedule.takeDue(Number.MAX_SAFE_INTEGER).map((r) => r.object.key)).toEqual(['a']);
  });

  it('keeps keys that look like object properties as plain data', () => {
    const schedule = retrySchedule();
    for (const key of ['__proto__', 'constructor', 'hasOwnProperty']) schedule.failed(object(key), 0);
    expect(schedule.takeDue(Number.MAX_SAFE_INTEGER).map((r) => r.object.key).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty']);
  });
});
