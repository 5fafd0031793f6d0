/**
 * How the pipeline did on one real-drift sequence, against its hand-written ground truth:
 * complete rows in silver, truncated rows wrongly in silver, rows left in quarantine, and
 * the precision and recall of the renames it applied. Pure: the caller reads the outcomes
 * and the applied actions from the warehouse.
 */
import type { RecordOutcome } from '../scorecard.js';
import type { DriftSequence } from './corpus.js';

/** A rename the pipeline applied: source key `from` mapped onto contract column `to`. */
export interface AppliedRename {
  from: string;
  to: string;
}

export interface RenameScore {
  /** Distinct renames applied. */
  applied: number;
  /** Of those, renames the ground truth has. */
  correct: number;
  /** Renames in the ground truth. */
  truth: number;
  /** correct / applied; null when nothing was applied. */
  precision: number | null;
  /** correct / truth; null when the ground truth has none. */
  recall: number | null;
  /** Applied renames the ground truth does not have, as `from→to`. */
  wrong: string[];
  /** Ground-truth renames not applied, as `new→old`. */
  missed: string[];
}

export interface RealDriftScore {
  sequence: string;
  /** Records in the landed files (counted from their text). */
  records: number;
  /** Records the ground truth calls complete (not truncated or malformed), and how many of them are in silver. */
  complete: number;
  completeInSilver: number;
  /** Records the ground truth calls truncated or malformed, and how many of them are (wrongly) in silver. */
  truncated: number;
  truncatedInSilver: number;
  /** Records left in quarantine (not replayed). */
  quarantined: number;
  /** Records without any outcome, and records with more than one (conservation violations). */
  lost: number;
  duplicated: number;
  /** Outcome rows for positions no landed file has. */
  unexpected: number;
  renames: RenameScore;
}

/** The records of each landed file, by file name: line numbers. */
export type LandedRecords = ReadonlyMap<string, readonly number[]>;

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export function scoreRenames(truth: Readonly<Record<string, string>>, applied: readonly AppliedRename[]): RenameScore {
  const distinct = new Map<string, AppliedRename>();
  for (const rename of applied) distinct.set(`${rename.from.trim()}→${rename.to.trim()}`, { from: rename.from.trim(), to: rename.to.trim() });
  const expected = new Map(Object.entries(truth).map(([oldName, newName]) => [`${newName}→${oldName}`, true]));
  const wrong = [...distinct.keys()].filter((key) => !expected.has(key));
  const missed = [...expected.keys()].filter((key) => !distinct.has(key));
  const correct = distinct.size - wrong.length;
  return { applied: distinct.size, correct, truth: expected.size, precision: ratio(correct, distinct.size), recall: ratio(correct, expected.size), wrong, missed };
}

export function scoreRealDrift(sequence: DriftSequence, landed: LandedRecords, outcomes: Iterable<RecordOutcome>, applied: readonly AppliedRename[]): RealDriftScore {
  const truncated = new Set(sequence.steps.flatMap((step) => step.truncated.map((line) => `${step.file}:${line}`)));
  const places = new Map<string, Array<RecordOutcome['place']>>();
  for (const [file, lines] of landed) for (const line of lines) places.set(`${file}:${line}`, []);
  const score: RealDriftScore = {
    sequence: sequence.name, records: places.size, complete: 0, completeInSilver: 0, truncated: 0, truncatedInSilver: 0,
    quarantined: 0, lost: 0, duplicated: 0, unexpected: 0, renames: scoreRenames(sequence.renames, applied),
  };
  for (const outcome of outcomes) {
    const seen = places.get(`${outcome.file}:${outcome.line}`);
    if (seen === undefined) score.unexpected += 1;
    else seen.push(outcome.place);
  }
  for (const [key, seen] of places) {
    const inSilver = seen.includes('silver');
    if (seen.length === 0) score.lost += 1;
    if (seen.length > 1) score.duplicated += 1;
    if (seen.includes('quarantine')) score.quarantined += 1;
    if (truncated.has(key)) {
      score.truncated += 1;
      if (inSilver) score.truncatedInSilver += 1;
    } else {
      score.complete += 1;
      if (inSilver) score.completeInSilver += 1;
    }
  }
  return score;
}
