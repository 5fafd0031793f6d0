import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EVOLUTION, type Contract } from '../../src/contract/types.js';
import type { TypedValue } from '../../src/sensor/types.js';
import { AetlError } from '../../src/util/errors.js';
import { createTableSql } from '../../src/warehouse/ddl.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-warehouse.js';
import { silverTable } from '../../src/warehouse/tables.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { T } from './warehouse-fixtures.js';
import { describeWarehouseSuite } from './warehouse-suite.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'aetl-duckdb-'));
let files = 0;
const freshFile = () => path.join(dir, `w${files++}.duckdb`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWarehouseSuite('duckdb', () => duckdbWarehouse({ path: freshFile() }), {
  createTable:
    'CREATE TABLE IF NOT EXISTS "small" ("id" VARCHAR NOT NULL UNIQUE, "n" BIGINT, "price" DECIMAL(10,2), "seen_at" TIMESTAMP NOT NULL, UNIQUE ("price", "seen_at"))',
  addColumn: 'ALTER TABLE "small" ADD COLUMN IF NOT EXISTS "note" VARCHAR',
  alterColumnType: 'ALTER TABLE "small" ALTER COLUMN "n" TYPE DOUBLE',
  insert:
    'INSERT INTO "small" ("id", "n", "price", "seen_at") VALUES ($1, $2, CAST($3 AS DECIMAL(10,2)), make_timestamp(CAST($4 AS BIGINT)))',
});

/** A second process that opens the file with DuckDB and holds it until killed. */
function holdFile(file: string): Promise<ChildProcess> {
  const code = `import { DuckDBInstance } from '@duckdb/node-api';
const instance = await DuckDBInstance.create(process.env.AETL_HOLD_FILE);
await (await instance.connect()).run('SELECT 1');
console.log('ready');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: repoRoot,
    env: { ...process.env, AETL_HOLD_FILE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (exitCode) => reject(new Error(`holder exited with ${exitCode}: ${stderr}`)));
  });
}

describe('duckdb warehouse extras', () => {
  let w: Warehouse | undefined;
  let holder: ChildProcess | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
    holder?.kill();
    holder = undefined;
  });

  it('reports a file held by another process as warehouse_locked, naming the file', async () => {
    const file = freshFile();
    holder = await holdFile(file);
    const error: unknown = await duckdbWarehouse({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AetlError);
    expect(error).toMatchObject({ code: 'warehouse_locked', kind: 'transient' });
    expect((error as AetlError).message).toContain(file);
    expect((error as AetlError).message).toContain('one writing process');
    expect((error as AetlError).hint).toMatch(/PostgreSQL/);
  });

  it('has the JSON type in its bundled build and stores json columns as JSON', async () => {
    w = await duckdbWarehouse({ path: ':memory:' });
    expect(await w.query(`SELECT '{"a":1}'::JSON AS j`)).toEqual([{ j: '{"a":1}' }]);
    await w.run(createTableSql(w.dialect, { name: 'j', columns: [{ name: 'doc', type: T.json }] }));
    expect((await w.describeTable('j'))?.[0]?.engineType).toBe('JSON');
  });

  it('flushes a writer left open when its transaction commits, and discards it on rollback', async () => {
    const wh = (w = await duckdbWarehouse({ path: ':memory:' }));
    const columns = [{ name: 'n', type: T.integer }];
    await wh.run(createTableSql(wh.dialect, { name: 'x', columns }));
    await wh.transaction(async (tx) => (await tx.bulkWriter('x', columns)).append([1n]));
    await wh.transaction(async (tx) => {
      (await tx.bulkWriter('x', columns)).append([2n]);
      throw new Error('stop');
    }).catch(() => undefined);
    expect(await wh.query('SELECT n FROM x')).toEqual([{ n: 1n }]);
  });

  it('keeps the data right after a COMMIT that ran out of memory: the next rows are their own, and the file agrees', async () => {
    const file = freshFile();
    // 16MB of buffer pool cannot take a 10 MiB value at commit.
    w = await duckdbWarehouse({ path: file, memoryLimit: '16MB' });
    const def = { name: 'rows', columns: [{ name: 'id', type: T.integer }, { name: 'name', type: T.string }, { name: 'file', type: T.string }] };
    await w.run(createTableSql(w.dialect, def));
    const load = (id: bigint, name: string, from: string) =>
      w!.transaction(async (tx) => {
        const writer = await tx.bulkWriter(def.name, def.columns);
        writer.append([id, name, from]);
        await writer.close();
      });
    await load(1n, 'a', 'a.ndjson');
    const failure = await load(2n, 'x'.repeat(10 << 20), 'b.ndjson').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'warehouse_failed', message: expect.stringMatching(/out of memory/i), hint: expect.stringMatching(/memory_limit/) });
    await load(3n, 'c', 'c.ndjson');
    const expected = [{ id: 1n, file: 'a.ndjson' }, { id: 3n, file: 'c.ndjson' }];
    expect(await w.query('SELECT id, file FROM rows ORDER BY id')).toEqual(expected);
    await w.close();
    w = await duckdbWarehouse({ path: file, memoryLimit: '16MB' });
    expect(await w.query('SELECT id, file FROM rows ORDER BY id')).toEqual(expected);
  });

  it('wraps engine errors as warehouse_failed naming the statement', async () => {
    w = await duckdbWarehouse({ path: ':memory:' });
    const error = await w.run('SELECT * FROM missing_table').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'warehouse_failed' });
    expect((error as AetlError).message).toContain('SELECT * FROM missing_table');
    expect((error as AetlError).cause).toBeInstanceOf(Error);
  });

  it('refuses a writer whose column type disagrees with the table', async () => {
    w = await duckdbWarehouse({ path: ':memory:' });
    await w.run(createTableSql(w.dialect, { name: 'x', columns: [{ name: 'n', type: T.double }] }));
    await expect(w.bulkWriter('x', [{ name: 'n', type: T.integer }])).rejects.toMatchObject({ code: 'warehouse_failed' });
    await expect(w.bulkWriter('x', [{ name: 'nope', type: T.double }])).rejects.toMatchObject({ code: 'warehouse_failed' });
    // The lock taken by the refused writers was given back.
    expect(await w.query('SELECT count(*) AS n FROM x')).toEqual([{ n: 0n }]);
  });

  it('bulk-appends 250,000 silver rows (past two of DuckDB\'s 122,880-row groups) and prints the throughput', async () => {
    w = await duckdbWarehouse({ path: freshFile() });
    const contract: Contract = {
      table: 'events',
      primary_key: [],
      columns: [
        { name: 'event_id', type: T.string, required: true },
        { name: 'event_timestamp', type: T.timestamp, required: true },
        { name: 'event_type', type: T.string, required: false },
        { name: 'user_id', type: T.integer, required: true },
        { name: 'amount', type: T.double, required: false },
        { name: 'device', type: T.string, required: false },
      ],
      evolution: DEFAULT_EVOLUTION,
    };
    const def = silverTable(contract);
    await w.run(createTableSql(w.dialect, def));
    const rows = 250_000;
    const types = ['click', 'view', 'purchase'];
    const started = performance.now();
    await w.transaction(async (tx) => {
      const writer = await tx.bulkWriter(def.name, def.columns);
      const row: TypedValue[] = new Array<TypedValue>(def.columns.length);
      for (let i = 0; i < rows; i++) {
        row[0] = `evt-${i}`;
        row[1] = 1_700_000_000_000_000n + BigInt(i) * 1000n;
        row[2] = types[i % 3] as string;
        row[3] = BigInt(i % 5000);
        row[4] = i % 7 === 0 ? null : i * 0.25;
        row[5] = i % 2 === 0 ? 'ios' : 'web';
        row[6] = `file-1:${i}`;
        row[7] = 'file-1';
        row[8] = 'landing/events.ndjson';
        row[9] = BigInt(i + 1);
        row[10] = 1n;
        row[11] = null;
        row[12] = 1_700_000_000_000_000n;
        writer.append(row);
      }
      await writer.close();
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`duckdb bulk append: ${rows} rows × ${def.columns.length} columns in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s`);
    expect(await w.query('SELECT count(*) AS n, count(DISTINCT _record_id) AS ids FROM events')).toEqual([{ n: BigInt(rows), ids: BigInt(rows) }]);
  });
});
