/**
 * A real DuckDB warehouse file with records landed by the real pipeline (ingestFile), so
 * that the quarantine, silver and bronze rows the actuator works on are the ones
 * ingestion writes — not hand-made lookalikes.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchitect } from '../../src/agent/agent.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../../src/controller/defaults.js';
import { DEFAULT_EVOLUTION, type ColumnSpec, type Contract, type EvolutionRules } from '../../src/contract/types.js';
import type { ContractVersion } from '../../src/ledger/contract-store.js';
import { ingestFile, type FileResult } from '../../src/pipeline/ingest-file.js';
import { claimFile } from '../../src/ledger/file-ledger.js';
import type { PipelineContext } from '../../src/pipeline/pipeline-context.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../src/readers/reader.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { localSource } from '../../src/sources/local.js';
import { ensureContractTables, ensureSystemTables } from '../../src/warehouse/ensure-tables.js';
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';
import { quarantineTableName } from '../../src/warehouse/tables.js';
import type { Row, Warehouse } from '../../src/warehouse/warehouse.js';

export const TABLE = 'events';

export function column(name: string, type: ColumnSpec['type']['name'], extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { name, type: { name: type }, required: false, ...extra };
}

export function contractOf(columns: ColumnSpec[], evolution: Partial<EvolutionRules> = {}): Contract {
  return { table: TABLE, primary_key: [], columns, evolution: { ...DEFAULT_EVOLUTION, ...evolution } };
}

export function versionOf(contract: Contract, version: number): ContractVersion {
  return { table: contract.table, version, contract, hash: `test-${version}`, author: 'user', createdAt: new Date().toISOString() };
}

export interface Fixture {
  dir: string;
  warehouse: Warehouse;
  /** Lands `files` (name → text) and ingests them with `contract` as version `version`. */
  land(files: Record<string, string>, contract: Contract, version: number): Promise<FileResult[]>;
  close(): Promise<void>;
}

/** `warehouseUrl`: another warehouse (a PostgreSQL database from freshDatabase); default a DuckDB file in the fixture's folder. */
export async function openFixture(prefix: string, warehouseUrl?: string): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), `aetl-actuator-${prefix}-`));
  const landing = join(dir, 'landing');
  await mkdir(landing);
  const warehouse = await openWarehouse(warehouseUrl ?? `duckdb:${join(dir, 'warehouse.duckdb')}`, '/');
  await ensureSystemTables(warehouse);
  const source = localSource({ root: landing, uri: './landing' });
  const done = new Set<string>();
  return {
    dir,
    warehouse,
    async land(files, contract, version) {
      for (const [name, text] of Object.entries(files)) await writeFile(join(landing, name), text);
      await ensureContractTables(warehouse, contract);
      const context: PipelineContext = {
        source,
        warehouse,
        contract: versionOf(contract, version),
        validate: compileValidator(contract),
        format: 'auto',
        maxLineBytes: DEFAULT_MAX_LINE_BYTES,
        // ingestFile only observes the batch: healing (architect, policy) is run-once's step, not used here.
        controller: DEFAULT_CONTROLLER_CONFIG,
        policy: {},
        architect: createArchitect('rules'),
        worker: 'test-worker',
        leaseMs: 30_000,
      };
      const results: FileResult[] = [];
      for await (const object of source.list()) {
        if (done.has(object.key)) continue;
        done.add(object.key);
        const claim = await claimFile(warehouse, object, { source: source.uri, table: contract.table, worker: context.worker, leaseMs: context.leaseMs });
        if (claim === undefined) throw new Error(`could not claim ${object.key}`);
        results.push(await ingestFile(context, object, claim));
      }
      return results;
    },
    close: () => warehouse.close(),
  };
}

export const ndjson = (...records: unknown[]): string => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

/** Every quarantine row, by record id, for before/after comparisons. */
export async function quarantineRows(warehouse: Warehouse): Promise<Row[]> {
  return warehouse.query(`SELECT * FROM "${quarantineTableName(TABLE)}" ORDER BY "_record_id"`);
}

export async function silverRows(warehouse: Warehouse, table = TABLE): Promise<Row[]> {
  return warehouse.query(`SELECT * FROM "${table}" ORDER BY "_record_id"`);
}

/** The line numbers of rows, for readable assertions. */
export function lines(rows: readonly Row[]): number[] {
  return rows.map((row) => Number(row._line)).sort((a, b) => a - b);
}
