import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../src/chaos/manifest.js';
import { scoreAgainstManifest, type RecordOutcome } from '../../src/chaos/scorecard.js';

const F = 'events-00001.ndjson';
function entry(line: number, faults: ManifestEntry['faults'], expect: ManifestEntry['expect'], reasons: ManifestEntry['reasons'] = [], healed = expect): ManifestEntry {
  return { file: F, line, event_id: `e${line}`, faults, expect, expect_healed: healed, reasons };
}
const silver = (line: number, coerced = false): RecordOutcome => ({ file: F, line, place: 'silver', coerced, reasons: [] });
const quarantine = (line: number, ...reasons: string[]): RecordOutcome => ({ file: F, line, place: 'quarantine', coerced: false, reasons });

describe('scoreAgainstManifest', () => {
  const manifest: ManifestEntry[] = [
    entry(1, [], 'silver'), // clean, in silver: TN
    entry(2, [], 'silver'), // clean, wrongly quarantined: FP
    entry(3, ['wrong_type'], 'quarantine', ['type_mismatch']), // caught: TP
    entry(4, ['coercible_amount'], 'coerced'), // coerced as expected: TP
    entry(5, ['enum_violation'], 'quarantine', ['enum_violation']), // slipped into silver: FN
    entry(6, ['null_required'], 'quarantine', ['null_required']), // lost: FN
    entry(7, [], 'silver'), // duplicated: silver twice
    entry(8, ['new_column'], 'quarantine', ['unknown_column'], 'silver'), // drift, healed into silver
    entry(9, ['rename'], 'quarantine', ['unknown_column'], 'silver'), // drift, still quarantined
    entry(10, ['missing_required'], 'quarantine', ['missing_required']), // quarantined for the wrong reason: TP, not as expected
  ];
  const outcomes: RecordOutcome[] = [
    silver(1),
    quarantine(2, 'type_mismatch'),
    quarantine(3, 'type_mismatch'),
    silver(4, true),
    silver(5),
    silver(7),
    silver(7),
    silver(8),
    quarantine(9, 'unknown_column'),
    quarantine(10, 'below_min'),
    { file: 'other.ndjson', line: 1, place: 'silver', coerced: false, reasons: [] },
  ];
  const card = scoreAgainstManifest(manifest, outcomes);

  it('counts records in, places, lost, duplicated and strangers', () => {
    expect(card.records).toBe(10);
    expect(card.outcomes).toBe(11);
    expect(card.lost).toBe(1);
    expect(card.duplicated).toBe(1);
    expect(card.unexpected).toBe(1);
    expect(card.silver).toBe(5); // 1, 4, 5, 7, 8
    expect(card.coerced).toBe(1);
    expect(card.quarantined).toBe(4); // 2, 3, 9, 10
    expect(card.silver + card.quarantined + card.lost).toBe(card.records);
  });

  it('judges outcomes against the manifest, drift healed or not', () => {
    // as expected: 1, 3, 4, 7, 8 (healed), 9 (unhealed)
    expect(card.asExpected).toBe(6);
    expect(card.faults).toEqual({ records: 5, caught: 2 });
    expect(card.validQuarantined).toBe(1);
    expect(card.drift).toEqual({ records: 2, healed: 1, quarantined: 1 });
    expect(card.quarantinedByLabel).toEqual({ clean: 1, wrong_type: 1, rename: 1, missing_required: 1 });
    expect(card.byLabel.null_required).toEqual({ records: 1, asExpected: 0, silver: 0, quarantined: 0, lost: 1 });
    expect(card.byLabel.missing_required?.asExpected).toBe(0);
  });

  it('computes detection precision and recall over poison pills', () => {
    // positives (sporadic faults): 3 TP, 4 TP, 5 FN, 6 FN, 10 TP; negatives (clean): 1 TN, 2 FP, 7 TN
    expect(card.detection).toEqual({
      truePositives: 3,
      falsePositives: 1,
      falseNegatives: 2,
      trueNegatives: 2,
      precision: 3 / 4,
      recall: 3 / 5,
    });
  });

  it('leaves precision and recall undefined when there is nothing to measure', () => {
    const empty = scoreAgainstManifest([entry(1, [], 'silver')], [silver(1)]);
    expect(empty.detection.precision).toBeNull();
    expect(empty.detection.recall).toBeNull();
    expect(empty.asExpected).toBe(1);
  });

  it('judges a record that is in both places by its silver copy', () => {
    const both = scoreAgainstManifest([entry(1, ['wrong_type'], 'quarantine', ['type_mismatch'])], [quarantine(1, 'type_mismatch'), silver(1)]);
    expect(both.duplicated).toBe(1);
    expect(both.silver).toBe(1);
    expect(both.faults.caught).toBe(0);
  });
});
