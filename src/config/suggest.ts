/**
 * "Did you mean …?" for mistyped keys and type names: the nearest valid word by edit
 * distance, offered only when it is close enough to be a plausible typo.
 */
import { editDistance, looseName } from '../util/names.js';

export { editDistance, looseName };

/**
 * The candidate nearest to `word`, or undefined when none is close: equal ignoring case
 * and separators, or within an edit distance of about a third of the word's length.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const loose = looseName(word);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(loose, looseName(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(loose.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** ` — did you mean \`x\`?` or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const suggestion = nearest(word, candidates);
  return suggestion === undefined ? '' : ` — did you mean \`${suggestion}\`?`;
}
