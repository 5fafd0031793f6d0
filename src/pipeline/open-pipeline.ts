/**
 * Opens a pipeline from its config file: source, warehouse, the current contract version
 * (registering an edited contract file as a new version) and its compiled validator.
 */
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { loadContract } from '../contract/load-contract.js';
import { registerUserContract } from '../ledger/contract-store.js';
import { createArchitect } from '../agent/agent.js';
import { parseControllerConfig } from '../controller/config.js';
import { parsePolicyConfig } from '../policy/config.js';
import { openSource } from '../sources/open-source.js';
import { ensureContractTables, ensureSystemTables } from '../warehouse/ensure-tables.js';
import { openWarehouse } from '../warehouse/open-warehouse.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { PipelineContext } from './pipeline-context.js';
import { validatorFor } from './compile-validator.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

function workerIdentity(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface OpenPipeline extends PipelineContext {
  config: LoadedConfig;
  /** Where the user's edit of the contract file and the agent's versions disagreed (the user's edit won). */
  conflicts: string[];
  close(): Promise<void>;
}

/** Opens only the warehouse (for read-only commands: status, audit, quarantine). */
export async function openConfiguredWarehouse(configPath?: string): Promise<{ config: LoadedConfig; warehouse: Warehouse }> {
  const config = await loadConfig(configPath);
  const warehouse = await openWarehouse(config.config.warehouse, config.baseDir);
  try {
    // Several workers may start at once: creating tables concurrently races inside the
    // engine's catalog (PostgreSQL), so the bootstrap runs under a warehouse-wide lock.
    await warehouse.exclusive('bootstrap', () => ensureSystemTables(warehouse));
  } catch (error) {
    await warehouse.close();
    throw error;
  }
  return { config, warehouse };
}

export async function openPipeline(configPath?: string): Promise<OpenPipeline> {
  const { config, warehouse } = await openConfiguredWarehouse(configPath);
  try {
    const { contractPath } = config;
    const loaded = await loadContract(contractPath);
    const source = openSource(config.written.source, config.baseDir, { s3: config.config.s3 });
    const contract = await warehouse.exclusive('bootstrap', async () => {
      const registered = await registerUserContract(warehouse, loaded);
      await ensureContractTables(warehouse, registered.contract);
      return registered;
    });
    return {
      config,
      source,
      warehouse,
      contract,
      conflicts: contract.conflicts,
      validate: validatorFor(warehouse, contract.contract),
      format: config.config.format,
      maxLineBytes: config.config.max_line_bytes,
      limits: { maxRecordKeys: config.config.max_record_keys, maxTableColumns: config.config.max_table_columns },
      controller: parseControllerConfig(config.config.controller),
      policy: parsePolicyConfig(config.config.policy),
      architect: createArchitect('rules'),
      worker: workerIdentity(),
      leaseMs: config.config.lease_seconds * 1000,
      close: () => warehouse.close(),
    };
  } catch (error) {
    await warehouse.close();
    throw error;
  }
}
