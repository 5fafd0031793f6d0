/**
 * How well the pipeline did against the chaos manifest: nothing lost, nothing duplicated,
 * every fault where the ground truth says, and detection precision / recall. Pure: the
 * caller reads the outcomes from the warehouse (silver rows and open quarantine rows).
 */
import { isDriftKind, isFaultKind, type DriftKind, type Expectation } from './labels.js';
import type { ManifestEntry } from './manifest.js';
import { dict } from '../util/dict.js';

/** Where one record ended up, as read from the warehouse. */
export interface RecordOutcome {
  file: string;
  line: number;
  place: 'silver' | 'quarantine';
  /** True when the record reached silver through a lossless coercion. */
  coerced: boolean;
  /** Reason kinds of a quarantined record (empty in silver). */
  reasons: readonly string[];
}

export interface LabelScore {
  /** Records carrying the label. */
  records: number;
  /** Of those, records whose outcome matched the manifest. */
  asExpected: number;
  silver: number;
  quarantined: number;
  lost: number;
}

export interface Detection {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** TP / (TP + FP); null when nothing was detected. */
  precision: number | null;
  /** TP / (TP + FN); null when there were no faults. */
  recall: number | null;
}

export interface Scorecard {
  /** Records in the manifest (records in). */
  records: number;
  /** Outcome rows given, duplicates and strangers included. */
  outcomes: number;
  /** Records judged in silver (coerced ones included) and in quarantine. */
  silver: number;
  coerced: number;
  quarantined: number;
  /** Records of the manifest without any outcome. */
  lost: number;
  /** Records with more than one outcome (a conservation violation). */
  duplicated: number;
  /** Outcomes for positions the manifest does not know. */
  unexpected: number;
  /** Records whose outcome matched the manifest (before or, for drift, after healing). */
  asExpected: number;
  /** Records with a sporadic fault, and how many of them ended as expected. */
  faults: { records: number; caught: number };
  /** Clean records (no label) that were quarantined. */
  validQuarantined: number;
  /** Quarantined records by their true labels; `clean` for records without one. */
  quarantinedByLabel: Record<string, number>;
  byLabel: Record<string, LabelScore>;
  /** Records showing drift: how many reached silver once healed, how many still sit in quarantine. */
  drift: { records: number; healed: number; quarantined: number };
  /**
   * Detection = quarantined or coerced; positive = the record has a sporadic fault. Records
   * with drift only are left out: once healed, silver is their right place (see `drift`).
   */
  detection: Detection;
}

function placeMatches(expect: Expectation, outcome: RecordOutcome, reasons: readonly string[]): boolean {
  switch (expect) {
    case 'silver':
      return outcome.place === 'silver' && !outcome.coerced;
    case 'coerced':
      return outcome.place === 'silver' && outcome.coerced;
    case 'quarantine':
      return outcome.place === 'quarantine' && reasons.every((r) => outcome.reasons.includes(r));
  }
}

/** Whether `outcome` is what the manifest promises, unhealed or (for drift records) healed. */
export function outcomeMatches(entry: ManifestEntry, outcome: RecordOutcome): boolean {
  if (placeMatches(entry.expect, outcome, entry.reasons)) return true;
  const drifted = entry.faults.some(isDriftKind);
  if (!drifted) return false;
  if (entry.expect_healed === 'quarantine') {
    // A drifted record that also carries a poison pill stays quarantined once the drift is
    // healed, and replay refreshes its reasons: the drift's own reason kinds may be gone.
    const drifts = entry.faults.filter(isDriftKind);
    const healedAway = new Set(drifts.flatMap((kind) => DRIFT_REASONS[kind as DriftKind]));
    return placeMatches('quarantine', outcome, entry.reasons.filter((reason) => !healedAway.has(reason)));
  }
  // Healing may route a drifted record through a coercion, so silver either way counts.
  return outcome.place === 'silver' && (entry.expect_healed === 'silver' || outcome.coerced);
}

/** The reason kinds each drift causes before it is healed. */
const DRIFT_REASONS: Record<DriftKind, readonly string[]> = {
  new_column: ['unknown_column'],
  int_to_float: ['type_mismatch'],
  rename: ['unknown_column'],
  new_enum_value: ['enum_violation'],
  incompatible_type: ['type_mismatch'],
};

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export function scoreAgainstManifest(manifest: readonly ManifestEntry[], outcomes: Iterable<RecordOutcome>): Scorecard {
  const index = new Map<string, number>();
  manifest.forEach((entry, i) => index.set(`${entry.file}:${entry.line}`, i));
  const seen = new Array<number>(manifest.length).fill(0);
  const judged = new Array<RecordOutcome | undefined>(manifest.length);
  const card: Scorecard = {
    records: manifest.length, outcomes: 0, silver: 0, coerced: 0, quarantined: 0, lost: 0, duplicated: 0, unexpected: 0,
    asExpected: 0, faults: { records: 0, caught: 0 }, validQuarantined: 0, quarantinedByLabel: dict(), byLabel: dict(),
    drift: { records: 0, healed: 0, quarantined: 0 },
    detection: { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0, precision: null, recall: null },
  };

  for (const outcome of outcomes) {
    card.outcomes += 1;
    const i = index.get(`${outcome.file}:${outcome.line}`);
    if (i === undefined) {
      card.unexpected += 1;
      continue;
    }
    seen[i] = (seen[i] ?? 0) + 1;
    // A duplicated record is judged by its silver copy, where it would be read from.
    if (judged[i] === undefined || (judged[i].place !== 'silver' && outcome.place === 'silver')) judged[i] = outcome;
  }

  manifest.forEach((entry, i) => {
    const outcome = judged[i];
    if ((seen[i] ?? 0) > 1) card.duplicated += 1;
    const matched = outcome !== undefined && outcomeMatches(entry, outcome);
    if (outcome === undefined) card.lost += 1;
    else if (outcome.place === 'silver') {
      card.silver += 1;
      if (outcome.coerced) card.coerced += 1;
    } else {
      card.quarantined += 1;
      for (const label of entry.faults.length === 0 ? ['clean'] : entry.faults) {
        card.quarantinedByLabel[label] = (card.quarantinedByLabel[label] ?? 0) + 1;
      }
    }
    if (matched) card.asExpected += 1;

    for (const label of entry.faults) {
      const score = (card.byLabel[label] ??= { records: 0, asExpected: 0, silver: 0, quarantined: 0, lost: 0 });
      score.records += 1;
      if (matched) score.asExpected += 1;
      if (outcome === undefined) score.lost += 1;
      else if (outcome.place === 'silver') score.silver += 1;
      else score.quarantined += 1;
    }

    if (entry.faults.some(isDriftKind)) {
      card.drift.records += 1;
      if (outcome?.place === 'silver') card.drift.healed += 1;
      if (outcome?.place === 'quarantine') card.drift.quarantined += 1;
    }

    const positive = entry.faults.some(isFaultKind);
    const detected = outcome !== undefined && (outcome.place === 'quarantine' || outcome.coerced);
    if (positive) {
      card.faults.records += 1;
      if (matched) card.faults.caught += 1;
      if (detected) card.detection.truePositives += 1;
      else card.detection.falseNegatives += 1;
    } else if (entry.faults.length === 0) {
      if (outcome?.place === 'quarantine') card.validQuarantined += 1;
      if (detected) card.detection.falsePositives += 1;
      else card.detection.trueNegatives += 1;
    }
  });

  const d = card.detection;
  d.precision = ratio(d.truePositives, d.truePositives + d.falsePositives);
  d.recall = ratio(d.truePositives, d.truePositives + d.falseNegatives);
  return card;
}
