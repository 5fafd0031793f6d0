/**
 * Keys that look like one field spelled two ways — `Fare_Amt` / `fare amt`, or real TLC
 * files' `Dispatching_base_number` / `Dispatching_base_num` — reported when a contract is
 * inferred so that a person decides, instead of the contract silently holding both.
 */
import { editDistance, looseName } from '../util/names.js';

/** Shortest loose name for which a prefix or a one-letter difference is taken as meaningful. */
const MIN_SIMILAR_LENGTH = 6;

function similarity(a: string, b: string): 'separators' | 'alike' | undefined {
  const looseA = looseName(a);
  const looseB = looseName(b);
  if (looseA === looseB) return 'separators';
  const [short, long] = looseA.length <= looseB.length ? [looseA, looseB] : [looseB, looseA];
  if (short.length < MIN_SIMILAR_LENGTH) return undefined;
  // A truncated name (`..._num` for `..._number`) or a one-letter typo. Two letters would
  // flag real pairs such as PULocationID / DOLocationID.
  if (long.startsWith(short) || editDistance(short, long) <= 1) return 'alike';
  return undefined;
}

/** One warning per pair of names that differ only by case/separators or look alike. */
export function similarNameNotes(names: readonly string[]): string[] {
  const notes: string[] = [];
  for (let i = 0; i < names.length; i += 1) {
    for (let j = i + 1; j < names.length; j += 1) {
      const a = names[i] ?? '';
      const b = names[j] ?? '';
      switch (similarity(a, b)) {
        case 'separators':
          notes.push(`Warning: \`${a}\` and \`${b}\` differ only by case or separators: probably one field spelled two ways. Keep one column; ingest will propose mapping the other spelling onto it.`);
          break;
        case 'alike':
          notes.push(`Warning: \`${a}\` and \`${b}\` look alike: if they are the same field, keep one column and delete the other.`);
          break;
        case undefined:
          break;
      }
    }
  }
  return notes;
}
