import { describe, expect, it } from 'vitest';
import { plannedActionSchema, type Action, type Plan, type PlannedAction } from '../../src/agent/actions.js';
import { createArchitect } from '../../src/agent/agent.js';
import { planRules, rulesArchitect } from '../../src/agent/rules.js';
import { isLosslessWidening } from '../../src/contract/widening.js';
import type { Finding } from '../../src/sensor/findings.js';
import { AetlError } from '../../src/util/errors.js';
import { driftContract, events, findingsOf, planInput } from './drift-batch.js';

const UUID = 'a1b2c3d4-5e6f-4a1b-9c2d-0123456789ab';

function kinds(plan: Plan): Action['kind'][] {
  return plan.actions.map((p) => p.action.kind);
}

function only<K extends Action['kind']>(plan: Plan, kind: K): PlannedAction & { action: Extract<Action, { kind: K }> } {
  const found = plan.actions.filter((p) => p.action.kind === kind);
  expect(found, `exactly one ${kind} in ${kinds(plan).join(', ')}`).toHaveLength(1);
  return found[0] as PlannedAction & { action: Extract<Action, { kind: K }> };
}

describe('planRules: new keys', () => {
  it('adds a column with the type inferred from every observed value, then replays', () => {
    const plan = planRules(planInput(driftContract(), events(40, (e, i) => void (e.retries = i % 3))));
    expect(kinds(plan)).toEqual(['add_column', 'replay']);
    const add = only(plan, 'add_column');
    expect(add.action).toEqual({ kind: 'add_column', column: 'retries', type: { name: 'integer' } });
    expect(add.confidence).toBeGreaterThanOrEqual(0.85);
    expect(add.evidence).toMatchObject({ count: 40, share: 1, inferredType: 'integer' });
  });

  it('adds a string column with lower confidence when only string holds mixed values', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e, i) => void (e.ref = i % 2 === 0 ? i : `r${i}`))));
    const add = only(plan, 'add_column');
    expect(add.action.type).toEqual({ name: 'string' });
    expect(add.confidence).toBeLessThanOrEqual(0.6);
  });

  it('follows evolution.new_column: quarantine, ignore, fail', () => {
    const batch = events(10, (e) => void (e.session_id = 'sess_1'));
    const quarantine = planRules(planInput(driftContract({ new_column: 'quarantine' }), batch));
    expect(quarantine.actions.map((p) => p.action)).toEqual([{ kind: 'quarantine', column: 'session_id', reason: 'contract evolution.new_column = quarantine' }]);
    const ignore = planRules(planInput(driftContract({ new_column: 'ignore' }), batch));
    expect(kinds(ignore)).toEqual(['no_op']);
    const fail = planRules(planInput(driftContract({ new_column: 'fail' }), batch));
    expect(kinds(fail)).toEqual(['halt']);
    expect(only(fail, 'halt').action.reason).toContain('session_id');
  });

  it('halts instead of adding a column whose name equals an existing one up to case', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e) => void (e.Device = 'ios'))));
    expect(kinds(plan)).toEqual(['halt']);
    expect(only(plan, 'halt').evidence).toMatchObject({ column: 'Device', similarColumn: 'device' });
  });
});

describe('planRules: type changes', () => {
  const floats = events(20, (e, i) => void (e.quantity = i % 2 === 0 ? 2 : 2.5));

  it('widens integer → double when fractional numbers arrive and silver stays exact', () => {
    const plan = planRules(planInput(driftContract(), floats, { quantity: { rows: 1000, min: 1, max: 9 } }));
    expect(kinds(plan)).toEqual(['widen_type', 'replay']);
    const widen = only(plan, 'widen_type');
    expect(widen.action).toEqual({ kind: 'widen_type', column: 'quantity', from: { name: 'integer' }, to: { name: 'double' } });
    expect(isLosslessWidening(widen.action.from, widen.action.to)).toBe(true);
    expect(widen.evidence).toMatchObject({ count: 10, share: 0.5, columnStats: { max: 9 } });
  });

  it('does not widen integer → double when a stored value is beyond 2^53', () => {
    for (const stats of [{ rows: 5, min: 0, max: 2 ** 53 + 2 }, { rows: 5, min: -(2 ** 60), max: 3 }]) {
      const plan = planRules(planInput(driftContract(), floats, { quantity: stats }));
      expect(kinds(plan)).toEqual(['halt']);
      expect(only(plan, 'halt').action.reason).toMatch(/2\^53/);
    }
  });

  it('widens date → timestamp when timestamps arrive in a date column', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e) => void (e.signup_date = '2024-01-15T08:30:00Z'))));
    expect(only(plan, 'widen_type').action).toEqual({ kind: 'widen_type', column: 'signup_date', from: { name: 'date' }, to: { name: 'timestamp' } });
  });

  it('widens decimal(p,s) to the digits the values need', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e) => void (e.price = 123456789.125))));
    const widen = only(plan, 'widen_type');
    expect(widen.action.to).toEqual({ name: 'decimal', precision: 12, scale: 3 });
    expect(isLosslessWidening(widen.action.from, widen.action.to)).toBe(true);
  });

  it('halts on an incompatible type and offers widening to string as a low-confidence option', () => {
    const plan = planRules(planInput(driftContract(), events(20, (e, i) => void (e.user_id = i < 10 ? UUID : 7))));
    expect(kinds(plan)).toEqual(['halt', 'widen_type', 'replay']);
    const stop = only(plan, 'halt');
    expect(stop.action.reason).toContain('user_id');
    expect(stop.evidence).toMatchObject({ column: 'user_id', contractType: 'integer', count: 10, share: 0.5 });
    expect(JSON.stringify(stop.evidence.samples)).toContain(UUID);
    const option = only(plan, 'widen_type');
    expect(option.action).toEqual({ kind: 'widen_type', column: 'user_id', from: { name: 'integer' }, to: { name: 'string' } });
    expect(option.confidence).toBeLessThanOrEqual(0.3);
  });

  it('follows evolution.type_change: quarantine and fail', () => {
    const quarantine = planRules(planInput(driftContract({ type_change: 'quarantine' }), floats));
    expect(quarantine.actions.map((p) => p.action)).toEqual([{ kind: 'quarantine', column: 'quantity', reason: 'contract evolution.type_change = quarantine' }]);
    const fail = planRules(planInput(driftContract({ type_change: 'fail' }), floats));
    expect(kinds(fail)).toEqual(['halt']);
  });

  it('turns on coercion when every offending value converts losslessly and coercion is off', () => {
    const plan = planRules(planInput(driftContract({ coercion: 'off' }), events(10, (e, i) => void (e.user_id = String(100 + i)))));
    expect(kinds(plan)).toEqual(['coerce', 'replay']);
    expect(only(plan, 'coerce').action).toEqual({ kind: 'coerce', column: 'user_id', to: 'integer' });
  });
});

describe('planRules: renames', () => {
  const renamed = events(30, (e) => {
    e.device_type = e.device;
    delete e.device;
  });

  it('maps device_type onto device with high confidence and its evidence', () => {
    const plan = planRules(planInput(driftContract(), renamed));
    expect(kinds(plan)).toEqual(['rename_column', 'replay']);
    const rename = only(plan, 'rename_column');
    expect(rename.action).toEqual({ kind: 'rename_column', from: 'device_type', to: 'device' });
    expect(rename.confidence).toBeGreaterThanOrEqual(0.9);
    expect(rename.evidence).toMatchObject({ from: 'device_type', to: 'device', keyRecords: 30, inferredType: 'string', contractType: 'string' });
  });

  it('does not halt for the missing required column the rename explains', () => {
    const contract = driftContract({}, { device: { required: true } });
    const input = planInput(contract, renamed);
    expect(input.findings.map((f) => f.kind)).toContain('missing_required');
    const plan = planRules(input);
    expect(kinds(plan)).toEqual(['rename_column', 'replay']);
    expect(only(plan, 'rename_column').evidence.columnMissingRequired).toEqual({ count: 30, share: 1 });
  });

  it('rates a case-only rename higher than a word added', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e) => {
      e.Device = e.device;
      delete e.device;
    })));
    expect(only(plan, 'rename_column').action).toEqual({ kind: 'rename_column', from: 'Device', to: 'device' });
    expect(only(plan, 'rename_column').confidence).toBe(0.95);
  });

  it('with evolution.rename off adds the key as a column and halts on the required column it lacks', () => {
    const contract = driftContract({ rename: 'off' }, { device: { required: true } });
    const plan = planRules(planInput(contract, renamed));
    expect(kinds(plan)).toEqual(['halt', 'add_column', 'replay']);
    expect(only(plan, 'add_column').evidence).toMatchObject({ renameOf: 'device', renameNotProposed: 'contract evolution.rename = off' });
  });

  it('does not rename a key whose values do not fit the column', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e) => {
      e.qty = { unit: 'kg' };
      delete e.quantity;
    })));
    // `qty` is an abbreviation of `quantity`, but an object does not fit an integer column.
    expect(kinds(plan)).toEqual(['add_column', 'replay']);
    expect(only(plan, 'add_column').action.type).toEqual({ name: 'json' });
  });
});

describe('planRules: enums and findings without a fix', () => {
  it('extends an enum with the persistent new values', () => {
    const plan = planRules(planInput(driftContract(), events(20, (e, i) => void (e.event_type = i < 4 ? 'share' : 'click'))));
    const extend = only(plan, 'extend_enum');
    expect(extend.action).toEqual({ kind: 'extend_enum', column: 'event_type', values: ['share'] });
    expect(extend.confidence).toBeGreaterThanOrEqual(0.8);
    expect(kinds(plan)).toEqual(['extend_enum', 'replay']);
  });

  it('is less confident when many distinct new values appear', () => {
    const plan = planRules(planInput(driftContract(), events(20, (e, i) => void (e.event_type = `kind_${i % 8}`))));
    const extend = only(plan, 'extend_enum');
    expect(extend.action.values).toHaveLength(8);
    expect(extend.confidence).toBeLessThan(0.5);
  });

  it('halts on a sustained missing required column, with the evidence', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e, i) => {
      if (i < 6) delete e.event_timestamp;
    })));
    expect(kinds(plan)).toEqual(['halt']);
    const stop = only(plan, 'halt');
    expect(stop.action.reason).toContain('event_timestamp');
    expect(stop.evidence).toMatchObject({ finding: 'missing_required', column: 'event_timestamp', count: 6, share: 0.6, required: true });
  });

  it('opens the circuit once with every cause when several findings have no fix', () => {
    const plan = planRules(planInput(driftContract(), events(10, (e) => {
      delete e.event_timestamp;
      e.user_id = -5;
    })));
    expect(kinds(plan)).toEqual(['halt']);
    const stop = only(plan, 'halt');
    expect(stop.action.reason).toContain('event_timestamp');
    expect(stop.action.reason).toContain('user_id');
    expect(stop.evidence.causes).toHaveLength(2);
  });

  it('plans no_op when there is nothing to fix', () => {
    const plan = planRules({ table: 'events', contract: driftContract(), findings: [], columnStats: {} });
    expect(kinds(plan)).toEqual(['no_op']);
    const coerced: Finding = { kind: 'coercion', column: 'user_id', to: 'integer', count: 3, share: 0.3, samples: ['1'] };
    expect(kinds(planRules({ table: 'events', contract: driftContract(), findings: [coerced], columnStats: {} }))).toEqual(['no_op']);
  });
});

describe('planRules: every plan', () => {
  const batch = events(30, (e, i) => {
    e.device_type = e.device;
    delete e.device;
    e.session_id = `s${i}`;
    e.quantity = 1.5;
    if (i < 10) e.user_id = UUID;
    if (i < 5) e.event_type = 'share';
  });

  it('is deterministic, schema-valid, explained, and ends with one replay', () => {
    const input = planInput(driftContract(), batch, { quantity: { rows: 3, min: 1, max: 4 } });
    const plan = planRules(input);
    expect(planRules(input)).toEqual(plan);
    expect(plan.brain).toBe('rules');
    for (const planned of plan.actions) {
      expect(plannedActionSchema.parse(planned)).toEqual(planned);
      expect(planned.rationale.length).toBeGreaterThan(10);
      expect(Object.keys(planned.evidence).length).toBeGreaterThan(0);
    }
    expect(kinds(plan).at(-1)).toBe('replay');
    expect(kinds(plan).filter((k) => k === 'replay')).toHaveLength(1);
    expect(new Set(kinds(plan))).toEqual(new Set(['extend_enum', 'halt', 'widen_type', 'rename_column', 'add_column', 'replay']));
  });

  it('does not plan the same change twice for a finding listed twice', () => {
    const findings = findingsOf(driftContract(), events(10, (e) => void (e.session_id = 'x')));
    const plan = planRules({ table: 'events', contract: driftContract(), findings: [...findings, ...findings], columnStats: {} });
    expect(kinds(plan)).toEqual(['add_column', 'replay']);
  });
});

describe('createArchitect', () => {
  it('gives the rules brain, whose plan is planRules', async () => {
    const input = planInput(driftContract(), events(5, (e) => void (e.session_id = 'x')));
    const architect = createArchitect('rules');
    expect(architect.brain).toBe('rules');
    expect(await architect.plan(input)).toEqual(planRules(input));
    expect(await rulesArchitect().plan(input)).toEqual(planRules(input));
  });

  it('refuses the llm brain, which is not built yet', () => {
    expect(() => createArchitect('llm')).toThrow(AetlError);
    expect(() => createArchitect('llm')).toThrow(/not built yet/);
  });
});
