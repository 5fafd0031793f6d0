/** `agentic-etl contract show|history|diff|export`: the contract's versions, who made them, and what changed. */
import type { Command } from 'commander';
import { describeChange, diffContracts } from '../contract/diff.js';
import { contractToYaml } from '../contract/serialize.js';
import { contractHistory, type ContractVersion } from '../ledger/contract-store.js';
import { openConfiguredWarehouse } from '../pipeline/open-pipeline.js';
import { AetlError } from '../util/errors.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { printJson, printTable, say } from './_output.js';
import { resolveTable } from './_resolve-table.js';

interface ContractOptions {
  table?: string;
  json?: boolean;
}

async function withHistory<T>(command: Command, options: ContractOptions, work: (history: ContractVersion[], warehouse: Warehouse) => T): Promise<T> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const { warehouse } = await openConfiguredWarehouse(config);
  try {
    const table = await resolveTable(warehouse, options.table);
    return work(await contractHistory(warehouse, table), warehouse);
  } finally {
    await warehouse.close();
  }
}

function pick(history: ContractVersion[], version: string | undefined): ContractVersion {
  if (version === undefined) return history.at(-1)!;
  const n = Number(version);
  const found = history.find((v) => v.version === n);
  if (found === undefined) {
    throw new AetlError('not_found', `contract version ${version} does not exist`, { hint: `versions are 1 to ${history.length}; see \`agentic-etl contract history\`` });
  }
  return found;
}

export async function contractShow(which: string | undefined, options: ContractOptions, command: Command): Promise<number> {
  return withHistory(command, options, (history) => {
    const version = pick(history, which);
    if (options.json) printJson(version);
    else process.stdout.write(contractToYaml(version.contract, { header: [`version ${version.version} by ${version.author}, ${version.createdAt}`] }));
    return 0;
  });
}

/** The current version as YAML, to replace the contract file with what the agent evolved. */
export async function contractExport(which: string | undefined, options: ContractOptions, command: Command): Promise<number> {
  return withHistory(command, options, (history) => {
    const version = pick(history, which);
    process.stdout.write(contractToYaml(version.contract, { header: [`exported from agentic-etl: version ${version.version} (${version.author})`] }));
    return 0;
  });
}

export async function contractHistoryCommand(options: ContractOptions, command: Command): Promise<number> {
  return withHistory(command, options, (history) => {
    if (options.json) {
      printJson(history.map((v, i) => ({ version: v.version, author: v.author, createdAt: v.createdAt, changes: i === 0 ? [] : diffContracts(history[i - 1]!.contract, v.contract) })));
      return 0;
    }
    printTable(
      ['version', 'author', 'created', 'changes'],
      history.map((v, i) => [v.version, v.author, v.createdAt.slice(0, 19), i === 0 ? 'initial' : diffContracts(history[i - 1]!.contract, v.contract).map(describeChange).join('; ') || 'none']),
    );
    return 0;
  });
}

export async function contractDiff(v1: string | undefined, v2: string | undefined, options: ContractOptions, command: Command): Promise<number> {
  return withHistory(command, options, (history) => {
    const to = pick(history, v2 ?? (v1 === undefined ? undefined : String(history.at(-1)!.version)));
    const from = pick(history, v1 ?? String(Math.max(1, to.version - 1)));
    const changes = diffContracts(from.contract, to.contract);
    if (options.json) printJson({ from: from.version, to: to.version, changes });
    else if (changes.length === 0) say(`v${from.version} → v${to.version}: no changes`);
    else {
      say(`v${from.version} → v${to.version}:`);
      for (const change of changes) say(`  - ${describeChange(change)}`);
    }
    return 0;
  });
}
