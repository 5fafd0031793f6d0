import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS, type Action, type ActionKind, type Plan } from '../../src/agent/actions.js';
import { planRules } from '../../src/agent/rules.js';
import { TYPE_NAMES, type ColumnType, type EvolutionRules } from '../../src/contract/types.js';
import { wideningKind } from '../../src/contract/widening.js';
import { DEFAULT_POLICY, decide } from '../../src/policy/policy.js';
import type { PolicyConfig, PolicyVerdict } from '../../src/policy/types.js';
import { driftContract, events, planInput } from '../agent/drift-batch.js';

const contract = driftContract();

function planOf(...actions: Action[]): Plan {
  return { brain: 'rules', actions: actions.map((action) => ({ action, confidence: 0.9, rationale: 'test', evidence: {} })) };
}

function one(action: Action, config: PolicyConfig = {}, against = contract): { verdict: PolicyVerdict; reason: string } {
  const [decision] = decide(planOf(action), config, against);
  if (decision === undefined) throw new Error('no decision');
  expect(decision.planned.action).toEqual(action);
  return { verdict: decision.verdict, reason: decision.reason };
}

/** One valid action of every kind against driftContract(). */
const VALID: Record<ActionKind, Action> = {
  add_column: { kind: 'add_column', column: 'session_id', type: { name: 'string' } },
  widen_type: { kind: 'widen_type', column: 'quantity', from: { name: 'integer' }, to: { name: 'double' } },
  coerce: { kind: 'coerce', column: 'user_id', to: 'integer' },
  rename_column: { kind: 'rename_column', from: 'device_type', to: 'device' },
  extend_enum: { kind: 'extend_enum', column: 'event_type', values: ['share'] },
  quarantine: { kind: 'quarantine', column: 'user_id', reason: 'poison pills' },
  replay: { kind: 'replay' },
  halt: { kind: 'halt', reason: 'no safe fix' },
  resume: { kind: 'resume' },
  no_op: { kind: 'no_op', reason: 'nothing' },
};

describe('decide: defaults', () => {
  it('applies additive changes automatically and holds renames, enum extensions and resume for approval', () => {
    const decisions = decide(planOf(...ACTION_KINDS.map((kind) => VALID[kind])), {}, contract);
    expect(Object.fromEntries(decisions.map((d) => [d.planned.action.kind, d.verdict]))).toEqual({
      add_column: 'auto',
      widen_type: 'auto',
      coerce: 'auto',
      rename_column: 'approve',
      extend_enum: 'approve',
      quarantine: 'auto',
      replay: 'auto',
      halt: 'auto',
      resume: 'approve',
      no_op: 'auto',
    });
    expect(decisions.find((d) => d.planned.action.kind === 'rename_column')?.reason).toBe('policy.rename_column = approve (default)');
    expect(decisions.find((d) => d.planned.action.kind === 'add_column')?.reason).toBe('policy.add_column = auto (default)');
  });

  it('holds anything → string for approval, even when the config says auto', () => {
    const toString: Action = { kind: 'widen_type', column: 'user_id', from: { name: 'integer' }, to: { name: 'string' } };
    expect(one(toString)).toEqual({ verdict: 'approve', reason: 'policy.widen_type = approve (default for a change to string)' });
    expect(one(toString, { widen_type: 'auto' }).verdict).toBe('approve');
    expect(one(toString, { widen_type: 'auto' }).reason).toContain('always needs approval');
    expect(one(toString, { widen_type: 'deny' })).toEqual({ verdict: 'deny', reason: 'policy.widen_type = deny (config)' });
  });

  it('decides a real incompatible-type plan: halt now, string widening for a person, replay', () => {
    const plan = planRules(planInput(contract, events(10, (e) => void (e.user_id = 'a1b2c3d4-5e6f-4a1b-9c2d-0123456789ab'))));
    expect(decide(plan, {}, contract).map((d) => [d.planned.action.kind, d.verdict])).toEqual([
      ['halt', 'auto'],
      ['widen_type', 'approve'],
      ['replay', 'auto'],
    ]);
  });
});

describe('decide: config', () => {
  it('makes a kind looser or stricter', () => {
    expect(one(VALID.extend_enum, { extend_enum: 'auto' })).toEqual({ verdict: 'auto', reason: 'policy.extend_enum = auto (config)' });
    expect(one(VALID.add_column, { add_column: 'approve' })).toEqual({ verdict: 'approve', reason: 'policy.add_column = approve (config)' });
    expect(one(VALID.coerce, { coerce: 'deny' }).verdict).toBe('deny');
    expect(one(VALID.resume, { resume: 'auto' }).verdict).toBe('auto');
  });

  it('lets renames go automatically only where the contract allows it', () => {
    const auto = driftContract({ rename: 'auto' });
    expect(one(VALID.rename_column, {}, auto)).toEqual({ verdict: 'auto', reason: 'contract evolution.rename = auto' });
    expect(one(VALID.rename_column, { rename_column: 'auto' }, auto).verdict).toBe('auto');
    expect(one(VALID.rename_column, { rename_column: 'deny' }, auto).verdict).toBe('deny');
    // evolution.rename = approve is a floor the config cannot lower.
    expect(one(VALID.rename_column, { rename_column: 'auto' })).toEqual({ verdict: 'approve', reason: 'contract evolution.rename = approve' });
    expect(one(VALID.rename_column, { rename_column: 'auto' }, driftContract({ rename: 'off' }))).toEqual({ verdict: 'deny', reason: 'contract evolution.rename = off' });
  });
});

describe('decide: the contract binds', () => {
  const allAuto = Object.fromEntries(ACTION_KINDS.map((kind) => [kind, 'auto'])) as PolicyConfig;

  it('denies add_column unless evolution.new_column = evolve', () => {
    for (const mode of ['quarantine', 'ignore', 'fail'] as const) {
      expect(one(VALID.add_column, allAuto, driftContract({ new_column: mode }))).toEqual({ verdict: 'deny', reason: `contract evolution.new_column = ${mode}` });
    }
    expect(one(VALID.add_column, allAuto, driftContract({ new_column: 'evolve' })).verdict).toBe('auto');
  });

  it('denies widen_type unless evolution.type_change = widen', () => {
    for (const mode of ['quarantine', 'fail'] as const) {
      expect(one(VALID.widen_type, allAuto, driftContract({ type_change: mode }))).toEqual({ verdict: 'deny', reason: `contract evolution.type_change = ${mode}` });
    }
  });
});

describe('decide: hard rules', () => {
  const allAuto = Object.fromEntries(ACTION_KINDS.map((kind) => [kind, 'auto'])) as PolicyConfig;
  const denied: [string, Action, RegExp][] = [
    ['narrowing', { kind: 'widen_type', column: 'amount', from: { name: 'double' }, to: { name: 'integer' } }, /narrowing is never allowed/],
    ['a no-change widening', { kind: 'widen_type', column: 'quantity', from: { name: 'integer' }, to: { name: 'integer' } }, /same type/],
    ['a widen from a type the column does not have', { kind: 'widen_type', column: 'amount', from: { name: 'integer' }, to: { name: 'double' } }, /does not match .*current type double/],
    ['a widen of an unknown column', { kind: 'widen_type', column: 'nope', from: { name: 'integer' }, to: { name: 'double' } }, /not a contract column/],
    ['add_column of an existing column', { kind: 'add_column', column: 'user_id', type: { name: 'string' } }, /exists as `user_id`/],
    ['add_column of an existing column in other case', { kind: 'add_column', column: 'User_ID', type: { name: 'string' } }, /exists as `user_id`/],
    ['add_column of `__proto__`, which no contract can hold', { kind: 'add_column', column: '__proto__', type: { name: 'json' } }, /`__proto__` cannot be a column name .*aliases: \[__proto__\]/],
    ['a rename onto a column that does not exist', { kind: 'rename_column', from: 'device_type', to: 'gadget' }, /not a contract column/],
    ['a rename from a contract column', { kind: 'rename_column', from: 'amount', to: 'device' }, /itself a contract column/],
    ['extend_enum on a non-enum column', { kind: 'extend_enum', column: 'device', values: ['x'] }, /not an enum column/],
    ['a coercion that changes the type', { kind: 'coerce', column: 'user_id', to: 'string' }, /never changes it/],
    ['an identifier with NUL', { kind: 'add_column', column: 'a\u0000b', type: { name: 'string' } }, /NUL/],
    ['an empty identifier', { kind: 'quarantine', column: '  ', reason: 'x' }, /closed set|non-empty/],
    ['an action outside the closed set', { kind: 'drop_column', column: 'user_id' } as unknown as Action, /closed set/],
    ['free-form SQL', { kind: 'sql', sql: 'DROP TABLE events' } as unknown as Action, /closed set/],
    ['an action with an extra key', { kind: 'replay', sql: 'DROP TABLE events' } as unknown as Action, /closed set/],
  ];

  for (const [name, action, reason] of denied) {
    it(`denies ${name}, whatever the config says`, () => {
      const decision = one(action, allAuto, driftContract({ rename: 'auto' }));
      expect(decision.verdict).toBe('deny');
      expect(decision.reason).toMatch(/^hard rule: /);
      expect(decision.reason).toMatch(reason);
    });
  }

  const columnType: fc.Arbitrary<ColumnType> = fc.oneof(
    fc.constantFrom(...TYPE_NAMES.filter((name) => name !== 'decimal')).map((name): ColumnType => ({ name })),
    fc.integer({ min: 1, max: 38 }).chain((precision) => fc.integer({ min: 0, max: precision }).map((scale): ColumnType => ({ name: 'decimal', precision, scale }))),
  );
  const verdict = fc.constantFrom<PolicyVerdict>('auto', 'approve', 'deny');
  const config: fc.Arbitrary<PolicyConfig> = fc.record(Object.fromEntries(ACTION_KINDS.map((kind) => [kind, verdict])) as Record<ActionKind, fc.Arbitrary<PolicyVerdict>>, { requiredKeys: [] });
  const evolution: fc.Arbitrary<Partial<EvolutionRules>> = fc.record({
    new_column: fc.constantFrom('evolve', 'quarantine', 'ignore', 'fail'),
    type_change: fc.constantFrom('widen', 'quarantine', 'fail'),
    coercion: fc.constantFrom('lossless', 'off'),
    rename: fc.constantFrom('auto', 'approve', 'off'),
  });

  it('never lets a narrowing through, for any pair of types, config and contract', () => {
    const narrowing = fc.tuple(columnType, columnType).filter(([from, to]) => wideningKind(from, to) === 'narrowing');
    fc.assert(
      fc.property(narrowing, config, evolution, ([from, to], policy, rules) => {
        // The column holds `from`, so only the narrowing itself can be the reason.
        const against = driftContract(rules, { amount: { type: from } });
        const [decision] = decide(planOf({ kind: 'widen_type', column: 'amount', from, to }), policy, against);
        expect(decision?.verdict).toBe('deny');
        expect(decision?.reason).toBe('hard rule: narrowing is never allowed');
      }),
      { numRuns: 500 },
    );
  });

  it('never lets an identifier with NUL through, for any action and config', () => {
    const name = fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`);
    const action = name.chain((column) => fc.constantFrom<Action>(
      { kind: 'add_column', column, type: { name: 'string' } },
      { kind: 'rename_column', from: column, to: 'device' },
      { kind: 'quarantine', column, reason: 'x' },
      { kind: 'coerce', column, to: 'integer' },
    ));
    fc.assert(
      fc.property(action, config, (candidate, policy) => {
        expect(decide(planOf(candidate), policy, contract)[0]?.verdict).toBe('deny');
      }),
    );
  });
});

describe('DEFAULT_POLICY', () => {
  it('has a verdict for every action kind', () => {
    expect(Object.keys(DEFAULT_POLICY).sort()).toEqual([...ACTION_KINDS].sort());
  });
});

describe('names that differ only by case, added by one plan', () => {
  it('allows the first and denies the second, whatever the config', async () => {
    const { decide } = await import('../../src/policy/policy.js');
    const contract = { table: 't', primary_key: [], columns: [], evolution: { new_column: 'evolve', type_change: 'widen', coercion: 'lossless', rename: 'approve', drift_threshold: 0.05 } } as const;
    const plan = {
      brain: 'rules' as const,
      actions: [
        { action: { kind: 'add_column' as const, column: 'Foo', type: { name: 'string' as const } }, confidence: 0.9, rationale: '', evidence: {} },
        { action: { kind: 'add_column' as const, column: 'foo', type: { name: 'string' as const } }, confidence: 0.9, rationale: '', evidence: {} },
      ],
    };
    const decisions = decide(plan, { add_column: 'auto' }, structuredClone(contract) as never);
    expect(decisions.map((d) => d.verdict)).toEqual(['auto', 'deny']);
    expect(decisions[1]!.reason).toMatch(/collides with `Foo`/);
  });
});

describe('decide: max_table_columns', () => {
  const adds = (n: number): Action[] => Array.from({ length: n }, (_, i) => ({ kind: 'add_column', column: `new_${i}`, type: { name: 'string' } }));

  it('denies the add_column that would pass the limit, naming it and the fix', () => {
    const width = contract.columns.length;
    const decisions = decide(planOf(...adds(3), VALID.replay), {}, contract, { maxTableColumns: width + 2 });
    expect(decisions.map((d) => d.verdict)).toEqual(['auto', 'auto', 'deny', 'auto']);
    expect(decisions[2]?.reason).toBe(
      `max_table_columns: \`events\` would have ${width + 2} columns, the most agentic-etl.yaml allows (max_table_columns: ${width + 2}); raise max_table_columns, or set evolution.new_column: ignore to keep new keys in bronze only`,
    );
    expect(decide(planOf(...adds(1)), {}, contract, { maxTableColumns: width })[0]?.reason).toMatch(/^max_table_columns: `events` has \d+ columns/);
  });

  it('never lets a plan widen the table past the limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 20 }), (count, maxTableColumns) => {
        const allowed = decide(planOf(...adds(count)), { add_column: 'auto' }, contract, { maxTableColumns }).filter((d) => d.verdict === 'auto').length;
        expect(allowed).toBe(Math.max(0, Math.min(count, maxTableColumns - contract.columns.length)));
      }),
    );
  });
});
