import { describe, expect, it } from 'vitest';
import { dismissed, halt, healed, initialControl, observeBatch, resume } from '../../src/controller/controller.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../../src/controller/config.js';
import type { ControllerConfig, TableControl } from '../../src/controller/types.js';
import { batchOf, coercion, enumViolation, malformed, typeMismatch, unknownColumn } from './fixtures.js';

const config: ControllerConfig = { ...DEFAULT_CONTROLLER_CONFIG };
const THRESHOLD = 0.05;

function feed(control: TableControl, batches: ReturnType<typeof batchOf>[]): TableControl {
  let current = control;
  for (const batch of batches) current = observeBatch(current, batch, config, THRESHOLD).next;
  return current;
}

function clean(n: number, records = 1000): ReturnType<typeof batchOf>[] {
  return Array.from({ length: n }, () => batchOf(records));
}

describe('observeBatch: rate, EWMA and memory', () => {
  it('starts healthy with nothing remembered', () => {
    expect(initialControl('events')).toEqual({ table: 'events', state: 'healthy', ewma: 0, batches: 0, recent: [] });
  });

  it('takes the first batch rate as the EWMA, then weighs each batch by alpha', () => {
    const first = observeBatch(initialControl('events'), { records: 200, quarantined: 10, findings: [] }, config, THRESHOLD);
    expect(first.rate).toBe(0.05);
    expect(first.next.ewma).toBe(0.05);
    const second = observeBatch(first.next, { records: 100, quarantined: 0, findings: [] }, config, THRESHOLD);
    expect(second.rate).toBe(0);
    expect(second.next.ewma).toBeCloseTo(0.7 * 0.05, 12);
    expect(second.next.batches).toBe(2);
  });

  it('lets an empty batch change nothing but the batch count', () => {
    const before = feed(initialControl('events'), [batchOf(1000, [typeMismatch('user_id', 30, 1000)])]);
    const step = observeBatch(before, { records: 0, quarantined: 0, findings: [] }, config, THRESHOLD);
    expect(step.next).toEqual({ ...before, batches: before.batches + 1 });
    expect(step.rate).toBe(0);
    expect(step.transitions).toEqual([]);
  });

  it('remembers the last `window` batches with their counts per finding key, oldest first', () => {
    let control = initialControl('events');
    for (let i = 1; i <= 7; i += 1) control = feed(control, [batchOf(1000 * i, [malformed(i, 1000 * i)])]);
    expect(control.recent.map((batch) => batch.records)).toEqual([3000, 4000, 5000, 6000, 7000]);
    expect(control.recent[4]).toEqual({ records: 7000, quarantined: 7, counts: { 'malformed:*': 7 } });
  });

  it('does not count coercions as deviations: their records reached silver', () => {
    const step = observeBatch(initialControl('events'), batchOf(100, [coercion('user_id', 100, 100)]), config, THRESHOLD);
    expect(step.drift).toEqual([]);
    expect(step.noise).toEqual([]);
    expect(step.next.recent[0]?.counts).toEqual({});
    expect(step.next.state).toBe('healthy');
  });

  it('does not change its input', () => {
    const control = feed(initialControl('events'), [batchOf(1000, [typeMismatch('user_id', 5, 1000)])]);
    const copy = structuredClone(control);
    observeBatch(control, batchOf(1000, [unknownColumn('session_id', 1000, 1000)]), config, THRESHOLD);
    halt(control, 'x');
    healed(control, ['type_mismatch:user_id'], config);
    expect(control).toEqual(copy);
  });
});

describe('observeBatch: drift or noise', () => {
  it('makes a new column in every record of the first file drift at once, and the table healing', () => {
    const step = observeBatch(initialControl('events'), batchOf(500, [unknownColumn('session_id', 500, 500)]), config, THRESHOLD);
    expect(step.drift.map((f) => f.kind)).toEqual(['unknown_column']);
    expect(step.next.state).toBe('healing');
    expect(step.transitions).toEqual([{ from: 'healthy', to: 'healing', reason: 'drift: unknown_column:session_id in 100% of the window' }]);
  });

  it('makes a change in 20% of a file drift in that file even after a long clean history', () => {
    const history = feed(initialControl('events'), clean(5, 100_000));
    const step = observeBatch(history, batchOf(1000, [enumViolation('event_type', 200, 1000)]), config, THRESHOLD);
    expect(step.drift).toHaveLength(1);
    expect(step.transitions[0]?.reason).toBe('drift: enum_violation:event_type in 20% of this batch');
  });

  it('keeps one bad record among thousands noise, in every file, forever', () => {
    let control = initialControl('events');
    for (let i = 0; i < 50; i += 1) {
      const step = observeBatch(control, batchOf(5000, [typeMismatch('user_id', 1, 5000)]), config, THRESHOLD);
      expect(step.drift).toEqual([]);
      expect(step.noise).toHaveLength(1);
      expect(step.transitions).toEqual([]);
      control = step.next;
    }
    expect(control.state).toBe('healthy');
  });

  it('makes a deviation below the threshold drift when it persists in `persistence` batches in a row', () => {
    const deviation = (): ReturnType<typeof batchOf> => batchOf(1000, [typeMismatch('amount', 30, 1000)]);
    let control = initialControl('events');
    const first = observeBatch(control, deviation(), config, THRESHOLD);
    const second = observeBatch(first.next, deviation(), config, THRESHOLD);
    const third = observeBatch(second.next, deviation(), config, THRESHOLD);
    expect([first.drift.length, second.drift.length, third.drift.length]).toEqual([0, 0, 1]);
    expect(third.transitions.at(-1)).toEqual({
      from: second.next.state,
      to: 'healing',
      reason: 'drift: type_mismatch:amount in each of the last 3 batches (above 2.5%)',
    });
    // Interrupted by a clean batch, the same deviation starts counting again.
    control = feed(initialControl('events'), [deviation(), deviation(), batchOf(1000), deviation()]);
    expect(control.state).not.toBe('healing');
  });

  it('keeps a steady deviation below half the threshold noise however long it lasts', () => {
    let control = initialControl('events');
    for (let i = 0; i < 20; i += 1) {
      const step = observeBatch(control, batchOf(1000, [typeMismatch('amount', 24, 1000)]), config, THRESHOLD);
      expect(step.drift).toEqual([]);
      control = step.next;
    }
  });

  it('keeps a drift judged as such while its share of the window stays above the threshold', () => {
    const start = observeBatch(initialControl('events'), batchOf(1000, [unknownColumn('session_id', 400, 1000)]), config, THRESHOLD);
    const later = observeBatch(start.next, batchOf(1000, [unknownColumn('session_id', 10, 1000)]), config, THRESHOLD);
    expect(later.drift).toHaveLength(1);
  });

  it('names every drifting finding in one transition', () => {
    const step = observeBatch(
      initialControl('events'),
      batchOf(100, [unknownColumn('session_id', 100, 100), typeMismatch('quantity', 30, 100), malformed(1, 1000)]),
      config,
      THRESHOLD,
    );
    expect(step.transitions).toHaveLength(1);
    expect(step.transitions[0]?.reason).toBe('drift: unknown_column:session_id in 100% of the window; type_mismatch:quantity in 30% of the window');
    expect(step.noise.map((f) => f.kind)).toEqual(['malformed']);
  });

  it('stays healing through later batches, drifting or clean: one episode, one incident', () => {
    let control = observeBatch(initialControl('events'), batchOf(1000, [unknownColumn('session_id', 1000, 1000)]), config, THRESHOLD).next;
    for (const batch of [batchOf(1000, [unknownColumn('session_id', 1000, 1000)]), batchOf(1000), ...clean(10)]) {
      const step = observeBatch(control, batch, config, THRESHOLD);
      expect(step.transitions).toEqual([]);
      control = step.next;
    }
    expect(control.state).toBe('healing');
  });
});

describe('observeBatch: hysteresis', () => {
  it('degrades above setpoint + band with a readable reason', () => {
    const step = observeBatch(initialControl('events'), { records: 1000, quarantined: 75, findings: [malformed(75, 1000)] }, config, 0.1);
    expect(step.next.state).toBe('degraded');
    expect(step.transitions).toEqual([{ from: 'healthy', to: 'degraded', reason: 'quarantine rate EWMA 7.5% above setpoint 2% + band 1%' }]);
  });

  it('stays healthy up to setpoint + band', () => {
    const control = feed(initialControl('events'), [{ records: 1000, quarantined: 30, findings: [] }]);
    expect(control.ewma).toBeCloseTo(0.03, 12);
    expect(control.state).toBe('healthy');
  });

  it('recovers only below setpoint − band', () => {
    let control = feed(initialControl('events'), [{ records: 1000, quarantined: 100, findings: [] }]);
    expect(control.state).toBe('degraded');
    // Clean batches: the EWMA decays by 0.7 each time; 0.1·0.7^6 ≈ 1.18% is still degraded, 0.7^7 ≈ 0.82% is not.
    for (let i = 0; i < 6; i += 1) control = feed(control, clean(1));
    expect(control.ewma).toBeGreaterThan(0.01);
    expect(control.ewma).toBeLessThan(0.02);
    expect(control.state).toBe('degraded');
    const step = observeBatch(control, batchOf(1000), config, THRESHOLD);
    expect(step.next.state).toBe('healthy');
    expect(step.transitions).toEqual([{ from: 'degraded', to: 'healthy', reason: 'quarantine rate EWMA 0.824% below setpoint 2% − band 1%' }]);
  });

  it('can leave degraded with a zero setpoint once nothing is quarantined any more', () => {
    const zero: ControllerConfig = { ...config, setpoint: 0, band: 0.01 };
    let control = observeBatch(initialControl('events'), { records: 100, quarantined: 50, findings: [] }, zero, THRESHOLD).next;
    expect(control.state).toBe('degraded');
    let steps = 0;
    while (control.state === 'degraded' && steps < 200) {
      control = observeBatch(control, batchOf(100), zero, THRESHOLD).next;
      steps += 1;
    }
    expect(control.state).toBe('healthy');
    expect(control.ewma).toBeLessThan(1e-6);
  });
});

describe('halt, resume, healed', () => {
  it('halts from any state, once, with the reason given', () => {
    const healing = feed(initialControl('events'), [batchOf(100, [typeMismatch('user_id', 100, 100)])]);
    const halted = halt(healing, 'user_id holds UUID strings; no lossless fix');
    expect(halted.next.state).toBe('halted');
    expect(halted.transitions).toEqual([{ from: 'healing', to: 'halted', reason: 'halted: user_id holds UUID strings; no lossless fix' }]);
    expect(halt(halted.next, 'again').transitions).toEqual([]);
  });

  it('stays halted whatever the batch, judging the data by what the sensor found, not by the open circuit', () => {
    let control = halt(initialControl('events'), 'no safe fix').next;
    // The circuit quarantines all 1000 records; only 10 are actually wrong.
    const step = observeBatch(control, { records: 1000, quarantined: 1000, findings: [malformed(10, 1000)] }, config, THRESHOLD);
    expect(step.rate).toBe(0.01);
    expect(step.next.state).toBe('halted');
    control = feed(step.next, [batchOf(1000, [unknownColumn('x', 1000, 1000)]), ...clean(3)]);
    expect(control.state).toBe('halted');
  });

  it('resumes to healthy or degraded by the EWMA; a no-op unless halted', () => {
    const low = halt(feed(initialControl('events'), clean(2)), 'x').next;
    expect(resume(low, config)).toEqual({
      next: { ...low, state: 'healthy' },
      transitions: [{ from: 'halted', to: 'healthy', reason: 'resumed by a person; quarantine rate EWMA 0%' }],
    });
    const high = halt(feed(initialControl('events'), [{ records: 100, quarantined: 50, findings: [] }]), 'x').next;
    const resumed = resume(high, config, 'approved by ana');
    expect(resumed.next.state).toBe('degraded');
    expect(resumed.transitions[0]?.reason).toBe('approved by ana; quarantine rate EWMA 50% above setpoint 2% + band 1%');
    const healthy = feed(initialControl('events'), clean(1));
    expect(resume(healthy, config)).toEqual({ next: healthy, transitions: [] });
  });

  it('heals: discounts the replayed records from the window and the EWMA, forgets their key', () => {
    let control = feed(initialControl('events'), clean(3));
    const step = observeBatch(control, batchOf(1000, [unknownColumn('session_id', 990, 1000), malformed(10, 1000)]), config, THRESHOLD);
    expect(step.next.state).toBe('healing');
    expect(step.next.ewma).toBeCloseTo(0.3, 12);
    const done = healed(step.next, ['unknown_column:session_id'], config);
    expect(done.next.state).toBe('healthy');
    // Mean of the four remembered rates: 0, 0, 0 and 10/1000.
    expect(done.next.ewma).toBeCloseTo(0.0025, 12);
    expect(done.next.recent.at(-1)).toEqual({ records: 1000, quarantined: 10, counts: { 'malformed:*': 10 } });
    expect(done.transitions).toEqual([{ from: 'healing', to: 'healthy', reason: 'healed unknown_column:session_id; quarantine rate EWMA 0.25%' }]);
    // The same key later starts afresh: a lone bad record is noise again.
    control = observeBatch(done.next, batchOf(5000, [unknownColumn('session_id', 1, 5000)]), config, THRESHOLD).next;
    expect(control.state).toBe('healthy');
  });

  it('heals to degraded when the rest of the window is still bad', () => {
    const control = feed(initialControl('events'), [batchOf(1000, [unknownColumn('session_id', 960, 1000), typeMismatch('amount', 40, 1000)])]);
    expect(control.state).toBe('healing');
    const done = healed(control, ['unknown_column:session_id'], config);
    expect(done.next.state).toBe('degraded');
    expect(done.next.ewma).toBeCloseTo(0.04, 12);
  });

  it('never counts below zero when a record had several reasons', () => {
    const control = feed(initialControl('events'), [
      { records: 100, quarantined: 100, findings: [unknownColumn('device_type', 100, 100), { kind: 'missing_required', column: 'device', count: 100, share: 1 }] },
    ]);
    const done = healed(control, ['unknown_column:device_type', 'missing_required:device'], config);
    expect(done.next.recent[0]?.quarantined).toBe(0);
    expect(done.next.ewma).toBe(0);
  });

  it('leaves healing without a discount when an incident is dismissed', () => {
    const control = feed(initialControl('events'), [batchOf(1000, [unknownColumn('session_id', 1000, 1000)])]);
    const done = dismissed(control, 'rejected by ana', config);
    expect(done.next).toEqual({ ...control, state: 'degraded' });
    expect(done.transitions).toEqual([{ from: 'healing', to: 'degraded', reason: 'rejected by ana; quarantine rate EWMA 100% above setpoint 2% + band 1%' }]);
    expect(dismissed(done.next, 'again', config).transitions).toEqual([]);
  });

  it('keeps a halted table halted when an incident heals', () => {
    const control = halt(feed(initialControl('events'), [batchOf(100, [typeMismatch('user_id', 100, 100)])]), 'x').next;
    const done = healed(control, ['type_mismatch:user_id'], config);
    expect(done.next.state).toBe('halted');
    expect(done.transitions).toEqual([]);
    expect(done.next.ewma).toBe(0);
  });
});
