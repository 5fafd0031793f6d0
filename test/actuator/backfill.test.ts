import { afterEach, describe, expect, it } from 'vitest';
import { applyDdl } from '../../src/actuator/apply-ddl.js';
import { backfillColumn } from '../../src/actuator/backfill.js';
import { ddlForAction } from '../../src/actuator/ddl-for-action.js';
import type { ColumnSpec } from '../../src/contract/types.js';
import { auditTable } from '../../src/ledger/audit.js';
import { column, contractOf, ndjson, openFixture, silverRows, TABLE, type Fixture } from './_fixture.js';

const ignoring = contractOf([column('id', 'string', { required: true }), column('n', 'integer')], { new_column: 'ignore' });

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Records landed while `device` was ignored: in silver without it, in bronze with it. */
async function landedIgnoring(prefix: string): Promise<Fixture> {
  fixture = await openFixture(prefix);
  const results = await fixture.land(
    {
      'a.ndjson': ndjson(
        { id: 'b1', n: 1, device: 'ios' },
        { id: 'b2', n: 2, device: 7 },
        { id: 'b3', n: 3 },
        { id: 'b4', n: 4, device: { os: 'x' } },
        { id: 'b5', n: 5, device: null },
        { id: 'b6', n: 6, ' device ': 'web' },
      ),
      'b.csv': 'id,n,device\nc1,1,android\n',
      'c.ndjson': ndjson({ id: 'd1', n: 1, deviceType: 'tv' }),
    },
    ignoring,
    1,
  );
  expect(results.map((r) => [r.key, r.silver, r.quarantined])).toEqual([['a.ndjson', 6, 0], ['b.csv', 1, 0], ['c.ndjson', 1, 0]]);
  await fixture.warehouse.transaction((tx) =>
    applyDdl(tx, ddlForAction(fixture!.warehouse.dialect, ignoring, { kind: 'add_column', column: 'device', type: { name: 'string' } })),
  );
  return fixture;
}

const deviceById = async (f: Fixture) => Object.fromEntries((await silverRows(f.warehouse)).map((row) => [row.id, row.device]));

describe('backfillColumn', () => {
  it('fills a column added after its records landed, from bronze, and a second run changes nothing', async () => {
    const f = await landedIgnoring('fill');
    // rename_column gives a column aliases; the spec is read structurally until ColumnSpec has them.
    const device = { ...column('device', 'string'), aliases: ['deviceType'] } as ColumnSpec;

    const first = await backfillColumn(f.warehouse, { table: TABLE, column: device });
    expect(first).toMatchObject({ examined: 8, filled: 4, absent: 2, untyped: 1, unparsable: 1 });
    expect(first.message).toMatch(/filled 4 of 8 row\(s\) of events/);
    expect(first.message).toMatch(/CSV lines cannot be read without their file's header/);
    expect(await deviceById(f)).toEqual({ b1: 'ios', b2: '7', b3: null, b4: null, b5: null, b6: 'web', c1: null, d1: 'tv' });

    const rows = await silverRows(f.warehouse);
    const coerced = rows.find((row) => row.id === 'b2');
    expect(JSON.parse(String(coerced?._coercions))).toEqual([{ column: 'device', from: 'integer', to: 'string', original: 7 }]);
    expect(rows.find((row) => row.id === 'b1')?._coercions).toBeNull();

    const second = await backfillColumn(f.warehouse, { table: TABLE, column: device, pageSize: 2 });
    expect(second).toMatchObject({ examined: 4, filled: 0, absent: 2, untyped: 1, unparsable: 1 });
    expect(await silverRows(f.warehouse)).toEqual(rows);
    expect((await auditTable(f.warehouse, TABLE)).files.every((file) => file.ok)).toBe(true);
    expect(await f.warehouse.describeTable('_aetl_backfill_events')).toBeUndefined();
    expect(await f.warehouse.describeTable('_aetl_backfill_values_events')).toBeUndefined();
  });

  it('leaves strings that are not lossless coercions NULL when coercion is off', async () => {
    const f = await landedIgnoring('coercion-off');
    const result = await backfillColumn(f.warehouse, { table: TABLE, column: column('device', 'string'), coercion: 'off' });
    expect(result).toMatchObject({ examined: 8, filled: 2, untyped: 2, absent: 3, unparsable: 1 });
    expect(await deviceById(f)).toMatchObject({ b1: 'ios', b2: null, b6: 'web', d1: null });
  });

  it('refuses a column the table does not have', async () => {
    const f = await landedIgnoring('missing');
    await expect(backfillColumn(f.warehouse, { table: TABLE, column: column('region', 'string') })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/events has no column region/) as unknown,
    });
  });
});
