/**
 * One file's outcome in words, the same for `run`'s table, `run --json` and `watch`'s log:
 * `ok` only when every record reached silver; a file whose records were quarantined, or
 * held because the table is halted, says so — a scheduler reading "ok" must be right.
 */
import type { FileOutcome } from '../pipeline/run-once.js';

export type FileState = 'ok' | 'quarantined' | 'held' | 'failed' | 'skipped';

export function fileState(outcome: FileOutcome): FileState {
  switch (outcome.status) {
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
    case 'done':
      if (outcome.result.held > 0) return 'held';
      return outcome.result.quarantined > 0 ? 'quarantined' : 'ok';
  }
}

export function statusWords(outcome: FileOutcome): string {
  switch (outcome.status) {
    case 'failed':
      return `failed: ${outcome.error.message}`;
    case 'skipped':
      return `skipped: ${outcome.reason}`;
    case 'done': {
      const r = outcome.result;
      const extra = r.profile.extraEmptyFields;
      // Accepted rows that ended in empty fields beyond the header: worth a look at the export.
      const padded = extra === undefined ? undefined : `${extra.records} row${extra.records === 1 ? '' : 's'} with empty extra fields dropped`;
      const notes = [r.coerced > 0 ? `${r.coerced} coerced` : undefined, padded].filter(Boolean).join(', ');
      const invalid = r.quarantined - r.held;
      if (r.held > 0) return `held: table halted (${[`${r.held} held`, invalid > 0 ? `${invalid} quarantined` : undefined, notes || undefined].filter(Boolean).join(', ')})`;
      if (r.quarantined > 0) return `quarantined: ${r.quarantined}${notes === '' ? '' : ` (${notes})`}`;
      return notes === '' ? 'ok' : `ok (${notes})`;
    }
  }
}
