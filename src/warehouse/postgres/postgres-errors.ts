/**
 * PostgreSQL's errors as AetlErrors: one place that names the statement (or the server,
 * without its password), keeps the driver's error as the cause, and sorts them by what
 * failed: the work (a value refused, a constraint, memory for this data, a serialization
 * conflict: `warehouse_failed`, the next file may well pass), the warehouse itself (the
 * connection lost, the server shutting down, the disk full: `warehouse_unavailable`,
 * nothing later can pass), or a lock wait (`warehouse_locked`).
 */
import { AetlError, errorMessage, isAetlError } from '../../util/errors.js';

/** The statement's first few words, enough to recognize it in a message. */
export function firstWords(sql: string): string {
  const words = sql.trim().split(/\s+/).slice(0, 4).join(' ');
  return words.length > 80 ? `${words.slice(0, 77)}...` : words;
}

/** The URL with any password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Network errors and the SQLSTATE classes that mean "the server or the session is gone". */
function isConnectionError(code: string): boolean {
  return ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', '57P01', '57P02', '57P03'].includes(code) || code.startsWith('08');
}

/**
 * The server cannot do any work now, whatever it is given: disk full (53100), too many
 * connections (53300), other resources (53000), system and I/O errors (class 58). Not
 * out_of_memory (53200): that is usually the statement's own data.
 */
function isServerFailure(code: string): boolean {
  return ['53000', '53100', '53300', '53400'].includes(code) || code.startsWith('58');
}

/** pg's own messages when the connection is gone without a SQLSTATE. */
const LOST_CONNECTION = /Connection terminated|connection (?:is )?closed|Client has encountered a connection error|not queryable/i;

/** Could not reach or log in to the server: names the URL (without password) and the fix. */
export function connectionError(error: unknown, url: string): AetlError {
  if (isAetlError(error)) return error;
  const code = codeOf(error);
  const where = `the PostgreSQL warehouse ${redactUrl(url)}`;
  if (code === '28P01' || code === '28000') {
    return new AetlError('warehouse_unavailable', `${where} refused the login: ${errorMessage(error)}`, {
      hint: 'check the user and password in the warehouse URL (or PGPASSWORD / ~/.pgpass) and pg_hba.conf on the server',
      cause: error,
    });
  }
  if (code === '3D000') {
    return new AetlError('warehouse_unavailable', `${where} names a database that does not exist: ${errorMessage(error)}`, {
      hint: 'create the database (CREATE DATABASE …) or fix its name in the warehouse URL',
      cause: error,
    });
  }
  return new AetlError('warehouse_unavailable', `could not connect to ${where}: ${errorMessage(error) || code}`, {
    kind: 'transient',
    hint: 'check that the server is running and reachable at that host and port, and that the URL is right (postgres://user:password@host:5432/database)',
    cause: error,
  });
}

/** Wraps an error raised while running `what` (SQL text or a description) on `url`. */
export function postgresError(error: unknown, what: string, url: string): AetlError {
  if (isAetlError(error)) return error;
  const code = codeOf(error);
  const message = errorMessage(error);
  if (isConnectionError(code) || (code === '' && LOST_CONNECTION.test(message))) return connectionError(error, url);
  if (isServerFailure(code)) {
    return new AetlError('warehouse_unavailable', `the PostgreSQL warehouse ${redactUrl(url)} cannot work now (on \`${firstWords(what)}\`): ${message} (SQLSTATE ${code})`, {
      kind: 'transient',
      hint: code === '53100' ? 'free disk space on the database server, then run again' : 'ask the database administrator to check the server (its log names the cause), then run again',
      cause: error,
    });
  }
  if (code === '55P03') {
    return new AetlError('warehouse_locked', `PostgreSQL could not lock a table for \`${firstWords(what)}\` within lock_timeout: ${message}`, {
      kind: 'transient',
      hint: 'another transaction holds the table (a long query or an open transaction); retry when it ends, or raise the wait with ?lock_timeout=30s in the warehouse URL',
      cause: error,
    });
  }
  const transient = code === '40001' || code === '40P01';
  const constraint = code.startsWith('23');
  // Class 22 (data exception): a value the engine refused, e.g. a date out of its range.
  const refusedValue = code.startsWith('22');
  return new AetlError('warehouse_failed', `PostgreSQL failed on \`${firstWords(what)}\`: ${message}${code === '' ? '' : ` (SQLSTATE ${code})`}`, {
    kind: transient ? 'transient' : 'terminal',
    hint: transient
      ? 'a concurrent transaction conflicted with this one; retry'
      : constraint
        ? 'a row breaks a constraint of the table (NOT NULL, UNIQUE or CHECK); check the values written and the table definition'
        : refusedValue
          ? 'validation should have quarantined this value: please report it with the value; the file stays in the landing zone and is tried again on the next run'
          : "check the statement against the table's current columns (a schema change may not have been applied)",
    cause: error,
  });
}
