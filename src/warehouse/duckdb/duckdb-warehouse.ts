/**
 * The embedded default warehouse: one DuckDB file, one connection. Transactions are
 * BEGIN/COMMIT/ROLLBACK on that connection, serialized by a mutex so that concurrent
 * callers never run statements inside each other's transactions.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { AetlError } from '../../util/errors.js';
import { createMutex } from '../mutex.js';
import type { BulkWriter, ColumnDef, DescribedColumn, Row, SqlValue, Warehouse, WarehouseSession } from '../warehouse.js';
import { duckdbBulkWriter } from './duckdb-appender.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { duckdbError, isLockError, isOutOfMemory, lockedError } from './duckdb-errors.js';
import { parameterTypes, rowsFromReader } from './duckdb-values.js';
import { guardedSession } from '../guarded-session.js';

export interface DuckDBWarehouseOptions {
  /** The database file, or `:memory:`. Created when missing. */
  path: string;
  /**
   * DuckDB's buffer-pool limit (its `memory_limit`), default 64MB. DuckDB's own default is
   * 80% of RAM, and it keeps every block it wrote cached up to that, so a long run grew the
   * process by the size of the data it loaded; bounded, memory stays flat (bench/ingest.mjs).
   */
  memoryLimit?: string;
}

export const DEFAULT_DUCKDB_MEMORY_LIMIT = '64MB';

type Writer = BulkWriter & { abort(): void };

const DESCRIBE_SQL = `SELECT column_name, data_type, is_nullable FROM information_schema.columns
 WHERE table_catalog = current_database() AND table_schema = current_schema() AND lower(table_name) = lower($1)
 ORDER BY ordinal_position`;

/** run/query/bulkWriter/describeTable on the connection, with the writers it opened. */
function connectionSession(connection: DuckDBConnection, writers: Set<Writer>): WarehouseSession {
  const caseSensitive = duckdbDialect.capabilities.caseSensitiveIdentifiers !== false;
  const args = (params: readonly SqlValue[] | undefined) =>
    [params as DuckDBValue[] | undefined, params === undefined ? undefined : (parameterTypes(params) as DuckDBType[])] as const;

  async function query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    try {
      return rowsFromReader<T>(await connection.runAndReadAll(sql, ...args(params)));
    } catch (error) {
      throw duckdbError(error, sql);
    }
  }

  async function describeTable(table: string): Promise<DescribedColumn[] | undefined> {
    const rows = await query<{ column_name: string; data_type: string; is_nullable: string }>(DESCRIBE_SQL, [table]);
    if (rows.length === 0) return undefined;
    return rows.map((row) => ({ name: row.column_name, engineType: row.data_type, nullable: row.is_nullable === 'YES' }));
  }

  return {
    async run(sql, params) {
      try {
        await connection.run(sql, ...args(params));
      } catch (error) {
        throw duckdbError(error, sql);
      }
    },
    query,
    describeTable,
    async bulkWriter(table: string, columns: readonly ColumnDef[]) {
      const physical = await describeTable(table);
      if (physical === undefined) {
        throw new AetlError('warehouse_failed', `table ${table} does not exist`, { hint: 'create the table before writing to it' });
      }
      const writer = await duckdbBulkWriter(connection, table, columns, physical, caseSensitive);
      writers.add(writer);
      return {
        append: writer.append,
        async close() {
          writers.delete(writer);
          await writer.close();
        },
      };
    },
  };
}

async function openInstance(path: string, memoryLimit: string): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(path, { memory_limit: memoryLimit });
  } catch (error) {
    if (isLockError(error)) throw lockedError(path, error);
    throw new AetlError('warehouse_failed', `could not open the DuckDB warehouse ${path}: ${String(error)}`, {
      hint: 'check that the path is a DuckDB database file (or a new file in a writable folder)',
      cause: error,
    });
  }
}

export async function duckdbWarehouse(options: DuckDBWarehouseOptions): Promise<Warehouse> {
  const memoryLimit = options.memoryLimit ?? DEFAULT_DUCKDB_MEMORY_LIMIT;
  let instance = await openInstance(options.path, memoryLimit);
  let connection = await instance.connect();
  const mutex = createMutex();
  // No reentrancy guard: calling the Warehouse (not `tx`) inside transaction(work) waits for
  // the lock the transaction holds. An AsyncLocalStorage guard caught that, but its context
  // propagation cost ~4% of ingest throughput (every promise of every record pays it).
  const writers = new Set<Writer>();
  let session = connectionSession(connection, writers);
  let closed = false;
  /** Set when reopening after a failed commit failed too: nothing can be done any more. */
  let broken: AetlError | undefined;

  function ensureUsable(what: string): void {
    if (closed) throw new AetlError('internal', `the DuckDB warehouse ${options.path} is closed`, { hint: `${what} needs an open warehouse` });
    if (broken !== undefined) throw broken;
  }

  async function settleWriters(commit: boolean): Promise<void> {
    const open = [...writers];
    writers.clear();
    for (const writer of open) {
      if (commit) await writer.close();
      else writer.abort();
    }
  }

  /**
   * A COMMIT that failed (out of memory while writing the transaction's rows) can leave
   * DuckDB's in-memory table state wrong: the next transaction's rows then came out with
   * values of the failed one (seen with @duckdb/node-api 1.5). The file on disk is
   * consistent — the failed commit was reverted there — so the instance is opened afresh
   * from it, and the next file starts clean.
   */
  async function reopen(cause: unknown): Promise<void> {
    try {
      // Closing must not checkpoint the suspect in-memory state into the file.
      await connection.run('PRAGMA disable_checkpoint_on_shutdown');
      connection.closeSync();
      instance.closeSync();
      instance = await openInstance(options.path, memoryLimit);
      connection = await instance.connect();
      session = connectionSession(connection, writers);
    } catch (error) {
      broken = new AetlError('warehouse_unavailable', `the DuckDB warehouse ${options.path} could not be opened again after a failed commit: ${String(error)}`, {
        kind: 'transient',
        hint: 'run again; the warehouse file holds every commit before the failed one',
        cause,
      });
    }
  }

  async function transaction<T>(work: (tx: WarehouseSession) => Promise<T>): Promise<T> {
    ensureUsable('transaction()');
    return mutex.run(async () => {
      const { tx, end } = guardedSession(session);
      await session.run('BEGIN TRANSACTION');
      let committing = false;
      try {
        const result = await work(tx);
        // Writers left open are flushed: their rows belong to the work that just succeeded.
        committing = true;
        await settleWriters(true);
        await session.run('COMMIT');
        return result;
      } catch (error) {
        await settleWriters(false);
        await session.run('ROLLBACK').catch(() => undefined);
        if (committing || isOutOfMemory(error)) await reopen(error);
        throw error;
      } finally {
        end();
      }
    });
  }

  return {
    dialect: duckdbDialect,
    uri: `duckdb:${options.path}`,
    transaction,
    // DuckDB has one writing process (the file lock), so nothing else can heal concurrently.
    exclusive: (_name, work) => work(),
    async run(sql, params) {
      ensureUsable('run()');
      return mutex.run(() => session.run(sql, params));
    },
    async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
      ensureUsable('query()');
      return mutex.run(() => session.query<T>(sql, params));
    },
    async describeTable(table) {
      ensureUsable('describeTable()');
      return mutex.run(() => session.describeTable(table));
    },
    async bulkWriter(table, columns) {
      ensureUsable('bulkWriter()');
      // Outside a transaction a writer is its own: it holds the lock and commits on close.
      const release = await mutex.acquire();
      try {
        await session.run('BEGIN TRANSACTION');
        const writer = await session.bulkWriter(table, columns);
        return {
          append: writer.append,
          async close() {
            let committing = false;
            try {
              await writer.close();
              committing = true;
              await session.run('COMMIT');
            } catch (error) {
              await settleWriters(false);
              await session.run('ROLLBACK').catch(() => undefined);
              if (committing || isOutOfMemory(error)) await reopen(error);
              throw error;
            } finally {
              release();
            }
          },
        };
      } catch (error) {
        await session.run('ROLLBACK').catch(() => undefined);
        release();
        throw error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Waits for running work so that a transaction is never cut in half.
      await mutex.run(async () => {
        if (broken !== undefined) return;
        connection.closeSync();
        instance.closeSync();
      });
    },
  };
}
