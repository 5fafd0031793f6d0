import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/contract/types.js';
import type { Reason, Verdict } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { csvRecord, eventsContract, jsonRecord, malformedRecord, validEvent } from './fixtures.js';

function reasonsOf(verdict: Verdict): Reason[] {
  if (verdict.status !== 'invalid') throw new Error(`expected an invalid verdict, got ${JSON.stringify(verdict, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return verdict.reasons;
}

function onlyReason(verdict: Verdict): Reason {
  const reasons = reasonsOf(verdict);
  expect(reasons).toHaveLength(1);
  return reasons[0] as Reason;
}

describe('compileValidator', () => {
  const validate = compileValidator(eventsContract());

  it('types a valid record in contract order', () => {
    const verdict = validate(jsonRecord(validEvent()));
    expect(verdict).toEqual({
      status: 'valid',
      values: ['evt-00ff', 1714566600000000n, 'purchase', 1234n, 42.5, 'ios'],
      coercions: [],
      ignored: [],
    });
  });

  it('turns absent and null optional columns into nulls', () => {
    const record = validEvent({ device: null });
    delete record.amount;
    delete record.event_type;
    const verdict = validate(jsonRecord(record));
    expect(verdict.status === 'valid' && verdict.values).toEqual(['evt-00ff', 1714566600000000n, null, 1234n, null, null]);
  });

  describe('chaos cases', () => {
    it('"amount": "one_hundred_dollars" is a type mismatch', () => {
      const reason = onlyReason(validate(jsonRecord(validEvent({ amount: 'one_hundred_dollars' }))));
      expect(reason).toMatchObject({ column: 'amount', kind: 'type_mismatch', expected: 'double', actual: '"one_hundred_dollars"' });
      expect(reason.message).toMatch(/`amount` expects double but holds the string "one_hundred_dollars"/);
    });

    it('"amount": "42.50" is coerced to 42.5 with the original logged', () => {
      const verdict = validate(jsonRecord(validEvent({ amount: '42.50' })));
      expect(verdict.status).toBe('valid');
      if (verdict.status !== 'valid') return;
      expect(verdict.values[4]).toBe(42.5);
      expect(verdict.coercions).toEqual([{ column: 'amount', from: 'string', to: 'double', original: '42.50' }]);
    });

    it('"user_id": "1234" is coerced to an integer', () => {
      const verdict = validate(jsonRecord(validEvent({ user_id: '1234' })));
      expect(verdict.status === 'valid' && verdict.values[3]).toBe(1234n);
      expect(verdict.status === 'valid' && verdict.coercions).toEqual([{ column: 'user_id', from: 'string', to: 'integer', original: '1234' }]);
    });

    it('a nested object where a string is expected is a type mismatch', () => {
      const reason = onlyReason(validate(jsonRecord(validEvent({ device: { os: 'ios' } }))));
      expect(reason).toMatchObject({ column: 'device', kind: 'type_mismatch', expected: 'string', actual: '{"os":"ios"}' });
      expect(reason.message).toMatch(/nested object.*flatten it/);
    });

    it('a missing required key', () => {
      const record = validEvent();
      delete record.user_id;
      const reason = onlyReason(validate(jsonRecord(record)));
      expect(reason).toMatchObject({ column: 'user_id', kind: 'missing_required', actual: 'missing' });
      expect(reason.message).toMatch(/Required column `user_id` is missing/);
    });

    it('a null in a required key', () => {
      const reason = onlyReason(validate(jsonRecord(validEvent({ event_timestamp: null }))));
      expect(reason).toMatchObject({ column: 'event_timestamp', kind: 'null_required', actual: 'null' });
    });

    it('an enum violation names the value and the allowed ones', () => {
      const reason = onlyReason(validate(jsonRecord(validEvent({ event_type: 'refund' }))));
      expect(reason).toMatchObject({ column: 'event_type', kind: 'enum_violation', expected: 'one of click, view, purchase', actual: 'refund' });
      expect(reason.message).toMatch(/extend the enum/);
    });

    it('marketing_campaign is an unknown column', () => {
      const reason = onlyReason(validate(jsonRecord(validEvent({ marketing_campaign: 'spring_sale' }))));
      expect(reason).toMatchObject({ column: 'marketing_campaign', kind: 'unknown_column', actual: '"spring_sale"' });
      expect(reason.message).toMatch(/not a column of contract `events`/);
    });
  });

  it('reports values below min and above max', () => {
    expect(onlyReason(validate(jsonRecord(validEvent({ user_id: -1 }))))).toMatchObject({ column: 'user_id', kind: 'below_min', expected: '>= 0', actual: '-1' });
    expect(onlyReason(validate(jsonRecord(validEvent({ amount: 2_000_000 }))))).toMatchObject({ column: 'amount', kind: 'above_max', expected: '<= 1000000' });
    // A coerced value is checked after typing.
    expect(onlyReason(validate(jsonRecord(validEvent({ user_id: '-5' }))))).toMatchObject({ column: 'user_id', kind: 'below_min', actual: '"-5"' });
  });

  it('requires the pattern to match in full', () => {
    expect(onlyReason(validate(jsonRecord(validEvent({ event_id: 'evt-00ff-extra' }))))).toMatchObject({ column: 'event_id', kind: 'pattern_mismatch' });
    expect(onlyReason(validate(jsonRecord(validEvent({ event_id: 'xevt-00ff' }))))).toMatchObject({ kind: 'pattern_mismatch' });
    expect(validate(jsonRecord(validEvent({ event_id: 'evt-abc123' }))).status).toBe('valid');
  });

  it('collects every reason of a record, not just the first', () => {
    const record = validEvent({ amount: 'one_hundred_dollars', event_type: 'refund', device: { os: 'ios' }, extra: 1 });
    delete record.user_id;
    const kinds = reasonsOf(validate(jsonRecord(record))).map((reason) => `${reason.column}:${reason.kind}`);
    expect(kinds).toEqual(['event_type:enum_violation', 'user_id:missing_required', 'amount:type_mismatch', 'device:type_mismatch', 'extra:unknown_column']);
  });

  it('passes the reader message of a malformed record through', () => {
    const reason = onlyReason(validate(malformedRecord('Line 7 of a.ndjson is not valid JSON (Unexpected end of input); fix the producer.')));
    expect(reason).toEqual({
      column: null,
      kind: 'malformed',
      expected: 'a parseable record',
      actual: '{"event_id": ',
      message: 'Line 7 of a.ndjson is not valid JSON (Unexpected end of input); fix the producer.',
    });
  });

  it('treats a value that is not an object as malformed', () => {
    for (const value of [42, 'text', [1, 2], null]) {
      const record = { ...jsonRecord({}), value: value as never };
      expect(onlyReason(validate(record))).toMatchObject({ column: null, kind: 'malformed' });
    }
  });

  it('matches keys after trimming', () => {
    const verdict = validate(jsonRecord({ ...validEvent({ amount: undefined }), ' amount ': 12 }));
    expect(verdict.status === 'valid' && verdict.values[4]).toBe(12);
  });

  it('refuses a column sent twice under names equal after trimming', () => {
    const reason = onlyReason(validate(jsonRecord({ ...validEvent(), ' amount ': 12 })));
    expect(reason).toMatchObject({ column: ' amount ', kind: 'unknown_column' });
    expect(reason.message).toMatch(/repeats column `amount`/);
  });

  it('names a likely rename when a key differs only by case or separators', () => {
    const record = validEvent({ Device: 'android' });
    delete record.device;
    const reason = onlyReason(validate(jsonRecord(record)));
    expect(reason).toMatchObject({ column: 'Device', kind: 'unknown_column' });
    expect(reason.message).toMatch(/looks like a rename of `device`/);
    expect(onlyReason(validate(jsonRecord({ ...validEvent(), 'user-id': 5 }))).message).toMatch(/rename of `user_id`/);
  });

  it('shortens long actual values to about 200 characters', () => {
    const reason = onlyReason(validate(jsonRecord(validEvent({ amount: 'x'.repeat(10_000) }))));
    expect(reason.actual.length).toBeLessThanOrEqual(200);
    expect(reason.actual.startsWith('"xxx')).toBe(true);
    expect(reason.message.length).toBeLessThan(600);
  });

  describe('new_column modes', () => {
    it('ignore keeps the record valid and lists the key', () => {
      const ignoring = compileValidator(eventsContract({ new_column: 'ignore' }));
      const verdict = ignoring(jsonRecord(validEvent({ marketing_campaign: 'spring', ' utm ': 'x' })));
      expect(verdict.status === 'valid' && verdict.ignored).toEqual(['marketing_campaign', 'utm']);
    });

    it.each(['evolve', 'quarantine', 'fail'] as const)('%s reports the key as unknown_column', (mode) => {
      const strict = compileValidator(eventsContract({ new_column: mode }));
      expect(onlyReason(strict(jsonRecord(validEvent({ marketing_campaign: 'spring' }))))).toMatchObject({ kind: 'unknown_column' });
    });
  });

  it('with coercion off, a string numeral is a type mismatch that says why', () => {
    const strict = compileValidator(eventsContract({ coercion: 'off' }));
    const reason = onlyReason(strict(jsonRecord(validEvent({ user_id: '1234' }))));
    expect(reason).toMatchObject({ column: 'user_id', kind: 'type_mismatch' });
    expect(reason.message).toMatch(/coercion is off/);
  });

  describe('CSV records', () => {
    const csv = (overrides: Record<string, string | null> = {}) =>
      csvRecord({ event_id: 'evt-01', event_timestamp: '2024-05-01 12:30:00', event_type: 'view', user_id: '1234', amount: '0.5', device: 'ios', ...overrides });

    it('types text without counting it as coercion', () => {
      const verdict = validate(csv({ amount: '19.90' }));
      expect(verdict).toEqual({ status: 'valid', values: ['evt-01', 1714566600000000n, 'view', 1234n, 19.9, 'ios'], coercions: [], ignored: [] });
    });

    it('parses long numerals to the nearest double', () => {
      const verdict = validate(csv({ amount: '73.865043640136719' }));
      expect(verdict.status === 'valid' && verdict.values[4]).toBe(73.865043640136719);
    });

    it('still refuses leading zeros and words, and nulls in required columns', () => {
      expect(onlyReason(validate(csv({ user_id: '007' })))).toMatchObject({ column: 'user_id', kind: 'type_mismatch' });
      expect(onlyReason(validate(csv({ amount: 'n/a' })))).toMatchObject({ column: 'amount', kind: 'type_mismatch' });
      expect(onlyReason(validate(csv({ user_id: null })))).toMatchObject({ column: 'user_id', kind: 'null_required' });
    });
  });

  it('refuses an invalid pattern when compiling, naming the column', () => {
    const contract: Contract = eventsContract();
    contract.columns[0] = { ...contract.columns[0]!, pattern: '([a-z' };
    expect(() => compileValidator(contract)).toThrow(/`event_id` of contract `events` has an invalid pattern/);
  });

  it('types decimals, booleans, dates and json columns', () => {
    const contract: Contract = {
      table: 'orders',
      primary_key: [],
      columns: [
        { name: 'price', type: { name: 'decimal', precision: 10, scale: 2 }, required: true, min: 0 },
        { name: 'paid', type: { name: 'boolean' }, required: false },
        { name: 'day', type: { name: 'date' }, required: false },
        { name: 'meta', type: { name: 'json' }, required: false },
      ],
      evolution: eventsContract().evolution,
    };
    const check = compileValidator(contract);
    const verdict = check(jsonRecord({ price: '19.9', paid: 'true', day: '2024-01-31', meta: { a: [1] } }));
    expect(verdict).toEqual({
      status: 'valid',
      values: ['19.90', true, '2024-01-31', '{"a":[1]}'],
      coercions: [
        { column: 'price', from: 'string', to: 'decimal', original: '19.9' },
        { column: 'paid', from: 'string', to: 'boolean', original: 'true' },
      ],
      ignored: [],
    });
    expect(onlyReason(check(jsonRecord({ price: 19.999 })))).toMatchObject({ column: 'price', kind: 'type_mismatch', expected: 'decimal(10,2)' });
    expect(onlyReason(check(jsonRecord({ price: -1 })))).toMatchObject({ column: 'price', kind: 'below_min' });
  });
});
