import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingKey } from '../../src/controller/finding-key.js';
import { covers, findingSignatures, persistentValues, reasonKey, reasonMatches, splitFinding } from '../../src/controller/finding-signature.js';
import type { EnumViolationFinding, Finding } from '../../src/sensor/findings.js';
import { findingsOf, driftContract, validEvent } from '../agent/drift-batch.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { jsonRecord } from '../sensor/fixtures.js';

const THRESHOLD = 0.05;

/** An enum finding over `records` records with distinct values and their counts. */
const enumFindingArb: fc.Arbitrary<EnumViolationFinding> = fc
  .tuple(fc.integer({ min: 20, max: 1000 }), fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 6 }))
  .chain(([records, values]) =>
    fc.tuple(fc.constant(records), fc.tuple(...values.map((value) => fc.integer({ min: 1, max: Math.max(1, Math.floor(records / values.length)) }).map((count) => ({ value, count }))))),
  )
  .map(([records, newValues]) => {
    const count = newValues.reduce((sum, v) => sum + v.count, 0);
    return { kind: 'enum_violation', column: 'event_type', allowed: ['click'], newValues, count, share: count / records };
  });

describe('finding signatures', () => {
  it('name each persisting enum value, and the key for every other kind', () => {
    const [unknown] = findingsOf(driftContract(), Array.from({ length: 20 }, () => ({ ...validEvent(), session_id: 's' })));
    expect(findingSignatures(unknown!, THRESHOLD)).toEqual(['unknown_column:session_id']);
    const share: EnumViolationFinding = { kind: 'enum_violation', column: 'event_type', allowed: [], newValues: [{ value: 'share', count: 40 }, { value: 'hover', count: 1 }], count: 41, share: 0.41 };
    expect(findingSignatures(share, THRESHOLD)).toEqual(['enum_violation:event_type="share"']);
    // Only strays: the column's key, which any incident about that enum column covers.
    const strays = { ...share, newValues: [{ value: 'a', count: 1 }, { value: 'b', count: 1 }], count: 2, share: 0.02 };
    expect(findingSignatures(strays, THRESHOLD)).toEqual(['enum_violation:event_type']);
    expect(covers(new Set(['enum_violation:event_type="share"']), 'enum_violation:event_type')).toBe(true);
    expect(covers(new Set(['enum_violation:event_type']), 'enum_violation:event_type="like"')).toBe(false);
  });

  it('split an enum finding into what is owned and the rest, losing no record and planning the rest as on its own', () => {
    fc.assert(
      fc.property(enumFindingArb, fc.func(fc.boolean()), (finding, own) => {
        const persistent = persistentValues(finding, THRESHOLD);
        const owned = new Set(persistent.filter((value) => own(value)).map((value) => `enum_violation:event_type=${JSON.stringify(value)}`));
        const { covered, rest } = splitFinding(finding, owned, THRESHOLD);
        expect((covered?.count ?? 0) + (rest?.count ?? 0)).toBe(finding.count);
        const valuesOf = (f: Finding | undefined) => (f?.kind === 'enum_violation' ? f.newValues.map((v) => v.value) : []);
        expect([...valuesOf(covered), ...valuesOf(rest)].sort()).toEqual(finding.newValues.map((v) => v.value).sort());
        const uncovered = persistent.filter((value) => !own(value));
        if (persistent.length > 0 && uncovered.length === 0) expect(rest).toBeUndefined();
        if (rest !== undefined && rest.kind === 'enum_violation') {
          // The same records behind the batch, so the rest's persisting values are exactly the uncovered ones.
          expect(rest.count / rest.share).toBeCloseTo(finding.count / finding.share, 6);
          if (persistent.length > 0) expect(persistentValues(rest, THRESHOLD).sort()).toEqual(uncovered.sort());
          for (const signature of findingSignatures(rest, THRESHOLD)) expect(covers(owned, signature)).toBe(false);
        }
      }),
    );
  });
});

describe('reasons and findings agree', () => {
  it('every reason a record gets belongs to a finding key of its batch, and matches that finding', () => {
    const contract = driftContract();
    const validate = compileValidator(contract);
    const events = [
      { ...validEvent(), session_id: 'x' },
      { ...validEvent(), amount: -3 },
      { ...validEvent(), event_type: 'share' },
      { ...validEvent(), quantity: 'lots' },
      { ...validEvent(), user_id: undefined },
      { ...validEvent(), user_id: null },
    ];
    const findings = findingsOf(contract, events);
    const keys = new Set(findings.map(findingKey));
    const signatures = new Set(findings.flatMap((f) => findingSignatures(f, THRESHOLD)));
    events.forEach((event, i) => {
      const verdict = validate(jsonRecord(event, i + 1));
      expect(verdict.status).toBe('invalid');
      if (verdict.status !== 'invalid') return;
      for (const reason of verdict.reasons) {
        expect(keys.has(reasonKey(reason)!), JSON.stringify(reason)).toBe(true);
        expect(reasonMatches(reason, signatures), JSON.stringify(reason)).toBe(true);
      }
    });
    expect(reasonKey({ column: null, kind: 'circuit_open', expected: '', actual: '', message: '' })).toBeUndefined();
  });
});
