import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dismissed, halt, healed, initialControl, observeBatch, resume } from '../../src/controller/controller.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../../src/controller/config.js';
import { findingKey } from '../../src/controller/finding-key.js';
import type { ControllerConfig, TableControl } from '../../src/controller/types.js';
import type { Finding } from '../../src/sensor/findings.js';
import { batchOf, enumViolation, malformed, typeMismatch, unknownColumn } from './fixtures.js';

const THRESHOLD = 0.05;
const defaults: ControllerConfig = { ...DEFAULT_CONTROLLER_CONFIG };

const configArb: fc.Arbitrary<ControllerConfig> = fc
  .record({
    setpoint: fc.double({ min: 0, max: 0.5, noNaN: true }),
    alpha: fc.double({ min: 0.01, max: 1, noNaN: true }),
    band: fc.double({ min: 0, max: 0.2, noNaN: true }),
    window: fc.integer({ min: 2, max: 12 }),
    persistence: fc.integer({ min: 2, max: 12 }),
    min_evidence: fc.integer({ min: 1, max: 20 }),
  })
  .filter((config) => config.persistence <= config.window);

const COLUMNS = ['user_id', 'amount', 'device', 'session_id'] as const;

/** A deviation of some kind and column with `count` records in a batch of `records`. */
function deviationArb(count: fc.Arbitrary<number>, records: number): fc.Arbitrary<Finding> {
  return fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(...COLUMNS), count).map(([kind, column, n]) => {
    switch (kind) {
      case 0:
        return unknownColumn(column, n, records);
      case 1:
        return typeMismatch(column, n, records);
      case 2:
        return enumViolation(column, n, records);
      default:
        return malformed(n, records);
    }
  });
}

/** Any batch: up to 20,000 records, deviations of any size (one per key). */
const anyBatchArb = fc.integer({ min: 0, max: 20_000 }).chain((records) =>
  fc
    .array(deviationArb(fc.integer({ min: 1, max: Math.max(1, records) }), records), { maxLength: 4 })
    .map((findings) => batchOf(records, uniqueKeys(findings))),
);

function uniqueKeys(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = findingKey(finding);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Op =
  | { kind: 'batch'; batch: ReturnType<typeof batchOf> }
  | { kind: 'halt' }
  | { kind: 'resume' }
  | { kind: 'dismissed' }
  | { kind: 'healed'; keys: string[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: anyBatchArb.map((batch): Op => ({ kind: 'batch', batch })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'halt' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'resume' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'dismissed' }) },
  {
    weight: 1,
    arbitrary: fc
      .subarray(['malformed:*', ...COLUMNS.flatMap((c) => [`unknown_column:${c}`, `type_mismatch:${c}`, `enum_violation:${c}`])])
      .map((keys): Op => ({ kind: 'healed', keys })),
  },
);

function apply(control: TableControl, op: Op, config: ControllerConfig): TableControl {
  switch (op.kind) {
    case 'batch':
      return observeBatch(control, op.batch, config, THRESHOLD).next;
    case 'halt':
      return halt(control, 'no safe fix').next;
    case 'resume':
      return resume(control, config).next;
    case 'dismissed':
      return dismissed(control, 'rejected', config).next;
    case 'healed':
      return healed(control, op.keys, config).next;
  }
}

describe('controller properties', () => {
  it('(a) one bad record at most per batch of ≥ 1000 records is never drift, whatever the history', () => {
    // Pills of a few recurring keys, so that the same one shows up in batch after batch.
    const pills = (records: number): Finding[] => [malformed(1, records), typeMismatch('user_id', 1, records), unknownColumn('session_id', 1, records)];
    const pillBatch = fc
      .integer({ min: 1000, max: 100_000 })
      .chain((records) => fc.subarray(pills(records)).map((findings) => batchOf(records, findings)));
    fc.assert(
      fc.property(fc.oneof(fc.constant(defaults), configArb), fc.array(pillBatch, { minLength: 1, maxLength: 40 }), (config, batches) => {
        let control = initialControl('events');
        for (const batch of batches) {
          const step = observeBatch(control, batch, config, THRESHOLD);
          expect(step.drift).toEqual([]);
          expect(step.noise).toHaveLength(batch.findings.length);
          expect(step.transitions.filter((t) => t.to === 'healing')).toEqual([]);
          control = step.next;
        }
      }),
    );
  });

  it('(b) a deviation in ≥ 20% of a batch, with at least min_evidence records, is drift in that batch, whatever came before', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(opArb, { maxLength: 20 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.double({ min: 0.2, max: 1, noNaN: true }),
        (config, history, records, share) => {
          const control = history.reduce((c, op) => apply(c, op, config), initialControl('events'));
          const count = Math.max(1, Math.min(records, Math.ceil(share * records)));
          fc.pre(count >= config.min_evidence);
          const finding = unknownColumn('session_id', count, records);
          const step = observeBatch(control, batchOf(records, [finding]), config, THRESHOLD);
          expect(step.drift).toEqual([finding]);
          expect(step.noise).toEqual([]);
          if (control.state === 'healthy' || control.state === 'degraded') expect(step.next.state).toBe('healing');
        },
      ),
    );
  });

  it('(c) an EWMA moving within (setpoint − band, setpoint + band) never changes the state', () => {
    const bounded = configArb.filter((config) => config.setpoint - config.band > 0.001);
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(defaults), bounded),
        fc.constantFrom<'healthy' | 'degraded'>('healthy', 'degraded'),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 1000, max: 1_000_000 }), fc.double({ min: 0.01, max: 0.99, noNaN: true })), { minLength: 1, maxLength: 40 }),
        (config, state, start, batches) => {
          const lower = config.setpoint - config.band;
          const width = 2 * config.band;
          const ewma = lower + start * width;
          let control: TableControl = { ...initialControl('events'), state, ewma, batches: 1, recent: [{ records: 1000, quarantined: 0, counts: {} }] };
          for (const [records, position] of batches) {
            const quarantined = Math.round((lower + position * width) * records);
            const rate = quarantined / records;
            fc.pre(rate > lower && rate < lower + width);
            const step = observeBatch(control, { records, quarantined, findings: [] }, config, THRESHOLD);
            expect(step.transitions).toEqual([]);
            expect(step.next.state).toBe(state);
            control = step.next;
          }
        },
      ),
    );
  });

  it('(d) halted stays halted whatever happens, until resume', () => {
    const notResume = opArb.filter((op) => op.kind !== 'resume');
    fc.assert(
      fc.property(configArb, fc.array(opArb, { maxLength: 10 }), fc.array(notResume, { maxLength: 30 }), (config, before, after) => {
        let control = halt(before.reduce((c, op) => apply(c, op, config), initialControl('events')), 'no safe fix').next;
        for (const op of after) {
          control = apply(control, op, config);
          expect(control.state).toBe('halted');
        }
        const resumed = resume(control, config);
        expect(resumed.next.state).not.toBe('halted');
        expect(resumed.transitions).toHaveLength(1);
      }),
    );
  });

  it('(e) the state round-trips through JSON and remembers at most `window` batches', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { maxLength: 40 }), (config, ops) => {
        let control = initialControl('events');
        for (const op of ops) {
          control = apply(control, op, config);
          expect(JSON.parse(JSON.stringify(control))).toStrictEqual(control);
          expect(control.recent.length).toBeLessThanOrEqual(config.window);
          expect(control.ewma).toBeGreaterThanOrEqual(0);
          expect(control.ewma).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('every transition changes the state it names', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { maxLength: 40 }), (config, ops) => {
        let control = initialControl('events');
        for (const op of ops) {
          const result =
            op.kind === 'batch'
              ? observeBatch(control, op.batch, config, THRESHOLD)
              : op.kind === 'halt'
                ? halt(control, 'x')
                : op.kind === 'resume'
                  ? resume(control, config)
                  : op.kind === 'dismissed'
                    ? dismissed(control, 'rejected', config)
                    : healed(control, op.keys, config);
          if (result.next.state === control.state) expect(result.transitions).toEqual([]);
          else expect(result.transitions).toEqual([{ from: control.state, to: result.next.state, reason: expect.any(String) }]);
          control = result.next;
        }
      }),
    );
  });
});
