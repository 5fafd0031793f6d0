import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyAction } from '../../src/contract/apply-action.js';
import { parseContract } from '../../src/contract/load-contract.js';
import { contractHash } from '../../src/contract/serialize.js';
import type { Contract } from '../../src/contract/types.js';
import {
  contractHistory,
  contractVersionAt,
  latestContract,
  recordAgentVersion,
  registerUserContract,
  type ContractVersion,
} from '../../src/ledger/contract-store.js';
import { ensureSystemTables } from '../../src/warehouse/ensure-tables.js';
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

const HEAD = `table: events
primary_key: [event_id]
columns:
  event_id: {type: string, required: true}
`;

function userFile(columns: string): { contract: Contract; hash: string } {
  const contract = parseContract(`${HEAD}${columns}`, 'events.yaml');
  return { contract, hash: contractHash(contract) };
}

const FILE_V1 = userFile('  user_id: {type: integer, min: 0}\n  device: {type: string}\n');

let warehouse: Warehouse;

beforeEach(async () => {
  warehouse = await openWarehouse('duckdb::memory:', '/');
  await ensureSystemTables(warehouse);
});

afterEach(async () => {
  await warehouse.close();
});

/** What the actuator does: one agent version per action, in one transaction. */
async function agentApplies(current: ContractVersion, action: Parameters<typeof applyAction>[1]): Promise<ContractVersion> {
  const { contract } = applyAction(current.contract, action);
  return warehouse.transaction((tx) => recordAgentVersion(tx, warehouse.dialect, current, contract, 'agent:rules', 'incident 1'));
}

async function events(kind: string): Promise<Record<string, unknown>[]> {
  const rows = await warehouse.query(`SELECT payload FROM _aetl_events WHERE kind = ${warehouse.dialect.placeholder(1)}`, [kind]);
  // Events of one millisecond share a timestamp: order by the version they are about.
  return rows.map((row) => JSON.parse(String(row.payload)) as Record<string, unknown>).sort((a, b) => Number(a.version) - Number(b.version));
}

describe('contract versions in layers', () => {
  it('registers the file once, and again only when it changes', async () => {
    const v1 = await registerUserContract(warehouse, FILE_V1);
    expect(v1).toMatchObject({ table: 'events', version: 1, author: 'user', contract: FILE_V1.contract, conflicts: [] });
    expect((await registerUserContract(warehouse, FILE_V1)).version).toBe(1);
    expect(await contractHistory(warehouse, 'events')).toHaveLength(1);
  });

  it('records an agent version with its diff and event, and rolls it back with the transaction', async () => {
    const v1 = await registerUserContract(warehouse, FILE_V1);
    const v2 = await agentApplies(v1, { kind: 'add_column', column: 'session_id', type: { name: 'string' } });
    expect(v2).toMatchObject({ version: 2, author: 'agent:rules', hash: contractHash(v2.contract) });
    const stored = await contractVersionAt(warehouse, 'events', 2);
    expect(stored).toMatchObject({ version: 2, author: 'agent:rules', contract: v2.contract });
    expect(stored?.diff).toEqual([{ kind: 'column_added', column: 'session_id', spec: { name: 'session_id', type: { name: 'string' }, required: false } }]);
    expect((await events('contract_version')).at(-1)).toMatchObject({ version: 2, author: 'agent:rules', note: 'incident 1' });

    const { contract: v3contract } = applyAction(v2.contract, { kind: 'rename_column', from: 'device_type', to: 'device' });
    await expect(
      warehouse.transaction(async (tx) => {
        await recordAgentVersion(tx, warehouse.dialect, v2, v3contract, 'agent:llm');
        throw new Error('the DDL failed');
      }),
    ).rejects.toThrow('the DDL failed');
    expect((await latestContract(warehouse, 'events'))?.version).toBe(2);
    expect(await contractVersionAt(warehouse, 'events', 3)).toBeUndefined();
  });

  it('refuses a version planned against an older one, and records nothing for no change', async () => {
    const v1 = await registerUserContract(warehouse, FILE_V1);
    await agentApplies(v1, { kind: 'add_column', column: 'session_id', type: { name: 'string' } });
    const stale = applyAction(v1.contract, { kind: 'add_column', column: 'country', type: { name: 'string' } }).contract;
    await expect(warehouse.transaction((tx) => recordAgentVersion(tx, warehouse.dialect, v1, stale, 'agent:rules'))).rejects.toMatchObject({
      code: 'warehouse_failed',
      kind: 'transient',
    });
    const latest = (await latestContract(warehouse, 'events')) as ContractVersion;
    expect(await warehouse.transaction((tx) => recordAgentVersion(tx, warehouse.dialect, latest, latest.contract, 'agent:rules'))).toBe(latest);
    expect(await contractHistory(warehouse, 'events')).toHaveLength(2);
  });

  it('keeps the agent’s changes when the user edits the file: v3 holds both, by the user, without conflict', async () => {
    const v1 = await registerUserContract(warehouse, FILE_V1);
    const v2 = await agentApplies(v1, { kind: 'add_column', column: 'session_id', type: { name: 'string' } });
    // A restart with the same file keeps the agent's version current.
    expect(await registerUserContract(warehouse, FILE_V1)).toMatchObject({ version: 2, contract: v2.contract, conflicts: [] });

    const fileV2 = userFile('  user_id: {type: integer, min: 0}\n  device: {type: string}\n  country: {type: string}\n');
    const v3 = await registerUserContract(warehouse, fileV2);
    expect(v3).toMatchObject({ version: 3, author: 'user', hash: fileV2.hash, conflicts: [] });
    expect(v3.contract.columns.map((column) => column.name)).toEqual(['event_id', 'user_id', 'device', 'country', 'session_id']);
    expect((await contractVersionAt(warehouse, 'events', 3))?.diff).toEqual([
      { kind: 'column_added', column: 'country', spec: { name: 'country', type: { name: 'string' }, required: false } },
    ]);
    expect(await events('contract_conflict')).toEqual([]);

    // Unchanged file: still v3. A later edit that drops nothing of the agent's keeps session_id
    // even though the user's file never had it (the base is the file, not the merged version).
    expect((await registerUserContract(warehouse, fileV2)).version).toBe(3);
    const fileV3 = userFile('  user_id: {type: integer, min: 0}\n  device: {type: string}\n  country: {type: string, description: "ISO code"}\n');
    const v4 = await registerUserContract(warehouse, fileV3);
    expect(v4).toMatchObject({ version: 4, conflicts: [] });
    expect(v4.contract.columns.map((column) => column.name)).toContain('session_id');
  });

  it('reports a conflict when the user edits the column the agent changed; the user’s edit wins', async () => {
    const v1 = await registerUserContract(warehouse, FILE_V1);
    const v2 = await agentApplies(v1, { kind: 'widen_type', column: 'user_id', from: { name: 'integer' }, to: { name: 'double' } });
    await agentApplies(v2, { kind: 'rename_column', from: 'device_type', to: 'device' });

    const edited = userFile('  user_id: {type: "decimal(20,0)", min: 0}\n  device: {type: string}\n');
    const v4 = await registerUserContract(warehouse, edited);
    expect(v4.version).toBe(4);
    expect(v4.conflicts).toEqual(['the agent widened `user_id` from integer to double, but you changed it to decimal(20,0); kept yours']);
    expect(v4.contract.columns.find((column) => column.name === 'user_id')?.type).toEqual({ name: 'decimal', precision: 20, scale: 0 });
    expect(v4.contract.columns.find((column) => column.name === 'device')?.aliases).toEqual(['device_type']);
    expect(await events('contract_conflict')).toEqual([{ version: 4, conflicts: v4.conflicts }]);
    expect((await events('contract_version')).at(-1)).toMatchObject({ version: 4, author: 'user', conflicts: v4.conflicts, userContract: edited.contract });
    expect((await latestContract(warehouse, 'events'))?.contract).toEqual(v4.contract);
  });
});
