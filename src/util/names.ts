/**
 * Comparing names the way people misspell them: case and separators ignored, and an edit
 * distance. One definition for "did you mean", rename candidates and inference warnings,
 * so that all three agree on which names are alike.
 */

/** Separators ignored when names are compared: `Fare_Amt`, `fare-amt`, `fare amt`, `fare.amt`. */
const SEPARATORS = /[\s_\-.]+/g;

/** Lower case without separators: `RateCodeID` and `ratecode_id` are the same word. */
export function looseName(name: string): string {
  return name.replace(SEPARATORS, '').toLowerCase();
}

/**
 * Levenshtein distance (insert, delete, substitute). With `limit`, stops early and returns
 * `limit + 1` as soon as the distance must exceed it.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute);
      current[j] = value;
      if (value < best) best = value;
    }
    if (best > limit) return limit + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}
