import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/agent/actions.js';
import { applyDdl } from '../../src/actuator/apply-ddl.js';
import { ddlForAction } from '../../src/actuator/ddl-for-action.js';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { column, contractOf, openFixture, type Fixture } from './_fixture.js';

const contract = contractOf([column('id', 'string', { required: true }), column('n', 'integer'), column('price', 'decimal')]);
const ddl = (action: Action) => ddlForAction(duckdbDialect, contract, action);

describe('ddlForAction (DuckDB)', () => {
  it('adds a nullable column of the action\'s type', () => {
    expect(ddl({ kind: 'add_column', column: 'device', type: { name: 'string' } })).toEqual([
      'ALTER TABLE "events" ADD COLUMN IF NOT EXISTS "device" VARCHAR',
    ]);
    expect(ddl({ kind: 'add_column', column: 'total', type: { name: 'decimal', precision: 12, scale: 2 } })).toEqual([
      'ALTER TABLE "events" ADD COLUMN IF NOT EXISTS "total" DECIMAL(12,2)',
    ]);
  });

  it('widens a column losslessly, and to string (approved by the policy)', () => {
    expect(ddl({ kind: 'widen_type', column: 'n', from: { name: 'integer' }, to: { name: 'double' } })).toEqual([
      'ALTER TABLE "events" ALTER COLUMN "n" TYPE DOUBLE',
    ]);
    expect(ddl({ kind: 'widen_type', column: 'price', from: { name: 'decimal', precision: 10, scale: 2 }, to: { name: 'decimal', precision: 14, scale: 4 } })).toEqual([
      'ALTER TABLE "events" ALTER COLUMN "price" TYPE DECIMAL(14,4)',
    ]);
    expect(ddl({ kind: 'widen_type', column: 'n', from: { name: 'integer' }, to: { name: 'string' } })).toEqual([
      'ALTER TABLE "events" ALTER COLUMN "n" TYPE VARCHAR',
    ]);
  });

  it('quotes names taken from data, so none can end the statement', () => {
    expect(ddl({ kind: 'add_column', column: 'x" VARCHAR); DROP TABLE "events', type: { name: 'integer' } })).toEqual([
      'ALTER TABLE "events" ADD COLUMN IF NOT EXISTS "x"" VARCHAR); DROP TABLE ""events" BIGINT',
    ]);
  });

  it('refuses a narrowing and does nothing for a change to the same type', () => {
    expect(() => ddl({ kind: 'widen_type', column: 'n', from: { name: 'double' }, to: { name: 'integer' } })).toThrow(/would narrow it/);
    expect(ddl({ kind: 'widen_type', column: 'n', from: { name: 'integer' }, to: { name: 'integer' } })).toEqual([]);
  });

  it('needs no DDL for contract-only and loop actions', () => {
    const none: Action[] = [
      { kind: 'rename_column', from: 'Device', to: 'device' },
      { kind: 'extend_enum', column: 'kind', values: ['share'] },
      { kind: 'coerce', column: 'n', to: 'integer' },
      { kind: 'quarantine', column: null, reason: 'poison' },
      { kind: 'replay' },
      { kind: 'halt', reason: 'no safe fix' },
      { kind: 'resume' },
      { kind: 'no_op', reason: 'noise' },
    ];
    for (const action of none) expect(ddl(action)).toEqual([]);
  });
});

describe('applyDdl on DuckDB', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  const actions: Action[] = [
    { kind: 'add_column', column: 'device', type: { name: 'string' } },
    { kind: 'widen_type', column: 'n', from: { name: 'integer' }, to: { name: 'double' } },
  ];

  async function columns(f: Fixture) {
    return (await f.warehouse.describeTable('events'))?.map((c) => `${c.name} ${c.engineType}`).slice(0, 4);
  }

  it('rolls back an ADD COLUMN and an ALTER TYPE with the transaction', async () => {
    fixture = await openFixture('ddl-rollback');
    const f = fixture;
    await f.land({ 'a.ndjson': '{"id":"a","n":1,"price":2}\n' }, contract, 1);
    const before = await columns(f);
    expect(before).toEqual(['id VARCHAR', 'n BIGINT', 'price DECIMAL(18,0)', '_record_id VARCHAR']);

    const failure = f.warehouse.transaction(async (tx) => {
      await applyDdl(tx, actions.flatMap((action) => ddl(action)));
      const inside = (await tx.describeTable('events'))?.map((c) => `${c.name} ${c.engineType}`);
      expect(inside).toContain('device VARCHAR');
      expect(inside).toContain('n DOUBLE');
      throw new Error('crash after the DDL');
    });
    await expect(failure).rejects.toThrow('crash after the DDL');
    expect(await columns(f)).toEqual(before);
    expect((await f.warehouse.describeTable('events'))?.some((c) => c.name === 'device')).toBe(false);
    expect(await f.warehouse.query('SELECT n FROM events')).toEqual([{ n: 1n }]);
  });

  it('commits the statements in order, and running them again changes nothing', async () => {
    fixture = await openFixture('ddl-commit');
    const f = fixture;
    await f.land({ 'a.ndjson': '{"id":"a","n":1,"price":2}\n' }, contract, 1);
    const statements = actions.flatMap((action) => ddl(action));
    await f.warehouse.transaction((tx) => applyDdl(tx, statements));
    await f.warehouse.transaction((tx) => applyDdl(tx, statements));
    const described = await f.warehouse.describeTable('events');
    expect(described?.find((c) => c.name === 'n')?.engineType).toBe('DOUBLE');
    expect(described?.at(-1)).toMatchObject({ name: 'device', engineType: 'VARCHAR', nullable: true });
    expect(await f.warehouse.query('SELECT n, device FROM events')).toEqual([{ n: 1, device: null }]);
  });
});
