/**
 * "Did you mean …?" for mistyped keys and type names: the nearest valid word by edit
 * distance, offered only when it is close enough to be a plausible typo.
 */

/** Lower case without separators: `Max-Line_Bytes` and `maxlinebytes` are the same word. */
export function looseName(word: string): string {
  return word.toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** Levenshtein distance (insert, delete, substitute), two rows of memory. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

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
