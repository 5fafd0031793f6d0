/**
 * The shared warehouse suite: every engine runs it (DuckDB now, PostgreSQL and Databricks
 * later). `open` returns a fresh, empty warehouse for each test; `expected` spells out the
 * engine's DDL for SMALL_TABLE literally.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateDays } from '../../src/sensor/temporal-range.js';
import { parseIsoDate, parseIsoTimestamp } from '../../src/sensor/values.js';
import { AetlError } from '../../src/util/errors.js';
import { addColumnSql, alterColumnTypeSql, createTableSql, insertSql } from '../../src/warehouse/ddl.js';
import {
  bronzeTable,
  quarantineTable,
  SILVER_SYSTEM_COLUMNS,
  silverTable,
  systemTables,
} from '../../src/warehouse/tables.js';
import type { ColumnDef, TableDef, Warehouse } from '../../src/warehouse/warehouse.js';
import {
  EVERY_TYPE_ROWS,
  everyTypeContract,
  INGESTED_AT,
  INGESTED_AT_ISO,
  SMALL_TABLE,
  systemValues,
  T,
} from './warehouse-fixtures.js';

export interface ExpectedDdl {
  /** createTableSql(dialect, SMALL_TABLE) */
  createTable: string;
  /** addColumnSql(dialect, 'small', { name: 'note', type: string }) */
  addColumn: string;
  /** alterColumnTypeSql(dialect, 'small', 'n', double) */
  alterColumnType: string;
  /** insertSql(dialect, 'small', SMALL_TABLE.columns) */
  insert: string;
}

export const HOSTILE = 'a"; DROP TABLE events;--';

async function createAll(w: Warehouse, defs: TableDef[]): Promise<void> {
  for (const def of defs) await w.run(createTableSql(w.dialect, def));
}

/** The n-th parameter as a timestamp, the way the dialect converts microseconds. */
function typedParameterOf(w: Warehouse, index: number): string {
  return w.dialect.parameterAs?.(index, T.timestamp) ?? w.dialect.placeholder(index);
}

async function count(w: Warehouse, table: string): Promise<bigint> {
  const rows = await w.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${w.dialect.quoteIdent(table)}`);
  return rows[0]?.n as bigint;
}

export function describeWarehouseSuite(name: string, open: () => Promise<Warehouse>, expected: ExpectedDdl): void {
  describe(`warehouse suite: ${name}`, () => {
    let w: Warehouse;
    beforeEach(async () => {
      w = await open();
    });
    afterEach(async () => {
      await w.close();
    });

    it('spells the DDL for a small table as the dialect expects', () => {
      const d = w.dialect;
      expect(createTableSql(d, SMALL_TABLE)).toBe(expected.createTable);
      expect(addColumnSql(d, 'small', { name: 'note', type: T.string })).toBe(expected.addColumn);
      expect(alterColumnTypeSql(d, 'small', 'n', T.double)).toBe(expected.alterColumnType);
      expect(insertSql(d, 'small', SMALL_TABLE.columns)).toBe(expected.insert);
    });

    it('creates every table of tables.ts, idempotently, and describes them', async () => {
      const defs = [bronzeTable('events'), silverTable(everyTypeContract('events')), quarantineTable('events'), ...systemTables()];
      await createAll(w, defs);
      await createAll(w, defs);
      for (const def of defs) {
        const described = await w.describeTable(def.name);
        expect(described?.map((c) => c.name)).toEqual(def.columns.map((c) => c.name));
        expect(described?.map((c) => c.nullable)).toEqual(def.columns.map((c) => c.nullable !== false));
      }
    });

    it('describes a missing table as undefined', async () => {
      expect(await w.describeTable('no_such_table')).toBeUndefined();
    });

    it('bulk-appends every TypedValue kind, nulls included, and reads them back equal', async () => {
      const def = silverTable(everyTypeContract('events'));
      await w.run(createTableSql(w.dialect, def));
      await w.transaction(async (tx) => {
        const writer = await tx.bulkWriter(def.name, def.columns);
        EVERY_TYPE_ROWS.forEach((row, i) => writer.append([...row.values, ...systemValues(i, INGESTED_AT)]));
        await writer.close();
      });
      const rows = await w.query(`SELECT * FROM ${w.dialect.quoteIdent(def.name)} ORDER BY ${w.dialect.quoteIdent('_line')}`);
      expect(rows).toHaveLength(EVERY_TYPE_ROWS.length);
      rows.forEach((row, i) => {
        const source = EVERY_TYPE_ROWS[i]!;
        const contractColumns = def.columns.slice(0, source.values.length).map((c) => c.name);
        const readBack = contractColumns.map((c) => row[c]);
        // JSON is compared as JSON: an engine may store it normalized.
        const jsonAt = contractColumns.indexOf('c_json');
        expect(readBack.map((v, j) => (j === jsonAt && v !== null ? JSON.parse(v as string) : v))).toEqual(
          source.expected.map((v, j) => (j === jsonAt && v !== null ? JSON.parse(v as string) : v)),
        );
        const timestamp = source.values[contractColumns.indexOf('c_timestamp')];
        if (timestamp !== null) expect(parseIsoTimestamp(row.c_timestamp as string)).toBe(timestamp);
        expect(row._record_id).toBe(`rec-${i}`);
        expect(row._coercions).toBeNull();
        expect(row._ingested_at).toBe(INGESTED_AT_ISO);
      });
    });

    it('stores the first and last date and instant its temporalRanges promise, BC years and years past 9999 included', async () => {
      const { date, timestamp } = w.dialect.capabilities.temporalRanges;
      // Each as the sensor hands it over: canonical ISO text for dates, microseconds for instants.
      const dates = [date.min, '-0001-12-31', '0000-01-01', '0001-01-01', '2024-02-29', '+10000-01-01', date.max].map((text) => parseIsoDate(text)!);
      const instants = [timestamp.min, '0000-01-01T00:00:00Z', '1969-12-31T23:59:59.999999Z', '+275761-01-01T00:00:00Z', timestamp.max].map(
        (text) => parseIsoTimestamp(text)!,
      );
      const def: TableDef = { name: 'ranges', columns: [{ name: 'n', type: T.integer }, { name: 'd', type: T.date }, { name: 'ts', type: T.timestamp }] };
      await w.run(createTableSql(w.dialect, def));
      await w.transaction(async (tx) => {
        const writer = await tx.bulkWriter('ranges', def.columns);
        for (let i = 0; i < dates.length; i++) writer.append([BigInt(i), dates[i]!, instants[i] ?? null]);
        await writer.close();
      });
      const days = await w.query(`SELECT n, d - CAST('1970-01-01' AS DATE) AS days FROM ranges ORDER BY d`);
      expect(days.map((row) => [Number(row.n), Number(row.days)])).toEqual(dates.map((d, i) => [i, dateDays(d)]));
      // The instants written in bulk equal the same microseconds bound as parameters.
      const at = typedParameterOf(w, 1);
      for (const [i, micros] of instants.entries()) {
        expect(await w.query(`SELECT n FROM ranges WHERE ts = ${at}`, [micros])).toEqual([{ n: BigInt(i) }]);
      }
    });

    it('writes only the given columns, in any order; the others are null', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const [id, n, , seenAt] = SMALL_TABLE.columns as [ColumnDef, ColumnDef, ColumnDef, ColumnDef];
      const writer = await w.bulkWriter('small', [seenAt, id, n]);
      writer.append([0n, 'x', 7n]);
      await writer.close();
      expect(await w.query('SELECT * FROM small')).toEqual([{ id: 'x', n: 7n, price: null, seen_at: '1970-01-01T00:00:00.000Z' }]);
    });

    it('keeps committed rows and discards the rows and DDL of a rolled-back transaction', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const row = (id: string) => [id, 1n, '1.50', BigInt(id.length)];
      await w.transaction(async (tx) => {
        const writer = await tx.bulkWriter('small', SMALL_TABLE.columns);
        writer.append(row('kept'));
        await writer.close();
      });
      const failure = new Error('work failed');
      await expect(
        w.transaction(async (tx) => {
          if (w.dialect.capabilities.transactionalDdl) await tx.run(createTableSql(w.dialect, { ...SMALL_TABLE, name: 'born_and_gone' }));
          const writer = await tx.bulkWriter('small', SMALL_TABLE.columns);
          writer.append(row('discarded'));
          writer.append(row('discarded too'));
          await writer.close();
          await tx.run(insertSql(w.dialect, 'small', SMALL_TABLE.columns), row('inserted'));
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await w.query('SELECT id FROM small')).toEqual([{ id: 'kept' }]);
      expect(await w.describeTable('born_and_gone')).toBeUndefined();
    });

    it('rolls back when a bulk write breaks a unique constraint, with a warehouse_failed error', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const attempt = w.transaction(async (tx) => {
        const writer = await tx.bulkWriter('small', SMALL_TABLE.columns);
        writer.append(['same', 1n, null, 1n]);
        writer.append(['same', 2n, null, 2n]);
        await writer.close();
      });
      await expect(attempt).rejects.toMatchObject({ code: 'warehouse_failed' });
      expect(await count(w, 'small')).toBe(0n);
      // The warehouse is usable after the failure.
      await w.run(insertSql(w.dialect, 'small', SMALL_TABLE.columns), ['after', 1n, '2.00', 5n]);
      expect(await count(w, 'small')).toBe(1n);
    });

    it('serializes concurrent transactions: no one sees another half done', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const insert = insertSql(w.dialect, 'small', SMALL_TABLE.columns);
      const writerTx = w.transaction(async (tx) => {
        await tx.run(insert, ['one', 1n, null, 1n]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.run(insert, ['two', 2n, null, 2n]);
      });
      const readerTx = w.transaction(async (tx) => (await tx.query<{ n: bigint }>('SELECT count(*) AS n FROM small'))[0]?.n);
      const [, seen] = await Promise.all([writerTx, readerTx]);
      expect([0n, 2n]).toContain(seen);
      expect(await count(w, 'small')).toBe(2n);
    });

    it('adds a column, then describes it; adding it again is harmless where the engine allows', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      await w.run(addColumnSql(w.dialect, 'small', { name: 'note', type: T.string }));
      if (w.dialect.capabilities.addColumnIfNotExists === true) await w.run(addColumnSql(w.dialect, 'small', { name: 'note', type: T.string }));
      const described = await w.describeTable('small');
      expect(described?.map((c) => c.name)).toEqual(['id', 'n', 'price', 'seen_at', 'note']);
      expect(described?.at(-1)).toMatchObject({ name: 'note', engineType: w.dialect.typeName(T.string), nullable: true });
    });

    it('widens integer to double and reads the same values back', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const values = [2n ** 53n, -(2n ** 53n), 0n, -42n];
      const writer = await w.bulkWriter('small', SMALL_TABLE.columns);
      values.forEach((n, i) => writer.append([`r${i}`, n, null, BigInt(i)]));
      await writer.close();
      await w.transaction((tx) => tx.run(alterColumnTypeSql(w.dialect, 'small', 'n', T.double)));
      expect((await w.describeTable('small'))?.find((c) => c.name === 'n')?.engineType).toBe(w.dialect.typeName(T.double));
      const rows = await w.query<{ n: number }>('SELECT n FROM small ORDER BY seen_at');
      expect(rows.map((r) => r.n)).toEqual(values.map(Number));
    });

    it('binds parameters holding quotes and placeholders as plain data', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const tricky = `O'Brien "the $1 ?" '); DROP TABLE small;--`;
      await w.run(insertSql(w.dialect, 'small', SMALL_TABLE.columns), [tricky, 3n, '12.34', INGESTED_AT]);
      const rows = await w.query(`SELECT id, price, seen_at FROM small WHERE id = ${w.dialect.placeholder(1)}`, [tricky]);
      expect(rows).toEqual([{ id: tricky, price: '12.34', seen_at: INGESTED_AT_ISO }]);
    });

    it('quotes hostile and Unicode identifiers so they round-trip and run no other statement', async () => {
      await w.run(createTableSql(w.dialect, { name: 'events', columns: [{ name: 'id', type: T.string }] }));
      const hostile: TableDef = {
        name: HOSTILE,
        columns: [
          { name: HOSTILE, type: T.string },
          { name: 'Ünïcode ☃', type: T.integer },
          { name: 'with space', type: T.boolean },
        ],
      };
      await w.run(createTableSql(w.dialect, hostile));
      await w.run(insertSql(w.dialect, HOSTILE, hostile.columns), ['via insert', 1n, true]);
      const writer = await w.bulkWriter(HOSTILE, hostile.columns);
      writer.append(['via appender', 2n, false]);
      await writer.close();
      await w.run(addColumnSql(w.dialect, HOSTILE, { name: `${HOSTILE} 2`, type: T.double }));
      const q = w.dialect.quoteIdent;
      const rows = await w.query(`SELECT * FROM ${q(HOSTILE)} ORDER BY ${q('Ünïcode ☃')}`);
      expect(rows).toEqual([
        { [HOSTILE]: 'via insert', 'Ünïcode ☃': 1n, 'with space': true, [`${HOSTILE} 2`]: null },
        { [HOSTILE]: 'via appender', 'Ünïcode ☃': 2n, 'with space': false, [`${HOSTILE} 2`]: null },
      ]);
      expect((await w.describeTable(HOSTILE))?.map((c) => c.name)).toEqual([...hostile.columns.map((c) => c.name), `${HOSTILE} 2`]);
      expect(await w.describeTable('events')).toBeDefined();
    });

    it('keeps names that differ only by case apart, or refuses them where the engine folds case', async () => {
      await w.run(createTableSql(w.dialect, { name: 'events', columns: [{ name: 'id', type: T.string }] }));
      const cased: TableDef = { name: 'cased', columns: [{ name: 'Amount', type: T.integer }, { name: 'amount', type: T.integer }] };
      if (w.dialect.capabilities.caseSensitiveIdentifiers === false) {
        await expect(w.run(createTableSql(w.dialect, cased))).rejects.toSatisfy(
          (error) => error instanceof AetlError && error.code === 'warehouse_failed',
        );
        expect(await w.describeTable('cased')).toBeUndefined();
      } else {
        await w.run(createTableSql(w.dialect, cased));
        await w.run(insertSql(w.dialect, 'cased', cased.columns), [1n, 2n]);
        expect(await w.query('SELECT * FROM cased')).toEqual([{ Amount: 1n, amount: 2n }]);
      }
      expect(await w.describeTable('events')).toBeDefined();
    });

    it('inserts system rows with timestamps, JSON and dates bound as TypedValues', async () => {
      const silver = silverTable(everyTypeContract('events'));
      await createAll(w, [silver, ...systemTables()]);
      const columns = silver.columns.filter((c) => c.name.startsWith('c_')).concat(SILVER_SYSTEM_COLUMNS);
      const source = EVERY_TYPE_ROWS[0]!;
      await w.run(insertSql(w.dialect, silver.name, columns), [...source.values, ...systemValues(0, INGESTED_AT)]);
      const [row] = await w.query(`SELECT c_decimal, c_date, c_timestamp, c_json, _ingested_at FROM ${silver.name}`);
      expect({ ...row, c_json: JSON.parse(row?.c_json as string) }).toEqual({
        c_decimal: source.expected[3],
        c_date: source.expected[5],
        c_timestamp: source.expected[6],
        c_json: JSON.parse(source.expected[7] as string),
        _ingested_at: INGESTED_AT_ISO,
      });
    });
  });
}
