/**
 * DuckDB's errors as AetlErrors: one place that names the statement, keeps the engine's
 * message as the cause, and sorts a failure of the work (a value refused, a constraint,
 * memory that this data needs: `warehouse_failed`, the next file may well pass) from a
 * failure of the warehouse itself (disk full, the database invalidated by a fatal error:
 * `warehouse_unavailable`, nothing later can pass) and from a locked file.
 */
import { AetlError, errorMessage, isAetlError } from '../../util/errors.js';

const LOCK_MESSAGE = 'Could not set lock on file';

/**
 * What DuckDB's messages say about the failure, first match wins. DuckDB prefixes most
 * messages with the exception type (`Out of Memory Error: …`); the appender and COMMIT wrap
 * them (`Failed to append: could not allocate block …`), hence the looser patterns.
 */
type DuckdbFailure = 'out_of_memory' | 'disk_full' | 'invalidated' | 'io' | 'constraint' | 'conflict' | 'other';

const FAILURE_PATTERNS: ReadonlyArray<readonly [DuckdbFailure, RegExp]> = [
  ['invalidated', /FATAL Error|database has been invalidated|Connection was never established|connection (?:has been )?closed/i],
  ['disk_full', /No space left on device|disk (?:is )?full|ENOSPC/i],
  ['out_of_memory', /Out of Memory Error|could not allocate|failed to allocate|failed to pin block/i],
  ['io', /IO Error/],
  ['constraint', /Constraint Error/],
  // Write-write conflicts between transactions may pass on a retry.
  ['conflict', /conflict/i],
];

function classify(message: string): DuckdbFailure {
  for (const [failure, pattern] of FAILURE_PATTERNS) if (pattern.test(message)) return failure;
  return 'other';
}

/** True for an engine error (or our wrapping of one) that says DuckDB ran out of memory. */
export function isOutOfMemory(error: unknown): boolean {
  const cause = isAetlError(error) ? error.cause : error;
  return cause !== undefined && classify(errorMessage(cause)) === 'out_of_memory';
}

/** The statement's first few words, enough to recognize it in a message. */
export function firstWords(sql: string): string {
  const words = sql.trim().split(/\s+/).slice(0, 4).join(' ');
  return words.length > 80 ? `${words.slice(0, 77)}...` : words;
}

export function isLockError(error: unknown): boolean {
  return errorMessage(error).includes(LOCK_MESSAGE);
}

export function lockedError(path: string, cause: unknown): AetlError {
  return new AetlError(
    'warehouse_locked',
    `the DuckDB warehouse file ${path} is in use by another process; DuckDB allows one writing process per file (${errorMessage(cause)})`,
    {
      kind: 'transient',
      hint: 'stop the other agentic-etl process that uses this file, or use a PostgreSQL warehouse (postgres://…) to run several workers',
      cause,
    },
  );
}

/** Only the first line: DuckDB appends a list of tuning tips that are not ours to give. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

/** Wraps an engine error raised while running `what` (SQL text or a description). */
export function duckdbError(error: unknown, what: string): AetlError {
  if (isAetlError(error)) return error;
  const message = errorMessage(error);
  const on = `DuckDB failed on \`${firstWords(what)}\``;
  const failure = classify(message);
  switch (failure) {
    case 'out_of_memory':
      return new AetlError('warehouse_failed', `DuckDB ran out of memory on \`${firstWords(what)}\`: ${firstLine(message)}`, {
        hint: 'this data needs more memory than the warehouse allows: raise memory_limit in the warehouse URI (duckdb:./warehouse.duckdb?memory_limit=1GB), or split the file',
        cause: error,
      });
    case 'disk_full':
      return new AetlError('warehouse_unavailable', `${on}: the disk is full: ${firstLine(message)}`, {
        kind: 'transient',
        hint: 'free space on the disk that holds the warehouse file (and its .wal), then run again',
        cause: error,
      });
    case 'invalidated':
      return new AetlError('warehouse_unavailable', `${on}: the database can no longer be used: ${firstLine(message)}`, {
        kind: 'transient',
        hint: 'DuckDB stopped this connection after a fatal error; run again (the file is recovered from its write-ahead log on open)',
        cause: error,
      });
    case 'io':
      return new AetlError('warehouse_unavailable', `${on}: ${firstLine(message)}`, {
        kind: 'transient',
        hint: 'check that the warehouse file and its folder are readable and writable, and that the disk is healthy',
        cause: error,
      });
    case 'constraint':
      return new AetlError('warehouse_failed', `${on}: ${message}`, {
        hint: 'a row breaks a NOT NULL or UNIQUE constraint of the table; check the values written and the table definition',
        cause: error,
      });
    case 'conflict':
      return new AetlError('warehouse_failed', `${on}: ${message}`, {
        kind: 'transient',
        hint: 'another transaction changed the same rows; retry',
        cause: error,
      });
    case 'other':
      return new AetlError('warehouse_failed', `${on}: ${message}`, {
        hint: "check the statement against the table's current columns (a schema change may not have been applied)",
        cause: error,
      });
  }
}
