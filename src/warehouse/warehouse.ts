/**
 * The warehouse: where bronze, silver, quarantine and the system tables live. The core
 * knows only this interface; each engine is a small dialect plus a driver
 * (warehouse/duckdb/, later postgres/ and databricks/).
 */
import type { ColumnType } from '../contract/types.js';
import type { TemporalRanges } from '../sensor/temporal-range.js';
import type { TypedValue } from '../sensor/types.js';

/** A bound parameter or a value read back. Identifiers are never parameters: see Dialect.quoteIdent. */
export type SqlValue = string | number | bigint | boolean | null;

export type Row = Record<string, SqlValue>;

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Default true. */
  nullable?: boolean;
  /** A single-column uniqueness constraint (e.g. `_record_id`). */
  unique?: boolean;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  /** A uniqueness constraint over several columns (e.g. the file ledger's (source, key, version)). */
  uniqueTogether?: string[];
}

/** What an engine can do, as data: code asks these instead of branching on the engine's name. */
export interface Capabilities {
  /** DDL can run inside a transaction and roll back with it. */
  transactionalDdl: boolean;
  /** One ALTER TABLE statement can change several columns. */
  multiColumnAlter: boolean;
  /** Longest identifier in bytes (PostgreSQL: 63); longer names are shortened by the dialect. */
  maxIdentifierBytes: number;
  /**
   * Several processes may write at once (PostgreSQL yes, DuckDB no). When false, a claim
   * left by a crashed process is taken over at once: no other writer can exist.
   */
  concurrentWriters: boolean;
  /** `SELECT … FOR UPDATE SKIP LOCKED` is available, for claiming work without waiting. Default false. */
  skipLocked?: boolean;
  /**
   * `ALTER TABLE … ADD COLUMN IF NOT EXISTS` is understood, so adding a column twice is a
   * no-op. Default false: callers check describeTable before adding.
   */
  addColumnIfNotExists?: boolean;
  /**
   * Quoted names that differ only by case (`Amount`, `amount`) are distinct. Default true.
   * DuckDB: false, so such names collide and a contract must not hold both.
   */
  caseSensitiveIdentifiers?: boolean;
  /**
   * The dates and timestamps the engine's DATE and TIMESTAMP columns hold, as ISO-8601 text
   * with astronomical years (`0000` is 1 BC). The sensor quarantines values outside, so the
   * engine is never handed one it refuses; each dialect's writer spells every value inside
   * the way its engine reads it (BC years, years past 9999).
   */
  temporalRanges: TemporalRanges;
}

export interface Dialect {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** The identifier, quoted and escaped so that no name can break out of it. */
  quoteIdent(name: string): string;
  /** The engine's spelling of a contract type, e.g. `BIGINT`, `DECIMAL(10,2)`. */
  typeName(type: ColumnType): string;
  /** The placeholder for the n-th (1-based) bound parameter: `$1` or `?`. */
  placeholder(index: number): string;
  /**
   * The SQL expression that turns the n-th parameter, bound as a TypedValue of `type`, into
   * a value of the column's type (e.g. microseconds → TIMESTAMP). Default: the bare placeholder.
   */
  parameterAs?(index: number, type: ColumnType): string;
  /**
   * The statement that widens a column's type, when the engine does not spell it
   * `ALTER TABLE t ALTER COLUMN c TYPE x`. Arguments are already quoted / spelled.
   */
  alterColumnType?(quotedTable: string, quotedColumn: string, typeName: string): string;
  /**
   * The name the engine stores for `name`, unquoted: a name over `maxIdentifierBytes` is
   * shortened (PostgreSQL: postgres-names.ts). Compare described columns with your own
   * names through it. Default: the name itself.
   */
  physicalName?(name: string): string;
}

/** Rows appended in bulk through the engine's fastest path, inside the current transaction. */
export interface BulkWriter {
  /** One value per column given to `bulkWriter`, typed as TypedValue's convention says. */
  append(row: readonly TypedValue[]): void;
  /** Flushes the rows; they commit or roll back with the transaction. */
  close(): Promise<void>;
  /**
   * Resolves when the rows appended so far are on their way, so that appending more keeps
   * memory bounded. Writers that stream to a server (PostgreSQL's COPY) buffer rows and send
   * them in chunks; a caller appending many rows awaits this every few thousand. Absent
   * when rows go straight into the engine (DuckDB's appender).
   */
  ready?(): Promise<void>;
}

export interface DescribedColumn {
  name: string;
  /** The engine's type name as it reports it, e.g. `BIGINT`. */
  engineType: string;
  nullable: boolean;
}

/** What can be done on a connection, in or out of a transaction. */
export interface WarehouseSession {
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  bulkWriter(table: string, columns: readonly ColumnDef[]): Promise<BulkWriter>;
  /** The table's columns, or undefined when it does not exist. */
  describeTable(table: string): Promise<DescribedColumn[] | undefined>;
}

export interface Warehouse extends WarehouseSession {
  readonly dialect: Dialect;
  /** The warehouse as configured, with any password removed; for messages. */
  readonly uri: string;
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back when it throws.
   * Transactions on one Warehouse are serialized.
   */
  transaction<T>(work: (tx: WarehouseSession) => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding the named lock across every process using this warehouse, so that
   * two workers never heal the same table at once (PostgreSQL: an advisory lock; DuckDB:
   * one writing process exists, so its work runs as is). `work` may use the warehouse.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
