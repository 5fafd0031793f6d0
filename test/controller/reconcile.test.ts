import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_CONFIG } from '../../src/controller/config.js';
import { initialControl, observeBatch } from '../../src/controller/controller.js';
import { reconcile, type ControlTarget } from '../../src/controller/reconcile.js';
import type { HealthState, TableControl } from '../../src/controller/types.js';
import { batchOf, typeMismatch, unknownColumn } from './fixtures.js';

const config = DEFAULT_CONTROLLER_CONFIG;
const KEYS = ['unknown_column:a', 'type_mismatch:b', 'enum_violation:c'];

const controlArb: fc.Arbitrary<TableControl> = fc.record({
  table: fc.constant('events'),
  state: fc.constantFrom<HealthState>('healthy', 'degraded', 'healing', 'halted'),
  ewma: fc.double({ min: 0, max: 1, noNaN: true }),
  batches: fc.nat(100),
  recent: fc.array(
    fc.integer({ min: 1, max: 500 }).chain((records) =>
      fc.record({
        records: fc.constant(records),
        quarantined: fc.integer({ min: 0, max: records }),
        counts: fc.dictionary(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: records })),
      }),
    ),
    { maxLength: 5 },
  ),
});
const targetArb = fc.constantFrom<ControlTarget>('halted', 'healing', 'settled');

const agrees = (state: HealthState, target: ControlTarget) => (target === 'settled' ? state === 'healthy' || state === 'degraded' : state === target);

describe('reconcile', () => {
  it('always ends in the state the target calls for, logs a transition exactly when the state changed, and is idempotent', () => {
    fc.assert(
      fc.property(controlArb, targetArb, fc.subarray(KEYS), (control, target, forget) => {
        const step = reconcile(control, target, config, 'why', forget);
        expect(agrees(step.next.state, target)).toBe(true);
        expect(step.transitions.length).toBe(step.next.state === control.state ? 0 : 1);
        for (const t of step.transitions) expect(t).toMatchObject({ from: control.state, to: step.next.state });
        const again = reconcile(step.next, target, config, 'why', forget);
        expect(again.transitions).toEqual([]);
        expect(again.next.state).toBe(step.next.state);
      }),
    );
  });

  it('forgets only the given keys, never below zero records, and keeps everything else', () => {
    fc.assert(
      fc.property(controlArb, targetArb, fc.subarray(KEYS, { minLength: 1 }), (control, target, forget) => {
        const { next } = reconcile(control, target, config, 'why', forget);
        expect(next.recent).toHaveLength(control.recent.length);
        next.recent.forEach((batch, i) => {
          const before = control.recent[i]!;
          for (const key of forget) expect(batch.counts[key]).toBeUndefined();
          for (const key of Object.keys(before.counts).filter((k) => !forget.includes(k))) expect(batch.counts[key]).toBe(before.counts[key]);
          expect(batch.quarantined).toBeGreaterThanOrEqual(0);
          expect(batch.quarantined).toBeLessThanOrEqual(before.quarantined);
        });
        expect(next.table).toBe(control.table);
        expect(next.batches).toBe(control.batches);
      }),
    );
  });

  it('settles a healing table by its EWMA, and leaves a settled one to the hysteresis band', () => {
    expect(reconcile({ ...initialControl('events'), state: 'healing', ewma: 0.5 }, 'settled', config, 'rejected').next.state).toBe('degraded');
    expect(reconcile({ ...initialControl('events'), state: 'halted', ewma: 0 }, 'settled', config, 'resumed').transitions[0]?.reason).toMatch(/^resumed; quarantine rate EWMA/);
    // Just above the setpoint but inside the band: a healthy table stays healthy.
    expect(reconcile({ ...initialControl('events'), state: 'healthy', ewma: config.setpoint + config.band / 2 }, 'settled', config, 'x').next.state).toBe('healthy');
  });
});

describe('pending drift', () => {
  const source = (n: number) => ({ key: `f${n}.ndjson`, fileId: `id-${n}`, contractVersion: 1 });

  it('remembers each file whose batch showed drift, until the healing loop takes it', () => {
    const drifting = observeBatch(initialControl('events'), { ...batchOf(100, [unknownColumn('session_id', 100, 100)]), source: source(1) }, config, 0.05);
    expect(drifting.drift).toHaveLength(1);
    expect(drifting.next.pending).toEqual([{ ...source(1), drift: drifting.drift }]);
    // A batch without drift keeps what is pending, and adds nothing.
    const clean = observeBatch(drifting.next, { ...batchOf(100), source: source(2) }, config, 0.05);
    expect(clean.next.pending).toEqual(drifting.next.pending);
    // Noise (one poison pill) is not drift: nothing pending for it.
    expect(observeBatch(initialControl('events'), { ...batchOf(1000, [typeMismatch('amount', 1, 1000)]), source: source(3) }, config, 0.05).next.pending).toBeUndefined();
  });

  it('keeps at most the newest 50 files', () => {
    let control = initialControl('events');
    for (let n = 0; n < 60; n += 1) control = observeBatch(control, { ...batchOf(100, [unknownColumn('session_id', 100, 100)]), source: source(n) }, config, 0.05).next;
    expect(control.pending).toHaveLength(50);
    expect(control.pending?.[0]?.fileId).toBe('id-10');
  });
});
