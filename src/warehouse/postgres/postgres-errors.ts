/**
 * PostgreSQL's errors as AetlErrors: one place that names the statement (or the server,
 * without its password), keeps the driver's error as the cause, and sorts what a retry may
 * fix (a lock wait that timed out, a serialization failure, a dropped connection) from
 * what it cannot.
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

/** Could not reach or log in to the server: names the URL (without password) and the fix. */
export function connectionError(error: unknown, url: string): AetlError {
  if (isAetlError(error)) return error;
  const code = codeOf(error);
  const where = `the PostgreSQL warehouse ${redactUrl(url)}`;
  if (code === '28P01' || code === '28000') {
    return new AetlError('warehouse_failed', `${where} refused the login: ${errorMessage(error)}`, {
      hint: 'check the user and password in the warehouse URL (or PGPASSWORD / ~/.pgpass) and pg_hba.conf on the server',
      cause: error,
    });
  }
  if (code === '3D000') {
    return new AetlError('warehouse_failed', `${where} names a database that does not exist: ${errorMessage(error)}`, {
      hint: 'create the database (CREATE DATABASE …) or fix its name in the warehouse URL',
      cause: error,
    });
  }
  return new AetlError('warehouse_failed', `could not connect to ${where}: ${errorMessage(error) || code}`, {
    kind: 'transient',
    hint: 'check that the server is running and reachable at that host and port, and that the URL is right (postgres://user:password@host:5432/database)',
    cause: error,
  });
}

/** Wraps an error raised while running `what` (SQL text or a description) on `url`. */
export function postgresError(error: unknown, what: string, url: string): AetlError {
  if (isAetlError(error)) return error;
  const code = codeOf(error);
  if (isConnectionError(code)) return connectionError(error, url);
  const message = errorMessage(error);
  if (code === '55P03') {
    return new AetlError('warehouse_locked', `PostgreSQL could not lock a table for \`${firstWords(what)}\` within lock_timeout: ${message}`, {
      kind: 'transient',
      hint: 'another transaction holds the table (a long query or an open transaction); retry when it ends, or raise the wait with ?lock_timeout=30s in the warehouse URL',
      cause: error,
    });
  }
  const transient = code === '40001' || code === '40P01';
  const constraint = code.startsWith('23');
  return new AetlError('warehouse_failed', `PostgreSQL failed on \`${firstWords(what)}\`: ${message}${code === '' ? '' : ` (SQLSTATE ${code})`}`, {
    kind: transient ? 'transient' : 'terminal',
    hint: transient
      ? 'a concurrent transaction conflicted with this one; retry'
      : constraint
        ? 'a row breaks a NOT NULL or UNIQUE constraint of the table; check the values written and the table definition'
        : "check the statement against the table's current columns (a schema change may not have been applied)",
    cause: error,
  });
}
