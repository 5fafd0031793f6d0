import { describe, expect, it } from 'vitest';
import { initialControl, observeBatch } from '../../src/controller/controller.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../../src/controller/config.js';
import { batchOf, malformed } from './fixtures.js';

describe('malformed input', () => {
  it('is never drift, even when a whole file (or every file) is garbage, but raises the quarantine rate', () => {
    let control = initialControl('events');
    for (let i = 0; i < 6; i += 1) {
      const step = observeBatch(control, batchOf(100, [malformed(100, 100)]), DEFAULT_CONTROLLER_CONFIG, 0.05);
      expect(step.drift).toEqual([]);
      expect(step.noise.map((f) => f.kind)).toEqual(['malformed']);
      control = step.next;
    }
    expect(control.state).toBe('degraded');
    expect(control.ewma).toBeGreaterThan(0.9);
  });
});

describe('minimum evidence', () => {
  it('keeps one bad record in a tiny file noise, even at a large share, and still sees real drift', async () => {
    const { unknownColumn } = await import('./fixtures.js');
    let control = initialControl('events');
    for (let i = 0; i < 8; i += 1) {
      const step = observeBatch(control, batchOf(4, [unknownColumn('promo', 1, 4)]), DEFAULT_CONTROLLER_CONFIG, 0.05);
      expect(step.drift).toEqual([]);
      control = step.next;
    }
    let judged = 0;
    for (let i = 0; i < 4; i += 1) {
      const step = observeBatch(control, batchOf(4, [unknownColumn('session_id', 4, 4)]), DEFAULT_CONTROLLER_CONFIG, 0.05);
      if (step.drift.length > 0) judged += 1;
      control = step.next;
    }
    expect(judged).toBeGreaterThan(0); // once 10 records in the window show it
  });
});
