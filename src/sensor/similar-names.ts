/**
 * How alike two column names are, for rename candidates: `Device` ~ `device`,
 * `Fare_Amt` ~ `fare_amount`, `usr_id` ~ `user_id`. A candidate is only ever a
 * suggestion for the architect, backed by co-missing evidence; it never maps data by itself.
 */
import { editDistance, looseName } from '../util/names.js';

/** True when every character of `short` appears in `long` in order (an abbreviation). */
function isSubsequence(short: string, long: string): boolean {
  let at = 0;
  for (const char of long) {
    if (char === short[at]) at += 1;
    if (at === short.length) return true;
  }
  return at === short.length;
}

/**
 * How far apart two names are as a rename: 0 when they differ only by case and
 * separators, 1–2 for a small typo, 3 for an abbreviation sharing the first letter;
 * undefined when they are not alike.
 */
export function renameDistance(a: string, b: string): number | undefined {
  const x = looseName(a);
  const y = looseName(b);
  if (x === '' || y === '') return undefined;
  if (x === y) return 0;
  if (Math.min(x.length, y.length) >= 4) {
    const distance = editDistance(x, y, 2);
    if (distance <= 2) return distance;
  }
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  if (short.length >= 3 && short[0] === long[0] && isSubsequence(short, long)) return 3;
  return undefined;
}
