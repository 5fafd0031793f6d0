/**
 * The one error type of agentic-etl. `terminal` errors are a user's mistake or a state
 * that retrying cannot fix (bad config, missing file); `transient` ones may succeed on a
 * retry (a locked database, a network reset). Messages name the object and `hint` says
 * the fix, so the CLI can print them without a stack trace.
 */
export type ErrorKind = 'terminal' | 'transient';

export type ErrorCode =
  | 'config_invalid'
  | 'config_not_found'
  | 'contract_invalid'
  | 'contract_not_found'
  | 'source_not_found'
  | 'source_read_failed'
  | 'format_unknown'
  /** Watching the source for new objects failed (the folder went away, the OS refused the watch, …). */
  | 'source_watch_failed'
  /** A statement failed on what it was given (a value, a constraint, memory for this data): the warehouse still works. */
  | 'warehouse_failed'
  /** The warehouse itself cannot work now (connection lost, disk full, database invalidated): later work would fail too. */
  | 'warehouse_unavailable'
  | 'warehouse_locked'
  | 'new_column_refused'
  /** A CSV file whose header cannot be read (not UTF-8, over the line limit, …): refused whole. */
  | 'csv_header_invalid'
  /** A worker lost its claim on a file (its lease expired and another took it). */
  | 'fenced_out'
  | 'not_found'
  | 'usage'
  | 'internal';

export interface AetlErrorOptions {
  kind?: ErrorKind;
  hint?: string;
  cause?: unknown;
}

export class AetlError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: AetlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AetlError';
    this.code = code;
    this.kind = options.kind ?? 'terminal';
    this.hint = options.hint;
  }
}

export function isAetlError(error: unknown): error is AetlError {
  return error instanceof AetlError;
}

/** The message of any thrown value, for logs and events. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
