/**
 * The shared warehouse: a PostgreSQL database through a small `pg` pool. Statements outside
 * a transaction take any pooled connection; `transaction()` holds one connection from BEGIN
 * to COMMIT/ROLLBACK, and transactions on one Warehouse are serialized (as on DuckDB), while
 * other processes — other workers — write beside it. Every connection runs in UTC with ISO
 * dates and a `lock_timeout` (default 5s), so DDL queued behind a long transaction fails as
 * a transient `warehouse_locked` instead of waiting, and holding up every query behind it.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { AetlError } from '../../util/errors.js';
import { createMutex } from '../mutex.js';
import type { BulkWriter, ColumnDef, DescribedColumn, Row, SqlValue, Warehouse, WarehouseSession } from '../warehouse.js';
import { postgresBulkWriter, type SessionFailure } from './postgres-copy.js';
import { postgresDialect } from './postgres-dialect.js';
import { connectionError, postgresError, redactUrl } from './postgres-errors.js';
import { anyShortened, logicalName, physicalName } from './postgres-names.js';
import { getTypeParser } from './postgres-values.js';
import { guardedSession } from '../guarded-session.js';

export interface PostgresWarehouseOptions {
  /**
   * `postgres://user:password@host:5432/database`, with `pg`'s usual parameters (sslmode, …)
   * and one of ours: `lock_timeout` (PostgreSQL's spelling, e.g. `1s`, `500ms`), default 5s.
   */
  url: string;
  /** Pooled connections, default 4. */
  maxConnections?: number;
}

export const DEFAULT_LOCK_TIMEOUT = '5s';
const LOCK_TIMEOUT = /^\d+(?:ms|s|min)?$/;

type Writer = BulkWriter & { abort(): void };

const DESCRIBE_SQL = `SELECT column_name, data_type, numeric_precision, numeric_scale, is_nullable FROM information_schema.columns
 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`;

interface DescribeRow extends Row {
  column_name: string;
  data_type: string;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: string;
}

/** Our `lock_timeout` parameter taken out of the URL; the rest is `pg`'s. */
function parseUrl(url: string): { connectionString: string; lockTimeout: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new AetlError('config_invalid', `the warehouse ${redactUrl(url)} is not a valid URL`, {
      hint: 'write it as postgres://user:password@host:5432/database',
      cause: error,
    });
  }
  const lockTimeout = parsed.searchParams.get('lock_timeout') ?? DEFAULT_LOCK_TIMEOUT;
  if (!LOCK_TIMEOUT.test(lockTimeout)) {
    throw new AetlError('config_invalid', `lock_timeout=${lockTimeout} in the warehouse ${redactUrl(url)} is not a duration`, {
      hint: 'give a whole number with ms, s or min, e.g. ?lock_timeout=5s',
    });
  }
  parsed.searchParams.delete('lock_timeout');
  return { connectionString: parsed.toString(), lockTimeout };
}

/** Extended protocol always: the server then refuses a text holding more than one statement. */
function statement(text: string, params: readonly SqlValue[] | undefined): pg.QueryConfig {
  const config: pg.QueryConfig & { queryMode: 'extended' } = { text, values: params === undefined ? [] : [...params], queryMode: 'extended' };
  return config;
}

/** A lock name as the 64-bit key of pg_advisory_lock: the same in every process. */
function advisoryKey(name: string): bigint {
  return createHash('sha256').update(`agentic-etl:${name}`).digest().readBigInt64BE(0);
}

/** Result columns under the names the caller used (postgres-names.ts). */
function logicalRows<T extends Row>(result: pg.QueryResult): T[] {
  const rows = result.rows as T[];
  if (!anyShortened() || !result.fields.some((field) => logicalName(field.name) !== field.name)) return rows;
  return rows.map((row) => {
    const renamed: Row = {};
    for (const [name, value] of Object.entries(row)) renamed[logicalName(name)] = value;
    return renamed as T;
  });
}

function engineTypeOf(row: DescribeRow): string {
  if (row.data_type === 'numeric' && row.numeric_precision !== null) return `NUMERIC(${row.numeric_precision},${row.numeric_scale ?? 0})`;
  return row.data_type.toUpperCase();
}

/** run/query/bulkWriter/describeTable on one connection, with the writers it opened. */
function clientSession(client: pg.ClientBase, url: string, writers: Set<Writer>): WarehouseSession {
  const failure: SessionFailure = {};

  async function query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    try {
      return logicalRows<T>(await client.query(statement(sql, params)));
    } catch (error) {
      // "current transaction is aborted": the cause is an earlier COPY chunk, which says why.
      const aborted = (error as { code?: unknown }).code === '25P02' && failure.first !== undefined;
      throw aborted ? postgresError(failure.first, 'COPY', url) : postgresError(error, sql, url);
    }
  }

  async function describeTable(table: string): Promise<DescribedColumn[] | undefined> {
    const rows = await query<DescribeRow>(DESCRIBE_SQL, [physicalName(table)]);
    if (rows.length === 0) return undefined;
    return rows.map((row) => ({ name: logicalName(row.column_name), engineType: engineTypeOf(row), nullable: row.is_nullable === 'YES' }));
  }

  return {
    async run(sql, params) {
      await query(sql, params);
    },
    query,
    describeTable,
    async bulkWriter(table: string, columns: readonly ColumnDef[]) {
      const physical = await describeTable(table);
      if (physical === undefined) {
        throw new AetlError('warehouse_failed', `table ${table} does not exist`, { hint: 'create the table before writing to it' });
      }
      const writer = postgresBulkWriter(client, url, failure, table, columns, physical);
      writers.add(writer);
      return {
        append: writer.append,
        ready: writer.ready,
        async close() {
          writers.delete(writer);
          await writer.close();
        },
      };
    },
  };
}

export async function postgresWarehouse(options: PostgresWarehouseOptions): Promise<Warehouse> {
  const { connectionString, lockTimeout } = parseUrl(options.url);
  const uri = redactUrl(options.url);
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 4,
    types: { getTypeParser: getTypeParser as pg.CustomTypesConfig['getTypeParser'] },
    // Startup parameters: no extra round trip per connection.
    options: `-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c lock_timeout=${lockTimeout}`,
  });
  // An idle connection that dies is dropped by the pool; the next statement reports the problem.
  pool.on('error', () => undefined);
  const mutex = createMutex();
  let closed = false;

  async function checkout(): Promise<pg.PoolClient> {
    if (closed) throw new AetlError('internal', `the PostgreSQL warehouse ${uri} is closed`, { hint: 'open the warehouse again' });
    try {
      return await pool.connect();
    } catch (error) {
      throw connectionError(error, options.url);
    }
  }

  /** Runs `work` on a checked-out connection; a connection that failed is not returned to the pool. */
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await checkout();
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  const oneShot = <T>(work: (session: WarehouseSession) => Promise<T>) =>
    withClient((client) => work(clientSession(client, options.url, new Set())));

  async function inTransaction<T>(client: pg.PoolClient, work: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    const writers = new Set<Writer>();
    const session = clientSession(client, options.url, writers);
    const { tx, end } = guardedSession(session);
    await session.run('BEGIN');
    try {
      const result = await work(tx);
      // Writers left open are flushed: their rows belong to the work that just succeeded.
      for (const writer of [...writers]) await writer.close();
      writers.clear();
      await session.run('COMMIT');
      return result;
    } catch (error) {
      for (const writer of writers) writer.abort();
      writers.clear();
      await session.run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      end();
    }
  }

  // Fail at open, with the URL and the fix, rather than at the first statement.
  await oneShot((session) => session.run('SELECT 1')).catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw connectionError(error, options.url);
  });

  return {
    dialect: postgresDialect,
    uri,
    transaction(work) {
      return mutex.run(() => withClient((client) => inTransaction(client, work)));
    },
    run: (sql, params) => oneShot((session) => session.run(sql, params)),
    query: <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) => oneShot((session) => session.query<T>(sql, params)),
    describeTable: (table) => oneShot((session) => session.describeTable(table)),
    async bulkWriter(table, columns) {
      // Outside a transaction a writer is its own transaction, on its own connection.
      const client = await checkout();
      const session = clientSession(client, options.url, new Set());
      let released = false;
      const release = (error?: Error) => {
        if (!released) client.release(error);
        released = true;
      };
      try {
        await session.run('BEGIN');
        const writer = await session.bulkWriter(table, columns);
        return {
          append: writer.append,
          ready: writer.ready,
          async close() {
            try {
              await writer.close();
              await session.run('COMMIT');
              release();
            } catch (error) {
              await session.run('ROLLBACK').catch(() => undefined);
              release();
              throw error;
            }
          },
        };
      } catch (error) {
        await session.run('ROLLBACK').catch(() => undefined);
        release();
        throw error;
      }
    },
    exclusive(name, work) {
      // A session-level advisory lock on a connection held for the duration: released by
      // pg_advisory_unlock, or by the server when the connection (the process) dies.
      return withClient(async (client) => {
        const session = clientSession(client, options.url, new Set());
        const key = advisoryKey(name);
        // Waiting for another worker's healing is expected: no lock_timeout for this wait.
        await session.run('SET lock_timeout = 0');
        try {
          await session.run('SELECT pg_advisory_lock($1::bigint)', [key]);
        } finally {
          await session.run('RESET lock_timeout');
        }
        try {
          return await work();
        } finally {
          await session.run('SELECT pg_advisory_unlock($1::bigint)', [key]);
        }
      });
    },
    async close() {
      if (closed) return;
      // Waits for running transactions so that none is cut in half.
      await mutex.run(async () => {
        closed = true;
        await pool.end();
      });
    },
  };
}
