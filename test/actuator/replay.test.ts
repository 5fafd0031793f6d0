import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/agent/actions.js';
import { applyDdl } from '../../src/actuator/apply-ddl.js';
import { ddlForAction } from '../../src/actuator/ddl-for-action.js';
import { replayQuarantine, type ReplayOptions } from '../../src/actuator/replay.js';
import type { Contract } from '../../src/contract/types.js';
import { auditTable } from '../../src/ledger/audit.js';
import type { Reason } from '../../src/sensor/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { quarantineTable, silverTable } from '../../src/warehouse/tables.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { column, contractOf, lines, ndjson, openFixture, quarantineRows, silverRows, TABLE, type Fixture } from './_fixture.js';

const v1 = contractOf([column('id', 'string', { required: true }), column('n', 'integer')], { new_column: 'quarantine' });
const ADD_DEVICE: Action = { kind: 'add_column', column: 'device', type: { name: 'string' } };
const WIDEN_N: Action = { kind: 'widen_type', column: 'n', from: { name: 'integer' }, to: { name: 'double' } };
const withDevice = contractOf([...v1.columns, column('device', 'string')], v1.evolution);
const nDouble = contractOf([v1.columns[0]!, column('n', 'double')], v1.evolution);
const both = contractOf([v1.columns[0]!, column('n', 'double'), column('device', 'string')], v1.evolution);

/** Line by line: what each record is under v1. */
const FILE = ndjson(
  { id: 'a1', n: 1 }, // 1 valid
  { id: 'a2', n: 2, device: 'ios' }, // 2 unknown device
  { id: 'a3', n: '42', device: 'web' }, // 3 unknown device (n coerced once valid)
  { id: 'a4', n: 1.5 }, // 4 n is not an integer
  { id: 'a5', n: 2.5, device: 'ios' }, // 5 both
  '{"id": "a6", broken', // 6 malformed
  { n: 7, device: 'ios' }, // 7 id missing: never valid
);

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function landed(prefix: string): Promise<Fixture> {
  fixture = await openFixture(prefix);
  await fixture.land({ 'a.ndjson': FILE }, v1, 1);
  return fixture;
}

/** Evolves the table for `actions` and returns the replay options for `contract` as version `version`. */
async function evolve(f: Fixture, contract: Contract, version: number, actions: Action[]): Promise<ReplayOptions> {
  await f.warehouse.transaction(async (tx) => {
    for (const action of actions) await applyDdl(tx, ddlForAction(f.warehouse.dialect, v1, action));
  });
  return { table: TABLE, contractVersion: version, validate: compileValidator(contract), silverColumns: silverTable(contract).columns, incidentId: null };
}

const byLine = (rows: readonly Row[], line: number) => rows.find((row) => Number(row._line) === line) as Row;
const reasonsOf = (row: Row) => (JSON.parse(String(row.reasons)) as Reason[]).map((r) => `${r.kind}:${r.column ?? '*'}`);

describe('replayQuarantine', () => {
  it('promotes records an added column makes valid, and a second replay changes nothing', async () => {
    const f = await landed('add');
    expect(lines(await silverRows(f.warehouse))).toEqual([1]);
    const options = await evolve(f, withDevice, 2, [ADD_DEVICE]);

    const first = await replayQuarantine(f.warehouse, { ...options, incidentId: 'inc-1', pageSize: 2 });
    expect(first).toEqual({ examined: 6, promoted: 2, stillInvalid: 3, malformed: 1, alreadyInSilver: 0 });

    const silver = await silverRows(f.warehouse);
    expect(lines(silver)).toEqual([1, 2, 3]);
    expect(byLine(silver, 2)).toMatchObject({ id: 'a2', n: 2n, device: 'ios', _contract_version: 2n, _file: 'a.ndjson', _coercions: null });
    expect(byLine(silver, 3)).toMatchObject({ id: 'a3', n: 42n, device: 'web', _contract_version: 2n });
    expect(JSON.parse(String(byLine(silver, 3)._coercions))).toEqual([{ column: 'n', from: 'string', to: 'integer', original: '42' }]);
    expect(byLine(silver, 1)).toMatchObject({ device: null, _contract_version: 1n });

    const quarantine = await quarantineRows(f.warehouse);
    for (const line of [2, 3]) {
      expect(byLine(quarantine, line)).toMatchObject({ status: 'replayed', incident_id: 'inc-1', contract_version: 1n });
      expect(byLine(quarantine, line).resolved_at).not.toBeNull();
    }
    for (const line of [4, 5, 6, 7]) expect(byLine(quarantine, line)).toMatchObject({ status: 'open', incident_id: null, resolved_at: null });

    const audit = await auditTable(f.warehouse, TABLE);
    expect(audit.orphans).toBe(0);
    expect(audit.files).toEqual([expect.objectContaining({ records: 7, bronze: 7, silver: 3, quarantined: 4, inBoth: 0, duplicates: 0, ok: true })]);

    const second = await replayQuarantine(f.warehouse, { ...options, incidentId: 'inc-2' });
    expect(second).toEqual({ examined: 4, promoted: 0, stillInvalid: 3, malformed: 1, alreadyInSilver: 0 });
    expect(await silverRows(f.warehouse)).toEqual(silver);
    expect(await quarantineRows(f.warehouse)).toEqual(quarantine);
    expect((await auditTable(f.warehouse, TABLE)).files[0]?.ok).toBe(true);
  });

  it('writes promoted rows exactly as ingestion writes them under the new version', async () => {
    const f = await landed('same-as-ingest');
    const options = await evolve(f, withDevice, 2, [ADD_DEVICE]);
    await replayQuarantine(f.warehouse, options);

    const direct = await openFixture('same-as-ingest-direct');
    try {
      await direct.land({ 'a.ndjson': FILE }, withDevice, 2);
      const comparable = (rows: readonly Row[]) =>
        rows.map(({ _record_id: _r, _file_id: _f, _ingested_at: _i, ...rest }) => rest).sort((a, b) => Number(a._line) - Number(b._line));
      const replayed = (await silverRows(f.warehouse)).filter((row) => row._contract_version === 2n);
      const ingested = (await silverRows(direct.warehouse)).filter((row) => [2, 3].includes(Number(row._line)));
      expect(replayed).toHaveLength(2);
      expect(comparable(replayed)).toEqual(comparable(ingested));
      // Same record, same id: the id is the file's identity plus the line, whichever path wrote it.
      const quarantined = await quarantineRows(f.warehouse);
      expect(replayed.map((row) => row._record_id).sort()).toEqual([byLine(quarantined, 2), byLine(quarantined, 3)].map((row) => row._record_id).sort());
    } finally {
      await direct.close();
    }
  });

  it('promotes doubles after an integer column is widened to double', async () => {
    const f = await landed('widen');
    const options = await evolve(f, nDouble, 2, [WIDEN_N]);
    expect((await f.warehouse.describeTable(TABLE))?.find((c) => c.name === 'n')?.engineType).toBe('DOUBLE');

    const result = await replayQuarantine(f.warehouse, options);
    expect(result).toMatchObject({ promoted: 1, stillInvalid: 4, malformed: 1 });
    const silver = await silverRows(f.warehouse);
    expect(silver.map((row) => [Number(row._line), row.n])).toEqual([
      [1, 1],
      [4, 1.5],
    ]);
    expect((await auditTable(f.warehouse, TABLE)).files[0]?.ok).toBe(true);
  });

  it('replays only the rows `select` picks: an incident replays its own records', async () => {
    const f = await landed('select');
    const options = await evolve(f, both, 3, [ADD_DEVICE, WIDEN_N]);
    const before = byLine(await quarantineRows(f.warehouse), 4);
    const has = (kind: Reason['kind'], name: string) => (reasons: Reason[]) => reasons.some((r) => r.kind === kind && r.column === name);

    const device = await replayQuarantine(f.warehouse, { ...options, incidentId: 'inc-device', select: has('unknown_column', 'device') });
    expect(device).toEqual({ examined: 4, promoted: 3, stillInvalid: 1, malformed: 0, alreadyInSilver: 0 });
    let quarantine = await quarantineRows(f.warehouse);
    expect([2, 3, 5].map((line) => byLine(quarantine, line).incident_id)).toEqual(['inc-device', 'inc-device', 'inc-device']);
    // Line 4 holds only the widening's reason: untouched, not even re-judged.
    expect(byLine(quarantine, 4)).toEqual(before);

    const widen = await replayQuarantine(f.warehouse, { ...options, incidentId: 'inc-widen', select: has('type_mismatch', 'n') });
    expect(widen).toEqual({ examined: 1, promoted: 1, stillInvalid: 0, malformed: 0, alreadyInSilver: 0 });
    quarantine = await quarantineRows(f.warehouse);
    expect(byLine(quarantine, 4)).toMatchObject({ status: 'replayed', incident_id: 'inc-widen' });
    expect(lines(await silverRows(f.warehouse))).toEqual([1, 2, 3, 4, 5]);
    expect((await auditTable(f.warehouse, TABLE)).files[0]?.ok).toBe(true);
  });

  it('keeps still-invalid rows open with the current version\'s reasons; malformed rows are left as they were', async () => {
    const f = await landed('still-invalid');
    const quarantinedBefore = await quarantineRows(f.warehouse);
    expect(reasonsOf(byLine(quarantinedBefore, 5)).sort()).toEqual(['type_mismatch:n', 'unknown_column:device']);
    expect(reasonsOf(byLine(quarantinedBefore, 7)).sort()).toEqual(['missing_required:id', 'unknown_column:device']);

    const options = await evolve(f, withDevice, 2, [ADD_DEVICE]);
    await replayQuarantine(f.warehouse, options);
    const after = await quarantineRows(f.warehouse);
    expect(byLine(after, 5)).toMatchObject({ status: 'open', contract_version: 2n, resolved_at: null });
    expect(reasonsOf(byLine(after, 5))).toEqual(['type_mismatch:n']);
    expect(reasonsOf(byLine(after, 7))).toEqual(['missing_required:id']);
    expect(byLine(after, 6)).toEqual(byLine(quarantinedBefore, 6));
    expect(reasonsOf(byLine(after, 6))).toEqual(['malformed:*']);
  });

  it('leaves everything unchanged when it fails midway', async () => {
    const f = await landed('crash');
    const options = await evolve(f, withDevice, 2, [ADD_DEVICE]);
    const silver = await silverRows(f.warehouse);
    const quarantine = await quarantineRows(f.warehouse);
    let calls = 0;
    const crashing: ReplayOptions = {
      ...options,
      pageSize: 1,
      validate: (record) => {
        calls += 1;
        if (calls === 3) throw new Error('crash in the middle of the replay');
        return options.validate(record);
      },
    };
    await expect(replayQuarantine(f.warehouse, crashing)).rejects.toThrow('crash in the middle');
    expect(calls).toBe(3); // two pages had been promoted when it failed
    expect(await silverRows(f.warehouse)).toEqual(silver);
    expect(await quarantineRows(f.warehouse)).toEqual(quarantine);
    expect(await f.warehouse.describeTable('_aetl_replay_events')).toBeUndefined();

    expect(await replayQuarantine(f.warehouse, options)).toMatchObject({ promoted: 2 });
    expect((await auditTable(f.warehouse, TABLE)).files[0]?.ok).toBe(true);
  });

  it('never appends a record silver already holds, and resolves its open row', async () => {
    const f = await landed('in-silver');
    const open = byLine(await quarantineRows(f.warehouse), 4);
    // A state audit flags (in both): the record reached silver while its row stayed open.
    const writer = await f.warehouse.bulkWriter(TABLE, silverTable(v1).columns);
    writer.append(['a4', 1n, String(open._record_id), String(open._file_id), 'a.ndjson', 4n, 1n, null, 0n]);
    await writer.close();
    expect((await auditTable(f.warehouse, TABLE)).files[0]).toMatchObject({ inBoth: 1, ok: false });

    const options = await evolve(f, nDouble, 2, [WIDEN_N]);
    expect(await replayQuarantine(f.warehouse, options)).toMatchObject({ promoted: 0, alreadyInSilver: 1 });
    const silver = await silverRows(f.warehouse);
    expect(silver.filter((row) => row._record_id === open._record_id)).toHaveLength(1);
    expect(byLine(await quarantineRows(f.warehouse), 4)).toMatchObject({ status: 'replayed' });
    expect((await auditTable(f.warehouse, TABLE)).files[0]?.ok).toBe(true);
  });

  it('refuses to replay when an open record id repeats, before writing anything', async () => {
    const f = await landed('duplicate');
    const copy = byLine(await quarantineRows(f.warehouse), 2);
    const writer = await f.warehouse.bulkWriter('quarantine_events', quarantineTable(TABLE).columns);
    writer.append([
      String(copy._record_id), String(copy._file_id), 'a.ndjson', 2n, String(copy._raw), 'utf8', String(copy._value), false,
      String(copy.reasons), 1n, 'open', null, 0n, null,
    ]);
    await writer.close();
    const silver = await silverRows(f.warehouse);
    const quarantine = await quarantineRows(f.warehouse);
    const options = await evolve(f, withDevice, 2, [ADD_DEVICE]);
    await expect(replayQuarantine(f.warehouse, options)).rejects.toThrow(/holds 1 open row\(s\) whose _record_id repeats another/);
    expect(await silverRows(f.warehouse)).toEqual(silver.map((row) => ({ ...row, device: null })));
    expect(await quarantineRows(f.warehouse)).toEqual(quarantine);
  });
});
