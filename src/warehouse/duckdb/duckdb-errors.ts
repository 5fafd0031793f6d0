/**
 * DuckDB's errors as AetlErrors: one place that names the statement, keeps the engine's
 * message as the cause, and tells a locked file apart from everything else.
 */
import { AetlError, errorMessage, isAetlError } from '../../util/errors.js';

const LOCK_MESSAGE = 'Could not set lock on file';

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

/** Wraps an engine error raised while running `what` (SQL text or a description). */
export function duckdbError(error: unknown, what: string): AetlError {
  if (isAetlError(error)) return error;
  const message = errorMessage(error);
  const constraint = message.includes('Constraint Error');
  // Write-write conflicts between transactions may pass on a retry; the rest will not.
  const transient = /conflict/i.test(message) && !constraint;
  return new AetlError('warehouse_failed', `DuckDB failed on \`${firstWords(what)}\`: ${message}`, {
    kind: transient ? 'transient' : 'terminal',
    hint: constraint
      ? 'a row breaks a NOT NULL or UNIQUE constraint of the table; check the values written and the table definition'
      : 'check the statement against the table\'s current columns (a schema change may not have been applied)',
    cause: error,
  });
}
