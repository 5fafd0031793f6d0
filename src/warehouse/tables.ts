/**
 * The tables agentic-etl keeps, as engine-neutral definitions (DESIGN.md, "Tables").
 * Column order here is the order BulkWriter rows follow.
 */
import type { ColumnType, Contract } from '../contract/types.js';
import type { ColumnDef, TableDef } from './warehouse.js';

const STRING: ColumnType = { name: 'string' };
const INTEGER: ColumnType = { name: 'integer' };
const TIMESTAMP: ColumnType = { name: 'timestamp' };
const JSON_TYPE: ColumnType = { name: 'json' };
const BOOLEAN: ColumnType = { name: 'boolean' };

export const SYSTEM_TABLES = {
  files: '_aetl_files',
  events: '_aetl_events',
  incidents: '_aetl_incidents',
  contracts: '_aetl_contracts',
  controller: '_aetl_controller',
} as const;

export function bronzeTableName(table: string): string {
  return `bronze_${table}`;
}

export function quarantineTableName(table: string): string {
  return `quarantine_${table}`;
}

/**
 * Provenance shared by bronze, silver and quarantine rows. `_record_id` is unique by
 * construction — deterministic ids, and one transaction per file guarded by the ledger —
 * and `agentic-etl audit` verifies it. It carries no UNIQUE index: on DuckDB that index
 * made ingestion 2.5× slower and its memory grows with the table.
 */
const PROVENANCE: ColumnDef[] = [
  { name: '_record_id', type: STRING, nullable: false },
  { name: '_file_id', type: STRING, nullable: false },
  { name: '_file', type: STRING, nullable: false },
  { name: '_line', type: INTEGER, nullable: false },
];

export function bronzeTable(table: string): TableDef {
  return {
    name: bronzeTableName(table),
    columns: [
      ...PROVENANCE,
      { name: '_offset', type: INTEGER, nullable: false },
      // Raw text as read; base64 when the bytes were not valid UTF-8 (see _raw_encoding).
      { name: '_raw', type: STRING, nullable: false },
      { name: '_raw_encoding', type: STRING, nullable: false },
      { name: '_ingested_at', type: TIMESTAMP, nullable: false },
    ],
  };
}

/** Silver system columns follow the contract's columns. */
export const SILVER_SYSTEM_COLUMNS: ColumnDef[] = [
  ...PROVENANCE,
  { name: '_contract_version', type: INTEGER, nullable: false },
  // Null unless a value was coerced: [{column, from, to, original}], the log of lossless coercions.
  { name: '_coercions', type: JSON_TYPE },
  { name: '_ingested_at', type: TIMESTAMP, nullable: false },
];

export function silverTable(contract: Contract): TableDef {
  return {
    name: contract.table,
    columns: [
      // Contract columns stay nullable in the table: `required` is enforced by the sensor,
      // so that evolving the contract never needs a constraint change.
      ...contract.columns.map((column) => ({ name: column.name, type: column.type })),
      ...SILVER_SYSTEM_COLUMNS,
    ],
  };
}

export function quarantineTable(table: string): TableDef {
  return {
    name: quarantineTableName(table),
    columns: [
      ...PROVENANCE,
      { name: '_raw', type: STRING, nullable: false },
      { name: '_raw_encoding', type: STRING, nullable: false },
      // The parsed record (null when malformed) and whether its values are text (CSV): what
      // replay re-validates against a new contract version, without re-reading the source.
      { name: '_value', type: JSON_TYPE },
      { name: '_textual', type: BOOLEAN, nullable: false },
      { name: 'reasons', type: JSON_TYPE, nullable: false },
      { name: 'contract_version', type: INTEGER, nullable: false },
      { name: 'status', type: STRING, nullable: false },
      { name: 'incident_id', type: STRING },
      { name: 'quarantined_at', type: TIMESTAMP, nullable: false },
      { name: 'resolved_at', type: TIMESTAMP },
    ],
  };
}

/** The file ledger: one row per (source, key, version) claimed or done. */
export const filesTable: TableDef = {
  name: SYSTEM_TABLES.files,
  columns: [
    { name: 'file_id', type: STRING, nullable: false, unique: true },
    { name: 'source', type: STRING, nullable: false },
    { name: 'key', type: STRING, nullable: false },
    { name: 'version', type: STRING, nullable: false },
    { name: 'table_name', type: STRING, nullable: false },
    { name: 'size', type: INTEGER, nullable: false },
    { name: 'records', type: INTEGER, nullable: false },
    { name: 'silver', type: INTEGER, nullable: false },
    { name: 'quarantined', type: INTEGER, nullable: false },
    { name: 'contract_version', type: INTEGER, nullable: false },
    // `claimed` while a worker holds it, `done` once its records committed, `failed` when it failed (tried again next run).
    { name: 'status', type: STRING, nullable: false },
    { name: 'processed_at', type: TIMESTAMP, nullable: false },
    // Claims (many workers): who holds the file, until when, and the fencing token a worker
    // must still hold at commit — one that stalled past its lease cannot commit.
    { name: 'worker', type: STRING },
    { name: 'lease_until', type: TIMESTAMP },
    { name: 'fence', type: INTEGER, nullable: false },
  ],
  uniqueTogether: ['source', 'key', 'version'],
};

/** The event log: every decision with its evidence. */
export const eventsTable: TableDef = {
  name: SYSTEM_TABLES.events,
  columns: [
    { name: 'event_id', type: STRING, nullable: false, unique: true },
    { name: 'at', type: TIMESTAMP, nullable: false },
    { name: 'kind', type: STRING, nullable: false },
    { name: 'table_name', type: STRING },
    { name: 'file_id', type: STRING },
    { name: 'payload', type: JSON_TYPE, nullable: false },
  ],
};

/** Incidents opened by the controller (the healing loop). */
export const incidentsTable: TableDef = {
  name: SYSTEM_TABLES.incidents,
  columns: [
    { name: 'incident_id', type: STRING, nullable: false, unique: true },
    { name: 'table_name', type: STRING, nullable: false },
    { name: 'status', type: STRING, nullable: false },
    { name: 'opened_at', type: TIMESTAMP, nullable: false },
    { name: 'updated_at', type: TIMESTAMP, nullable: false },
    { name: 'evidence', type: JSON_TYPE, nullable: false },
  ],
};

/** Every contract version, with its diff and who made it. */
export const contractsTable: TableDef = {
  name: SYSTEM_TABLES.contracts,
  columns: [
    { name: 'table_name', type: STRING, nullable: false },
    { name: 'version', type: INTEGER, nullable: false },
    { name: 'contract', type: JSON_TYPE, nullable: false },
    { name: 'source_hash', type: STRING, nullable: false },
    { name: 'diff', type: JSON_TYPE, nullable: false },
    { name: 'author', type: STRING, nullable: false },
    { name: 'created_at', type: TIMESTAMP, nullable: false },
  ],
  uniqueTogether: ['table_name', 'version'],
};

/** The controller's state per table (health, EWMA, recent batches), written with each file. */
export const controllerTable: TableDef = {
  name: SYSTEM_TABLES.controller,
  columns: [
    { name: 'table_name', type: STRING, nullable: false, unique: true },
    { name: 'state', type: JSON_TYPE, nullable: false },
    { name: 'updated_at', type: TIMESTAMP, nullable: false },
  ],
};

export function systemTables(): TableDef[] {
  return [filesTable, eventsTable, incidentsTable, contractsTable, controllerTable];
}
