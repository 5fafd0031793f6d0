/**
 * A fresh database on the test run's PostgreSQL server (see postgres-server.ts), and
 * `describePostgres`, which skips loudly when the server is missing (and fails under CI).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';

export function postgresAvailable(): boolean {
  return inject('postgresUrl') !== '';
}

/** `describe` for tests that need PostgreSQL: skipped, with a loud reason, when it is not installed. */
export const describePostgres: typeof describe = ((name: string, fn: () => void) =>
  postgresAvailable() ? describe(name, fn) : describe.skip(`${name} (SKIPPED: PostgreSQL is not installed)`, fn)) as typeof describe;

/** Creates an empty database and returns its URL. */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const base = inject('postgresUrl');
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
