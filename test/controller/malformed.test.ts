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
