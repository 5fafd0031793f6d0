/**
 * NDJSON records: every line that holds more than spaces, tabs and CRs is one record —
 * valid or not, over the limit or not. Lines end as the readers document: the stream's
 * first line end decides; after `\n` or `\r\n` only `\n` ends a line (a CR is data), after
 * a lone `\r` each of `\r`, `\n` and `\r\n` does.
 */
import { CR, LF, LineSum, SPACE, TAB, type Counter, type CountResult } from './counter.js';

export function lineCounter(): Counter {
  let mode: 'undecided' | 'lf' | 'any' = 'undecided';
  let line = 1;
  let content = false;
  /** A CR that ends a line was the last unit: a LF right after it belongs to the same line end. */
  let pendingCr = false;
  let records = 0;
  let lastLine = 0;
  const sum = new LineSum();

  const endLine = (): void => {
    if (content) {
      records++;
      sum.add(line);
      lastLine = line;
    }
    line++;
    content = false;
  };

  return {
    settled: false,
    push(units) {
      for (let i = 0; i < units.length; i++) {
        const unit = units[i] as number;
        if (pendingCr) {
          pendingCr = false;
          if (mode === 'undecided') mode = unit === LF ? 'lf' : 'any';
          endLine();
          if (unit === LF) continue;
        }
        if (unit === LF) {
          if (mode === 'undecided') mode = 'lf';
          endLine();
        } else if (unit === CR) {
          if (mode !== 'lf') pendingCr = true;
        } else if (!content && unit !== SPACE && unit !== TAB) content = true;
      }
    },
    finish(): CountResult {
      if (pendingCr || content) endLine();
      return { records, lineSum: sum.value, lastLine };
    },
  };
}
