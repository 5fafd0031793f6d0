/**
 * Contract versions in `_aetl_contracts`, in layers. The user's contract file is the base
 * layer: version 1, and a new version whenever the file is edited (a different normalized
 * hash). The agent's healing actions are versions on top of it. When the user edits the
 * file after the agent changed the contract, the new version is the edited file with the
 * agent's changes re-applied (contract/rebase.ts): the user's edit wins where the two
 * touch the same thing, and those conflicts are recorded and returned, never dropped.
 */
import { diffContracts, type ContractChange } from '../contract/diff.js';
import { rebaseAgentChanges } from '../contract/rebase.js';
import { contractHash } from '../contract/serialize.js';
import type { Contract } from '../contract/types.js';
import { AetlError } from '../util/errors.js';
import { nowMicros } from '../util/time.js';
import { contractsTable, eventsTable } from '../warehouse/tables.js';
import type { Dialect, Warehouse, WarehouseSession } from '../warehouse/warehouse.js';
import { appendEvents, toJsonText, type EventInput } from './event-log.js';

export type ContractAuthor = 'user' | 'agent:rules' | 'agent:llm';

export interface ContractVersion {
  table: string;
  version: number;
  contract: Contract;
  /**
   * `source_hash`: for a user version the hash of the contract file as the user wrote it
   * (which differs from contractHash(contract) when agent changes were re-applied on top);
   * for an agent version the hash of its contract.
   */
  hash: string;
  author: ContractAuthor;
  createdAt: string;
  /** Changes from the previous version; set on every version read back or written here. */
  diff?: ContractChange[];
}

/** The version registerUserContract settled on, and what could not be re-applied. */
export interface RegisteredContract extends ContractVersion {
  /** Agent changes not re-applied on the edited file because the user's edit won; empty when none. */
  conflicts: string[];
}

interface ContractRow {
  [column: string]: string | bigint | null;
  table_name: string;
  version: bigint;
  contract: string;
  source_hash: string;
  diff: string;
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
    createdAt: String(row.created_at),
    diff: JSON.parse(row.diff) as ContractChange[],
  };
}

async function versions(session: WarehouseSession, dialect: Dialect, table: string, where = '', params: bigint[] = [], tail = ''): Promise<ContractVersion[]> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await session.query<ContractRow>(
    `SELECT * FROM ${q(contractsTable.name)} WHERE ${q('table_name')} = ${p(1)}${where} ORDER BY ${q('version')}${tail}`,
    [table, ...params],
  );
  return rows.map(fromRow);
}

/** Every version of a table's contract, oldest first. */
export async function contractHistory(warehouse: Warehouse, table: string): Promise<ContractVersion[]> {
  return versions(warehouse, warehouse.dialect, table);
}

export async function latestContract(warehouse: Warehouse, table: string): Promise<ContractVersion | undefined> {
  return (await versions(warehouse, warehouse.dialect, table, '', [], ' DESC LIMIT 1'))[0];
}

/** One version of a table's contract, or undefined when there is no such version. */
export async function contractVersionAt(warehouse: Warehouse, table: string, version: number): Promise<ContractVersion | undefined> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  return (await versions(warehouse, warehouse.dialect, table, ` AND ${q('version')} = ${p(2)}`, [BigInt(version)]))[0];
}

async function insertVersion(session: WarehouseSession, entry: ContractVersion & { diff: ContractChange[] }, events: EventInput[]): Promise<void> {
  const writer = await session.bulkWriter(contractsTable.name, contractsTable.columns);
  writer.append([entry.table, BigInt(entry.version), toJsonText(entry.contract), entry.hash, toJsonText(entry.diff), entry.author, nowMicros()]);
  await writer.close();
  await appendEvents(session, events);
}

/**
 * Records `next` as the version after `current`, with its diff, in the caller's
 * transaction (so the version commits with the DDL and the incident update it belongs
 * to). Returns `current` unchanged when `next` changes nothing. Throws a transient
 * `warehouse_failed` when `current` is no longer the latest version (someone else wrote one).
 */
export async function recordAgentVersion(
  session: WarehouseSession,
  dialect: Dialect,
  current: ContractVersion,
  next: Contract,
  author: ContractAuthor,
  note?: string,
): Promise<ContractVersion> {
  const diff = diffContracts(current.contract, next);
  if (diff.length === 0) return current;
  const { quoteIdent: q, placeholder: p } = dialect;
  const rows = await session.query(
    `SELECT max(${q('version')}) AS ${q('latest')} FROM ${q(contractsTable.name)} WHERE ${q('table_name')} = ${p(1)}`,
    [current.table],
  );
  const latest = Number(rows[0]?.latest ?? 0);
  if (latest !== current.version) {
    throw new AetlError('warehouse_failed', `contract \`${current.table}\` is at version ${latest}, not ${current.version}; the change was planned against an older version`, {
      kind: 'transient',
      hint: 'reload the latest contract version and plan again',
    });
  }
  const version = current.version + 1;
  const entry = { table: current.table, version, contract: next, hash: contractHash(next), author, createdAt: new Date().toISOString(), diff };
  const payload: Record<string, unknown> = { version, author, diff };
  if (note !== undefined) payload.note = note;
  await insertVersion(session, entry, [{ kind: 'contract_version', table: current.table, payload }]);
  return entry;
}

/**
 * The contract file behind a user version: the stored contract itself, unless agent
 * changes were re-applied on it — then the file's contract kept in the version's event.
 */
async function userFileContract(warehouse: Warehouse, version: ContractVersion): Promise<Contract> {
  if (contractHash(version.contract) === version.hash) return version.contract;
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const rows = await warehouse.query(
    `SELECT ${q('payload')} FROM ${q(eventsTable.name)} WHERE ${q('kind')} = ${p(1)} AND ${q('table_name')} = ${p(2)}`,
    ['contract_version', version.table],
  );
  for (const row of rows) {
    const payload = JSON.parse(String(row.payload)) as { version?: number; userContract?: Contract };
    if (payload.version === version.version && payload.userContract !== undefined) return payload.userContract;
  }
  // Not expected: the event is written with the version. The stored contract is the closest base.
  return version.contract;
}

/**
 * The current version for the user's contract file: the latest stored one when the file
 * is unchanged, else a new version — the edited file with the agent's changes since the
 * previous file re-applied — recorded with its diff, a `contract_version` event and, when
 * some agent change could not be re-applied, a `contract_conflict` event.
 */
export async function registerUserContract(warehouse: Warehouse, loaded: { contract: Contract; hash: string }): Promise<RegisteredContract> {
  const table = loaded.contract.table;
  const history = await contractHistory(warehouse, table);
  const latest = history.at(-1);
  const lastUser = history.filter((version) => version.author === 'user').at(-1);
  if (latest !== undefined && lastUser?.hash === loaded.hash) return { ...latest, conflicts: [] };

  let contract = loaded.contract;
  let conflicts: string[] = [];
  if (latest !== undefined) {
    // Rebased even without agent versions since: the last user version may carry re-applied changes.
    const base = await userFileContract(warehouse, lastUser ?? (history[0] as ContractVersion));
    ({ contract, conflicts } = rebaseAgentChanges(base, latest.contract, loaded.contract));
  }
  const version = (latest?.version ?? 0) + 1;
  const diff = latest === undefined ? [] : diffContracts(latest.contract, contract);
  const payload: Record<string, unknown> = { version, author: 'user', diff };
  if (contractHash(contract) !== loaded.hash) payload.userContract = loaded.contract;
  if (conflicts.length > 0) payload.conflicts = conflicts;
  const events: EventInput[] = [{ kind: 'contract_version', table, payload }];
  if (conflicts.length > 0) events.push({ kind: 'contract_conflict', table, payload: { version, conflicts } });
  const entry = { table, version, contract, hash: loaded.hash, author: 'user' as const, createdAt: new Date().toISOString(), diff };
  await warehouse.transaction((tx) => insertVersion(tx, entry, events));
  return { ...entry, conflicts };
}

/** The newest version number of a table's contract (0 when none): a cheap check before each file. */
export async function latestVersionNumber(warehouse: Warehouse, table: string): Promise<number> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const [row] = await warehouse.query(`SELECT max(${q('version')}) AS v FROM ${q(contractsTable.name)} WHERE ${q('table_name')} = ${p(1)}`, [table]);
  return row?.v === null || row?.v === undefined ? 0 : Number(row.v);
}
