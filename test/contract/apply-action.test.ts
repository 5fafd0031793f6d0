import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS, type Action } from '../../src/agent/actions.js';
import { applyAction } from '../../src/contract/apply-action.js';
import { diffContracts } from '../../src/contract/diff.js';
import { parseContract } from '../../src/contract/load-contract.js';
import { contractToJson } from '../../src/contract/serialize.js';
import type { Contract } from '../../src/contract/types.js';
import { isAetlError } from '../../src/util/errors.js';
import { arbitraryContract } from './arbitrary-contract.js';

const CONTRACT = parseContract(
  `table: events
primary_key: [event_id]
columns:
  event_id: {type: string, required: true}
  event_type: {type: string, enum: [click, view]}
  user_id: {type: integer, min: 0}
  amount: {type: "decimal(10,2)"}
  device: {type: string, aliases: [client]}
  day: {type: date}
evolution: {coercion: off}
`,
  'events.yaml',
);

/** A deep-frozen copy: any attempt to mutate it throws. */
function frozen<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (item: unknown): void => {
    if (item !== null && typeof item === 'object') {
      Object.freeze(item);
      for (const inner of Object.values(item)) freeze(inner);
    }
  };
  freeze(copy);
  return copy;
}

function refusal(contract: Contract, action: Action): string {
  try {
    applyAction(contract, action);
  } catch (error) {
    if (isAetlError(error) && error.code === 'contract_invalid') return error.message;
    throw error;
  }
  throw new Error(`expected ${action.kind} to be refused`);
}

describe('applyAction', () => {
  const input = frozen(CONTRACT);

  it('add_column appends an optional column with the trimmed name and the given type', () => {
    const { contract, changed } = applyAction(input, { kind: 'add_column', column: ' session_id ', type: { name: 'string' } });
    expect(changed).toBe(true);
    expect(diffContracts(input, contract)).toEqual([
      { kind: 'column_added', column: 'session_id', spec: { name: 'session_id', type: { name: 'string' }, required: false } },
    ]);
  });

  it('add_column refuses a name a column or an alias already has, case ignored, and a system column', () => {
    expect(refusal(input, { kind: 'add_column', column: 'User_ID', type: { name: 'integer' } })).toMatch(/`User_ID` is already column `user_id`/);
    expect(refusal(input, { kind: 'add_column', column: 'CLIENT', type: { name: 'string' } })).toMatch(/already an alias of column `device`/);
    expect(refusal(input, { kind: 'add_column', column: '_record_id', type: { name: 'string' } })).toMatch(/system column/);
  });

  it('widen_type changes the type when `from` is the current one and the change is lossless', () => {
    const { contract, changed } = applyAction(input, { kind: 'widen_type', column: 'user_id', from: { name: 'integer' }, to: { name: 'double' } });
    expect(changed).toBe(true);
    expect(diffContracts(input, contract)).toEqual([{ kind: 'type_changed', column: 'user_id', from: 'integer', to: 'double' }]);
    const decimal = applyAction(input, { kind: 'widen_type', column: 'amount', from: { name: 'decimal', precision: 10, scale: 2 }, to: { name: 'decimal', precision: 12, scale: 2 } });
    expect(decimal.contract.columns[3]?.type).toEqual({ name: 'decimal', precision: 12, scale: 2 });
  });

  it('widen_type to string leaves out bounds, which a string column cannot have', () => {
    const { contract } = applyAction(input, { kind: 'widen_type', column: 'user_id', from: { name: 'integer' }, to: { name: 'string' } });
    expect(contract.columns[2]).toEqual({ name: 'user_id', type: { name: 'string' }, required: false });
  });

  it('widen_type refuses a stale `from`, a narrowing and an unknown column', () => {
    expect(refusal(input, { kind: 'widen_type', column: 'user_id', from: { name: 'double' }, to: { name: 'string' } })).toMatch(/`user_id` is integer, not double/);
    expect(refusal(input, { kind: 'widen_type', column: 'amount', from: { name: 'decimal', precision: 10, scale: 2 }, to: { name: 'integer' } })).toMatch(/could change or lose values/);
    expect(refusal(input, { kind: 'widen_type', column: 'userid', from: { name: 'integer' }, to: { name: 'double' } })).toMatch(/no column `userid` — did you mean `user_id`/);
  });

  it('rename_column adds `from` to the aliases of `to`; the same mapping twice changes nothing', () => {
    const { contract, changed } = applyAction(input, { kind: 'rename_column', from: ' device_type ', to: 'device' });
    expect(changed).toBe(true);
    expect(contract.columns[4]?.aliases).toEqual(['client', 'device_type']);
    expect(applyAction(contract, { kind: 'rename_column', from: 'device_type', to: 'device' })).toEqual({ contract, changed: false });
  });

  it('rename_column refuses a missing target and a source name a column or another alias has', () => {
    expect(refusal(input, { kind: 'rename_column', from: 'kind', to: 'nope' })).toMatch(/no column `nope`/);
    expect(refusal(input, { kind: 'rename_column', from: 'Event_Type', to: 'device' })).toMatch(/already column `event_type`/);
    expect(refusal(input, { kind: 'rename_column', from: 'client', to: 'event_type' })).toMatch(/already an alias of column `device`/);
  });

  it('extend_enum adds new values in order, once each; no enum or nothing new changes nothing', () => {
    const { contract, changed } = applyAction(input, { kind: 'extend_enum', column: 'event_type', values: ['refund', 'view', 'gift', 'refund'] });
    expect(changed).toBe(true);
    expect(contract.columns[1]?.enum).toEqual(['click', 'view', 'refund', 'gift']);
    expect(applyAction(input, { kind: 'extend_enum', column: 'event_type', values: ['click'] })).toEqual({ contract: input, changed: false });
    expect(applyAction(input, { kind: 'extend_enum', column: 'device', values: ['ios'] })).toEqual({ contract: input, changed: false });
  });

  it('coerce turns lossless coercion on for the column only', () => {
    const { contract, changed } = applyAction(input, { kind: 'coerce', column: 'user_id', to: 'integer' });
    expect(changed).toBe(true);
    expect(diffContracts(input, contract)).toEqual([{ kind: 'coercion_changed', column: 'user_id', to: 'lossless' }]);
    expect(applyAction(contract, { kind: 'coerce', column: 'user_id', to: 'integer' }).changed).toBe(false);
    expect(refusal(input, { kind: 'coerce', column: 'user_id', to: 'double' })).toMatch(/`user_id` is integer, not double/);
  });

  it('leaves the contract alone for actions that change no schema', () => {
    const others: Action[] = [
      { kind: 'quarantine', column: 'amount', reason: 'poison pills' },
      { kind: 'replay' },
      { kind: 'halt', reason: 'cannot heal' },
      { kind: 'resume' },
      { kind: 'no_op', reason: 'noise' },
    ];
    expect(new Set([...others.map((action) => action.kind), 'add_column', 'widen_type', 'rename_column', 'extend_enum', 'coerce'])).toEqual(new Set(ACTION_KINDS));
    for (const action of others) expect(applyAction(input, action)).toEqual({ contract: input, changed: false });
  });

  it('never mutates its input, whatever the contract and the action', () => {
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ kind: fc.constant('add_column' as const), column: fc.string({ minLength: 1, maxLength: 8 }), type: fc.constant({ name: 'string' as const }) }),
      fc.record({ kind: fc.constant('extend_enum' as const), column: fc.string({ maxLength: 8 }), values: fc.array(fc.string(), { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant('rename_column' as const), from: fc.string({ minLength: 1, maxLength: 8 }), to: fc.string({ maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(arbitraryContract, action, fc.nat(), (contract, base, pick) => {
        const names = contract.columns.map((column) => column.name);
        // Aim the action at a real column half of the time.
        const target = names.length > 0 && pick % 2 === 0 ? (names[pick % names.length] as string) : undefined;
        const aimed: Action =
          target === undefined ? base : base.kind === 'extend_enum' ? { ...base, column: target } : base.kind === 'rename_column' ? { ...base, to: target } : base;
        const before = contractToJson(contract);
        try {
          applyAction(frozen(contract), aimed);
        } catch (error) {
          if (!isAetlError(error)) throw error;
        }
        expect(contractToJson(contract)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
