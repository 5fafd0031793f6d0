/**
 * Contract versions in `_aetl_contracts`. The user's contract file is version 1; an edit
 * of the file (a different normalized hash) becomes the next version, with its diff.
 */
import { diffContracts } from '../contract/diff.js';
import type { Contract } from '../contract/types.js';
import { nowMicros } from '../util/time.js';
import { appendEvents, toJsonText } from './event-log.js';
import { contractsTable } from '../warehouse/tables.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export type ContractAuthor = 'user' | 'agent:rules' | 'agent:llm';

export interface ContractVersion {
  table: string;
  version: number;
  contract: Contract;
  hash: string;
  author: ContractAuthor;
  createdAt: string;
}

interface ContractRow {
  [column: string]: string | bigint | null;
  table_name: string;
  version: bigint;
  contract: string;
  source_hash: string;
  author: string;
  created_at: string;
}

function fromRow(row: ContractRow): ContractVersion {
  return {
    table: row.table_name,
    version: Number(row.version),
    contract: JSON.parse(row.contract) as Contract,
    hash: row.source_hash,
    author: row.author as ContractAuthor,
    createdAt: row.created_at,
  };
}

export async function contractHistory(warehouse: Warehouse, table: string): Promise<ContractVersion[]> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query<ContractRow>(
    `SELECT * FROM ${q(contractsTable.name)} WHERE ${q('table_name')} = ${p(1)} ORDER BY ${q('version')}`,
    [table],
  );
  return rows.map(fromRow);
}

export async function latestContract(warehouse: Warehouse, table: string): Promise<ContractVersion | undefined> {
  const history = await contractHistory(warehouse, table);
  return history.at(-1);
}

/**
 * The current version for the user's contract file: the latest stored one when the file
 * is unchanged, else a new version recorded with its diff (and an event).
 */
export async function registerUserContract(
  warehouse: Warehouse,
  loaded: { contract: Contract; hash: string },
): Promise<ContractVersion> {
  const table = loaded.contract.table;
  const history = await contractHistory(warehouse, table);
  const latest = history.at(-1);
  const latestFromUser = history.filter((version) => version.author === 'user').at(-1);
  if (latest !== undefined && latestFromUser?.hash === loaded.hash) return latest;

  const version = (latest?.version ?? 0) + 1;
  const diff = latest === undefined ? [] : diffContracts(latest.contract, loaded.contract);
  await warehouse.transaction(async (tx) => {
    const writer = await tx.bulkWriter(contractsTable.name, contractsTable.columns);
    writer.append([table, BigInt(version), toJsonText(loaded.contract), loaded.hash, toJsonText(diff), 'user', nowMicros()]);
    await writer.close();
    await appendEvents(tx, [{ kind: 'contract_version', table, payload: { version, author: 'user', diff } }]);
  });
  return { table, version, contract: loaded.contract, hash: loaded.hash, author: 'user', createdAt: new Date().toISOString() };
}
