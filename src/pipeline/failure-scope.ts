/**
 * What a failure while processing one file means for the rest of the run, decided once
 * from the error's code (which the warehouse dialects and sources set, see
 * warehouse/*\/…-errors.ts): the file's own failure (its data, a value or constraint the
 * engine refused, memory this file needs) is reported and the run goes on to the next
 * file; a failure of the warehouse or of the setup stops the run, since every later file
 * would fail the same way; a lost claim means another worker has the file.
 */
import type { AetlError } from '../util/errors.js';

export type FailureScope = 'file' | 'run' | 'claim_lost';

export function failureScope(error: AetlError): FailureScope {
  switch (error.code) {
    case 'source_read_failed':
    case 'not_found':
    case 'format_unknown':
    case 'warehouse_failed':
    case 'new_column_refused':
    case 'csv_header_invalid': // this file's header; the file stays in the landing zone
    case 'internal': // a bug met on this file's data: the next file may well not meet it
      return 'file';
    case 'fenced_out':
      return 'claim_lost';
    case 'warehouse_unavailable':
    case 'warehouse_locked':
    case 'source_not_found':
    case 'source_watch_failed':
    case 'config_invalid':
    case 'config_not_found':
    case 'contract_invalid':
    case 'contract_not_found':
    case 'usage':
      return 'run';
  }
}
