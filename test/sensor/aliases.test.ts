import { describe, expect, it } from 'vitest';
import { applyAction } from '../../src/contract/apply-action.js';
import type { Contract } from '../../src/contract/types.js';
import { findingsFromProfile } from '../../src/sensor/findings.js';
import { createKeyResolver } from '../../src/sensor/key-resolver.js';
import { createProfiler } from '../../src/sensor/profile.js';
import type { Verdict } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { csvRecord, eventsContract, jsonRecord, validEvent } from './fixtures.js';

/** The events contract after the agent mapped `device_type` onto `device`. */
function renamedContract(evolution = {}): Contract {
  return applyAction(eventsContract(evolution), { kind: 'rename_column', from: 'device_type', to: 'device' }).contract;
}

function withoutDevice(overrides: Record<string, unknown>): Record<string, unknown> {
  const event = validEvent(overrides);
  delete event.device;
  return event;
}

function reasonsOf(verdict: Verdict): Extract<Verdict, { status: 'invalid' }>['reasons'] {
  if (verdict.status !== 'invalid') throw new Error('expected an invalid verdict');
  return verdict.reasons;
}

describe('aliases in the key resolver', () => {
  const resolve = createKeyResolver(renamedContract().columns);

  it('resolves an alias, trimmed, to its column and says which alias it was', () => {
    expect(resolve(' device_type ', 0)).toEqual({ index: 5, name: 'device', alias: 'device_type', renameOf: undefined });
    expect(resolve('device', 1)).toEqual({ index: 5, name: 'device', alias: undefined, renameOf: undefined });
  });

  it('offers a key that differs from an alias only by case or separators as a rename of the column', () => {
    expect(resolve('Device-Type', 2)).toEqual({ index: -1, name: 'Device-Type', alias: undefined, renameOf: 'device' });
  });
});

describe('aliases in the validator', () => {
  it('validates a record with `device_type` into `device`', () => {
    const before = compileValidator(eventsContract())(jsonRecord(withoutDevice({ device_type: 'android' })));
    expect(reasonsOf(before).map((reason) => reason.kind)).toEqual(['unknown_column']);
    const after = compileValidator(renamedContract())(jsonRecord(withoutDevice({ device_type: 'android' })));
    expect(after).toEqual({ status: 'valid', values: ['evt-00ff', 1714566600000000n, 'purchase', 1234n, 42.5, 'android'], coercions: [], ignored: [] });
  });

  it('types an aliased CSV field like the column', () => {
    const verdict = compileValidator(renamedContract())(
      csvRecord({ event_id: 'evt-1', event_timestamp: '2024-05-01T12:30:00Z', user_id: '7', device_type: 'web' }),
    );
    expect(verdict.status === 'valid' && verdict.values).toEqual(['evt-1', 1714566600000000n, null, 7n, null, 'web']);
  });

  it('refuses a record holding both the column and its alias, naming both keys', () => {
    const validate = compileValidator(renamedContract());
    for (const record of [validEvent({ device_type: 'android' }), { device_type: 'android', ...validEvent() }]) {
      const reasons = reasonsOf(validate(jsonRecord(record)));
      expect(reasons).toHaveLength(1);
      expect(reasons[0]?.expected).toBe('one key for `device`');
      expect(reasons[0]?.message).toMatch(/^Keys `(device|device_type)` and `(device|device_type)` both map to column `device`/);
      const [first, second] = Object.keys(record).filter((key) => key.startsWith('device'));
      expect(reasons[0]?.message).toContain(`Keys \`${first}\` and \`${second}\``);
    }
  });

  it('still says "after trimming spaces" for two spellings of the same name', () => {
    const reasons = reasonsOf(compileValidator(eventsContract())(jsonRecord({ ...validEvent(), ' device ': 'x' })));
    expect(reasons[0]?.message).toMatch(/Key ` device ` repeats column `device` after trimming spaces/);
  });
});

describe('per-column coercion', () => {
  it('lets the `coerce` action turn coercion on for one column of a strict contract', () => {
    const strict = eventsContract({ coercion: 'off' });
    const record = jsonRecord(validEvent({ user_id: '1234', amount: '42.50' }));
    expect(reasonsOf(compileValidator(strict)(record)).map((reason) => reason.column)).toEqual(['user_id', 'amount']);
    const coerced = applyAction(strict, { kind: 'coerce', column: 'user_id', to: 'integer' }).contract;
    const reasons = reasonsOf(compileValidator(coerced)(record));
    expect(reasons.map((reason) => reason.column)).toEqual(['amount']);
  });

  it('lets a column turn coercion off in a lenient contract', () => {
    const contract = eventsContract();
    const columns = contract.columns.map((column) => (column.name === 'amount' ? { ...column, coercion: 'off' as const } : column));
    const verdict = compileValidator({ ...contract, columns })(jsonRecord(validEvent({ user_id: '1234', amount: '42.50' })));
    expect(reasonsOf(verdict).map((reason) => `${reason.column}:${reason.kind}`)).toEqual(['amount:type_mismatch']);
  });
});

describe('aliases in the profile and findings', () => {
  it('counts an alias key as its column, never as an unknown key', () => {
    const contract = renamedContract();
    const validate = compileValidator(contract);
    const profiler = createProfiler(contract);
    const records = [
      jsonRecord(withoutDevice({ device_type: 'android' })),
      jsonRecord(withoutDevice({ device_type: 'ios' })),
      jsonRecord(validEvent({ device: 'web' })),
      jsonRecord(withoutDevice({})),
    ];
    for (const record of records) profiler.observe(record, validate(record));
    const profile = profiler.finish();
    expect(profile.valid).toBe(4);
    expect(profile.unknownKeys).toEqual({});
    expect(profile.missing.device).toBe(1);
    expect(profile.keys.device).toEqual({ types: { string: 3 }, samples: ['android', 'ios', 'web'] });
    expect(profile.keys).not.toHaveProperty('device_type');
    expect(findingsFromProfile(profile, contract)).toEqual([]);
  });

  it('without the alias, the same records are an unknown key that looks like a rename of `device`', () => {
    const contract = eventsContract();
    const validate = compileValidator(contract);
    const profiler = createProfiler(contract);
    for (let i = 0; i < 10; i += 1) {
      const record = jsonRecord(withoutDevice({ device_type: 'android' }));
      profiler.observe(record, validate(record));
    }
    const findings = findingsFromProfile(profiler.finish(), contract);
    expect(findings).toMatchObject([{ kind: 'unknown_column', column: 'device_type', count: 10, renameOf: 'device' }]);
  });
});
