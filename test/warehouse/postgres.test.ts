/**
 * The shared warehouse suite on a real PostgreSQL server (test/helpers/postgres-server.ts),
 * each test on its own empty database, plus what only PostgreSQL has: 63-byte identifiers,
 * case-sensitive names, COPY escaping at volume, lock_timeout, advisory locks.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TypedValue } from '../../src/sensor/types.js';
import { parseIsoTimestamp } from '../../src/sensor/values.js';
import { AetlError } from '../../src/util/errors.js';
import { addColumnSql, alterColumnTypeSql, createTableSql, insertSql } from '../../src/warehouse/ddl.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-warehouse.js';
import type { ColumnDef, TableDef, Warehouse } from '../../src/warehouse/warehouse.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { within } from '../helpers/wait-for.js';
import { SMALL_TABLE, T } from './warehouse-fixtures.js';
import { describeWarehouseSuite, HOSTILE } from './warehouse-suite.js';

describePostgres('postgres', () => {
  describeWarehouseSuite('postgres', async () => postgresWarehouse({ url: await freshDatabase() }), {
    createTable:
      'CREATE TABLE IF NOT EXISTS "small" ("id" TEXT NOT NULL UNIQUE, "n" BIGINT, "price" NUMERIC(10,2), "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, UNIQUE ("price", "seen_at"))',
    addColumn: 'ALTER TABLE "small" ADD COLUMN IF NOT EXISTS "note" TEXT',
    alterColumnType: 'ALTER TABLE "small" ALTER COLUMN "n" TYPE DOUBLE PRECISION USING "n"::DOUBLE PRECISION',
    insert:
      'INSERT INTO "small" ("id", "n", "price", "seen_at") VALUES ($1, $2, CAST($3 AS NUMERIC(10,2)), ' +
      `('epoch'::timestamptz + ($4::bigint / 86400000000) * interval '1 day' + ($4::bigint % 86400000000) * interval '1 microsecond'))`,
  });

  describe('postgres warehouse extras', () => {
    let url: string;
    let w: Warehouse;
    const clients: pg.Client[] = [];
    beforeEach(async () => {
      url = await freshDatabase();
      w = await postgresWarehouse({ url: `${url}?lock_timeout=1s` });
    });
    afterEach(async () => {
      await w.close();
      for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    });

    async function rawClient(): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      clients.push(client);
      return client;
    }

    /** Column names as the server stores them. */
    async function physicalColumns(table: string): Promise<string[]> {
      const client = await rawClient();
      const { rows } = await client.query<{ attname: string }>(
        `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [table],
      );
      return rows.map((row) => row.attname);
    }

    it('keeps two long names that share their first 63 bytes as two columns, under their own names', async () => {
      const stem = 'x'.repeat(63);
      const first = `${stem}_first__`;
      const second = `${stem}_second_`;
      const accented = `${'é'.repeat(40)}`; // 80 bytes in 40 characters
      const table = `t_${'long_table_name_'.repeat(5)}`; // 82 bytes
      const def: TableDef = {
        name: table,
        columns: [
          { name: first, type: T.integer },
          { name: second, type: T.string },
          { name: accented, type: T.boolean },
        ],
      };
      await w.run(createTableSql(w.dialect, def));
      await w.run(insertSql(w.dialect, table, def.columns), [1n, 'one', true]);
      const writer = await w.bulkWriter(table, def.columns);
      writer.append([2n, 'two', false]);
      await writer.close();
      await w.run(addColumnSql(w.dialect, table, { name: `${second}added`, type: T.double }));
      await w.run(addColumnSql(w.dialect, table, { name: `${second}added`, type: T.double }));

      expect((await w.describeTable(table))?.map((c) => c.name)).toEqual([first, second, accented, `${second}added`]);
      const q = w.dialect.quoteIdent;
      expect(await w.query(`SELECT * FROM ${q(table)} ORDER BY ${q(first)}`)).toEqual([
        { [first]: 1n, [second]: 'one', [accented]: true, [`${second}added`]: null },
        { [first]: 2n, [second]: 'two', [accented]: false, [`${second}added`]: null },
      ]);
      const stored = await physicalColumns(w.dialect.physicalName!(table));
      expect(stored).toHaveLength(4);
      expect(new Set(stored).size).toBe(4);
      for (const name of stored) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
      // The same name always maps to the same identifier, and a short name is left alone.
      expect(w.dialect.physicalName!(first)).toBe(stored[0]);
      expect(w.dialect.physicalName!('short')).toBe('short');
      expect(stored[2]?.startsWith('é'.repeat(25))).toBe(true);
    });

    it('takes a hostile column name and value as data: nothing escapes, no other statement runs', async () => {
      await w.run(createTableSql(w.dialect, { name: 'events', columns: [{ name: 'id', type: T.string }] }));
      await w.run(`INSERT INTO events (id) VALUES ('kept')`);
      const def: TableDef = { name: 'hostile', columns: [{ name: HOSTILE, type: T.string }, { name: 'n', type: T.integer }] };
      await w.run(createTableSql(w.dialect, def));
      await w.run(insertSql(w.dialect, 'hostile', def.columns), [HOSTILE, 1n]);
      const writer = await w.bulkWriter('hostile', def.columns);
      writer.append([`${HOSTILE}\n\\.\n${HOSTILE}`, 2n]);
      await writer.close();
      expect(await w.query(`SELECT ${w.dialect.quoteIdent(HOSTILE)} AS v FROM hostile ORDER BY n`)).toEqual([
        { v: HOSTILE },
        { v: `${HOSTILE}\n\\.\n${HOSTILE}` },
      ]);
      expect((await w.describeTable('hostile'))?.map((c) => c.name)).toEqual([HOSTILE, 'n']);
      // Statements go through the extended protocol, which runs exactly one statement.
      await expect(w.run('SELECT 1; DROP TABLE events')).rejects.toMatchObject({ code: 'warehouse_failed' });
      expect(await w.query('SELECT id FROM events')).toEqual([{ id: 'kept' }]);
    });

    it('keeps names that differ only by case as two columns', async () => {
      expect(w.dialect.capabilities.caseSensitiveIdentifiers).toBe(true);
      const cased: TableDef = { name: 'Cased', columns: [{ name: 'Amount', type: T.integer }, { name: 'amount', type: T.double }] };
      await w.run(createTableSql(w.dialect, cased));
      await w.run(createTableSql(w.dialect, { ...cased, name: 'cased' }));
      const writer = await w.bulkWriter('Cased', cased.columns);
      writer.append([1n, 2.5]);
      await writer.close();
      expect(await w.describeTable('Cased')).toEqual([
        { name: 'Amount', engineType: 'BIGINT', nullable: true },
        { name: 'amount', engineType: 'DOUBLE PRECISION', nullable: true },
      ]);
      expect(await w.query('SELECT * FROM "Cased"')).toEqual([{ Amount: 1n, amount: 2.5 }]);
      expect(await w.query('SELECT count(*) AS n FROM cased')).toEqual([{ n: 0n }]);
    });

    it('COPYs 25,000 rows of every type — nulls, tabs, newlines, backslashes, Unicode — and reads them back exactly', async () => {
      // Enough rows for several 1 MiB chunks (more than the writer keeps in flight) and
      // every year of the dates; values span the same ranges whatever the count.
      const ROWS = 25_000;
      const INT64_STEP = 9_223_372_036_854_775_807n / BigInt(ROWS);
      const MICROS_STEP = 1_234_567_891_123n * (100_000n / BigInt(ROWS));
      const columns: ColumnDef[] = [
        { name: 'i', type: T.integer },
        { name: 's', type: T.string },
        { name: 'n', type: T.integer },
        { name: 'd', type: T.double },
        { name: 'dec', type: T.decimal },
        { name: 'b', type: T.boolean },
        { name: 'day', type: T.date },
        { name: 'ts', type: T.timestamp },
        { name: 'j', type: T.json },
      ];
      await w.run(createTableSql(w.dialect, { name: 'every', columns }));
      const pieces = ['plain', '\t', '\n', '\r\n', '\\', '\\N', '\\.', '"', "'", '☃', '𝄞', 'é', ' ', '', '\u0001', '%s', '$1'];
      const text = (i: number) => (i % 11 === 0 ? null : `${pieces[i % pieces.length]}${i}${pieces[(i * 7) % pieces.length]}${pieces[(i * 13) % pieces.length]}`);
      const rows: TypedValue[][] = [];
      for (let i = 0; i < ROWS; i++) {
        const nul = i % 17 === 0;
        // Years 1 to 9999 (earlier ones read back in PostgreSQL's BC spelling; see the next test).
        const micros = BigInt(i - ROWS / 2) * MICROS_STEP + BigInt(i % 1000);
        const day = new Date(Date.UTC(1 + (i % 9998), i % 12, 1 + (i % 28))).toISOString().slice(0, 10);
        rows.push([
          BigInt(i),
          text(i),
          nul ? null : BigInt(i) * INT64_STEP * (i % 2 === 0 ? 1n : -1n),
          nul ? null : (i - ROWS / 2) / 7,
          nul ? null : `${i % 2 === 0 ? '-' : ''}${i}.${String(i % 1000).padStart(3, '0')}`,
          nul ? null : i % 3 === 0,
          nul ? null : day,
          nul ? null : micros,
          nul ? null : JSON.stringify({ z: text(i + 1), a: [i, `\\${i}\t`], '☃': { n: null } }),
        ]);
      }
      await w.transaction(async (tx) => {
        const writer = await tx.bulkWriter('every', columns);
        rows.forEach((row, i) => {
          writer.append(row);
          if (i % 4096 === 0) void writer.ready?.();
        });
        await writer.close();
      });
      const back = await w.query('SELECT * FROM every ORDER BY i');
      expect(back).toHaveLength(rows.length);
      back.forEach((row, k) => {
        const [i, s, n, d, dec, b, day, ts, j] = rows[k] as TypedValue[];
        const expected = { i, s, n, d, dec, b, day, ts: ts === null ? null : (ts as bigint), j };
        expect({ ...row, ts: row.ts === null ? null : parseIsoTimestamp(row.ts as string) }).toEqual(expected);
      });
    });

    it('reads exact timestamps back from parameters and COPY, before year 1 and far from 1970 included', async () => {
      const columns: ColumnDef[] = [{ name: 'k', type: T.integer }, { name: 'ts', type: T.timestamp }];
      await w.run(createTableSql(w.dialect, { name: 'times', columns }));
      const values = [-62_135_596_800_000_001n, -11_676_096_000_000_001n, 1_709_164_800_123_456n, 253_402_300_799_999_999n, -1n];
      const insert = insertSql(w.dialect, 'times', columns);
      for (const [k, micros] of values.entries()) await w.run(insert, [BigInt(k), micros]);
      const writer = await w.bulkWriter('times', columns);
      values.forEach((micros, k) => writer.append([BigInt(100 + k), micros]));
      await writer.close();
      const { rows } = await (await rawClient()).query<{ k: string; us: string }>(
        `SELECT k::text, ((extract(epoch FROM ts) * 1000000)::numeric)::bigint::text AS us FROM times ORDER BY times.k`,
      );
      expect(rows.map((row) => BigInt(row.us))).toEqual([...values, ...values]);
      const read = await w.query<{ ts: string }>('SELECT ts FROM times WHERE k = 2');
      expect(read).toEqual([{ ts: '2024-02-29T00:00:00.123456Z' }]);
    });

    it('rolls back several COPY chunks and the DDL of a failed transaction', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const failure = new Error('stop');
      const big = 'x'.repeat(1000);
      await expect(
        w.transaction(async (tx) => {
          await tx.run(createTableSql(w.dialect, { name: 'born', columns: [{ name: 'a', type: T.string }] }));
          await tx.run(addColumnSql(w.dialect, 'small', { name: 'note', type: T.string }));
          const writer = await tx.bulkWriter('small', SMALL_TABLE.columns);
          for (let i = 0; i < 5000; i++) writer.append([`${big}${i}`, BigInt(i), null, BigInt(i)]);
          await writer.ready?.();
          await writer.close();
          expect((await tx.query<{ n: bigint }>('SELECT count(*) AS n FROM small'))[0]?.n).toBe(5000n);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await w.query('SELECT count(*) AS n FROM small')).toEqual([{ n: 0n }]);
      expect(await w.describeTable('born')).toBeUndefined();
      expect((await w.describeTable('small'))?.map((c) => c.name)).toEqual(['id', 'n', 'price', 'seen_at']);
    });

    it('reports the COPY that broke a transaction, not the statements that failed after it', async () => {
      const keyed: TableDef = { name: 'keyed', columns: [{ name: 'id', type: T.string, unique: true }, { name: 'pad', type: T.string }] };
      await w.run(createTableSql(w.dialect, keyed));
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const error = await w
        .transaction(async (tx) => {
          const first = await tx.bulkWriter('keyed', keyed.columns);
          const second = await tx.bulkWriter('small', SMALL_TABLE.columns);
          // Over a chunk: sent now, and refused by the server while the second writer fills.
          first.append(['same', 'x'.repeat(600_000)]);
          first.append(['same', 'y'.repeat(600_000)]);
          second.append(['a', 1n, null, 1n]);
          await second.close();
          await first.close();
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'warehouse_failed', message: expect.stringMatching(/COPY.*duplicate key/s) });
      expect(await w.query('SELECT count(*) AS n FROM keyed')).toEqual([{ n: 0n }]);
    });

    it('fails DDL behind another connection\'s lock with warehouse_locked within lock_timeout, then succeeds', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      const holder = await rawClient();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE small IN ACCESS EXCLUSIVE MODE');
      // Any end at all is lock_timeout's doing (the holder commits only after this); the
      // bound, generous for a loaded machine, says it was the 1 s one.
      const started = Date.now();
      const error = await w.transaction((tx) => tx.run(addColumnSql(w.dialect, 'small', { name: 'note', type: T.string }))).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(error).toBeInstanceOf(AetlError);
      expect(error).toMatchObject({ code: 'warehouse_locked', kind: 'transient', message: expect.stringContaining('ALTER TABLE') });
      await holder.query('COMMIT');
      await w.transaction((tx) => tx.run(addColumnSql(w.dialect, 'small', { name: 'note', type: T.string })));
      expect((await w.describeTable('small'))?.at(-1)?.name).toBe('note');
    });

    it('runs exclusive work one worker at a time across warehouses', async () => {
      const other = await postgresWarehouse({ url });
      try {
        const log: string[] = [];
        const work = (who: string) => async () => {
          log.push(`${who} in`);
          await new Promise((resolve) => setTimeout(resolve, 200));
          log.push(`${who} out`);
          return who;
        };
        const results = await Promise.all([w.exclusive('heal:events', work('a')), other.exclusive('heal:events', work('b'))]);
        expect(results).toEqual(['a', 'b']);
        expect([log.slice(0, 2), log.slice(2)].map((pair) => pair.map((entry) => entry.split(' ')[0]))).toSatisfy(
          (pairs: string[][]) => pairs.every(([x, y]) => x === y),
        );
        // A different name does not wait: heal:b runs to its end while heal:a is held.
        let holding!: () => void;
        let release!: () => void;
        const held = new Promise<void>((resolve) => (holding = resolve));
        const released = new Promise<void>((resolve) => (release = resolve));
        const a = w.exclusive('heal:a', async () => {
          holding();
          await released;
          return 'a';
        });
        await held;
        expect(await within(other.exclusive('heal:b', async () => 'b'), 'heal:b while heal:a is held', 20_000)).toBe('b');
        release();
        expect(await a).toBe('a');
      } finally {
        await other.close();
      }
    });

    it('keeps JSON text exactly as written, and refuses mistyped writers and NUL text', async () => {
      const columns: ColumnDef[] = [{ name: 'j', type: T.json }, { name: 's', type: T.string }];
      await w.run(createTableSql(w.dialect, { name: 'docs', columns }));
      const doc = '{"z": 1,  "a":[1.50, "\\u0000"], "z":2}';
      const writer = await w.bulkWriter('docs', columns);
      writer.append([doc, 'ok']);
      expect(() => writer.append([doc, 'a\u0000b'])).toThrow(/NUL/);
      await writer.close();
      expect(await w.query('SELECT j, s FROM docs')).toEqual([{ j: doc, s: 'ok' }]);
      await expect(w.bulkWriter('docs', [{ name: 'j', type: T.string }])).rejects.toMatchObject({ code: 'warehouse_failed' });
      await expect(w.bulkWriter('docs', [{ name: 'nope', type: T.string }])).rejects.toMatchObject({ code: 'warehouse_failed' });
      await expect(w.bulkWriter('no_such', columns)).rejects.toMatchObject({ code: 'warehouse_failed' });
    });

    it('widens a date to a timestamp at midnight UTC and an integer to a string', async () => {
      const columns: ColumnDef[] = [{ name: 'day', type: T.date }, { name: 'n', type: T.integer }];
      await w.run(createTableSql(w.dialect, { name: 'w', columns }));
      await w.run(insertSql(w.dialect, 'w', columns), ['2024-02-29', -7n]);
      await w.transaction(async (tx) => {
        await tx.run(alterColumnTypeSql(w.dialect, 'w', 'day', T.timestamp));
        await tx.run(alterColumnTypeSql(w.dialect, 'w', 'n', T.string));
      });
      expect(await w.query('SELECT day, n FROM w')).toEqual([{ day: '2024-02-29T00:00:00.000Z', n: '-7' }]);
    });

    it('wraps engine errors as warehouse_failed naming the statement, and a missing database naming the URL', async () => {
      const error = await w.run('SELECT * FROM missing_table').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'warehouse_failed', message: expect.stringContaining('SELECT * FROM missing_table') });
      expect((error as AetlError).cause).toBeInstanceOf(Error);
      const missing = new URL(url);
      missing.pathname = '/no_such_database';
      missing.password = 'secret';
      const opening = await postgresWarehouse({ url: missing.toString() }).catch((e: unknown) => e);
      expect(opening).toMatchObject({ code: 'warehouse_unavailable', message: expect.stringContaining('no_such_database'), hint: expect.stringContaining('CREATE DATABASE') });
      expect((opening as Error).message).not.toContain('secret');
      await expect(postgresWarehouse({ url: `${url}?lock_timeout=soon` })).rejects.toMatchObject({ code: 'config_invalid' });
    });

    it('tells a lost connection (warehouse_unavailable: stop) from a refused row (warehouse_failed: the next file may pass)', async () => {
      await w.run(createTableSql(w.dialect, SMALL_TABLE));
      await w.run('ALTER TABLE small ADD CONSTRAINT n_positive CHECK (n > 0)');
      const refused = await w.transaction(async (tx) => {
        const writer = await tx.bulkWriter('small', SMALL_TABLE.columns);
        writer.append(['bad', -1n, null, 1n]);
        await writer.close();
      }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'warehouse_failed', message: expect.stringContaining('n_positive'), hint: expect.stringContaining('CHECK') });
      const admin = await rawClient();
      const lost = await w.transaction(async (tx) => {
        const [me] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [me!.pid]);
        await tx.query('SELECT 1');
      }).catch((e: unknown) => e);
      expect(lost).toMatchObject({ code: 'warehouse_unavailable', kind: 'transient', message: expect.not.stringContaining('secret') });
    });
  });
});
