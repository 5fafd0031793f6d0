/**
 * A file that fails never stops the run or lies about it, through the real CLI: a file
 * DuckDB runs out of memory on (a real OOM, with `memory_limit` tiny in the warehouse
 * URI), or one PostgreSQL refuses (a CHECK constraint a DBA added), fails alone — the
 * files after it are processed, its claim is released, the run exits 1 — and the next
 * run, at once, tries it again and reports it failed again, never "skipped".
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { withWarehouse } from '../helpers/warehouse.js';
import { fileIdOf } from '../../src/ledger/file-ledger.js';
import { localSource } from '../../src/sources/local.js';
import type { SourceObject } from '../../src/sources/source.js';

const CONTRACT = `table: events
columns:
  id:   {type: integer, required: true}
  name: {type: string}
`;

/** `count` NDJSON records whose `name` is `size` characters long. */
function hugeLines(count: number, size: number): string {
  return Array.from({ length: count }, (_, i) => `${JSON.stringify({ id: 100 + i, name: 'x'.repeat(size) })}\n`).join('');
}

const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

interface FileJson {
  key: string;
  status: string;
  code?: string;
  message?: string;
  hint?: string;
}

function filesOf(run: CliResult): Map<string, FileJson> {
  if (!run.stdout.startsWith('{')) throw new Error(`no JSON summary (exit ${run.code}):\n${run.stderr}`);
  return new Map((JSON.parse(run.stdout) as { files: FileJson[] }).files.map((f) => [f.key, f]));
}

describe('a file DuckDB runs out of memory on', () => {
  let dir: string;
  let first: CliResult;
  let second: CliResult;

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('oom');
    await writeFile(join(dir, 'events.contract.yaml'), CONTRACT);
    // 16MB of buffer pool cannot commit eight values of 3.9 MB (bronze's raw text and silver's
    // column each), though every line is within the quarter of memory_limit a line may take.
    await writeFile(
      join(dir, 'agentic-etl.yaml'),
      'pipeline: test\nsource: ./landing\nwarehouse: duckdb:./warehouse.duckdb?memory_limit=16MB\ncontract: ./events.contract.yaml\nmax_line_bytes: 4000000\n',
    );
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'landing', 'a.ndjson'), '{"id":1,"name":"a"}\n');
    await writeFile(join(dir, 'landing', 'b-huge.ndjson'), hugeLines(8, 3_900_000));
    await writeFile(join(dir, 'landing', 'c.ndjson'), '{"id":3,"name":"c"}\n');
    first = await runCli(['run', '--json'], dir);
    second = await runCli(['run', '--json'], dir);
  });

  it('fails that file alone: the files after it are processed, and the run exits 1', () => {
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).not.toMatch(STACK_TRACE);
    const files = filesOf(first);
    expect(files.get('a.ndjson')).toMatchObject({ status: 'done' });
    expect(files.get('c.ndjson')).toMatchObject({ status: 'done' });
    expect(files.get('b-huge.ndjson')).toMatchObject({
      status: 'failed',
      code: 'warehouse_failed',
      message: expect.stringMatching(/out of memory/i),
      hint: expect.stringMatching(/memory_limit/),
    });
  });

  it('releases its claim, and the next run tries it again and reports it failed — never skipped', async () => {
    expect(second.code, second.stderr).toBe(1);
    expect([...filesOf(second).values()]).toEqual([expect.objectContaining({ key: 'b-huge.ndjson', status: 'failed', code: 'warehouse_failed' })]);
    const [ledger] = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) =>
      wh.query(`SELECT "status" AS status, "worker" AS worker, "lease_until" AS lease FROM "_aetl_files" WHERE "key" = 'b-huge.ndjson'`),
    );
    expect(ledger).toEqual({ status: 'failed', worker: null, lease: null });
    const failures = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => wh.query(`SELECT count(*) AS n FROM "_aetl_events" WHERE "kind" = 'file_failed'`));
    expect(failures[0]?.n).toBe(2n);
  });

  it('keeps what the other files committed', async () => {
    const silver = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => wh.query('SELECT "id" AS id FROM "events" ORDER BY 1'));
    expect(silver).toEqual([{ id: 1n }, { id: 3n }]);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stderr).toBe(0);
  });
});

describePostgres('a file PostgreSQL refuses, and a claim left by a process that is gone', () => {
  let dir: string;
  let url: string;
  const sql = async (text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('pg-fail');
    url = await freshDatabase('runfail');
    await writeFile(join(dir, 'events.contract.yaml'), CONTRACT);
    await writeFile(join(dir, 'agentic-etl.yaml'), `pipeline: test\nsource: ./landing\nwarehouse: ${url}\ncontract: ./events.contract.yaml\n`);
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'landing', 'a.ndjson'), '{"id":1,"name":"a"}\n');
    const setup = await runCli(['run'], dir); // creates the tables
    expect(setup.code, setup.stderr).toBe(0);
  });

  it('fails that file alone, and the next run, at once, tries it again: failed, exit 1, not skipped', async () => {
    await sql('ALTER TABLE events ADD CONSTRAINT id_not_13 CHECK (id <> 13)');
    await writeFile(join(dir, 'landing', 'b.ndjson'), '{"id":13,"name":"refused"}\n');
    await writeFile(join(dir, 'landing', 'c.ndjson'), '{"id":3,"name":"c"}\n');
    const first = await runCli(['run', '--json'], dir);
    expect(first.code, first.stderr).toBe(1);
    const files = filesOf(first);
    expect(files.get('c.ndjson')).toMatchObject({ status: 'done' });
    expect(files.get('b.ndjson')).toMatchObject({ status: 'failed', code: 'warehouse_failed', message: expect.stringContaining('id_not_13') });
    const second = await runCli(['run', '--json'], dir);
    expect(second.code, second.stderr).toBe(1);
    expect([...filesOf(second).values()]).toEqual([expect.objectContaining({ key: 'b.ndjson', status: 'failed' })]);
    expect(await sql(`SELECT status, worker FROM _aetl_files WHERE key = 'b.ndjson'`)).toEqual([{ status: 'failed', worker: null }]);
    await sql('ALTER TABLE events DROP CONSTRAINT id_not_13');
    const third = await runCli(['run', '--json'], dir);
    expect(third.code, third.stderr).toBe(0);
    expect(filesOf(third).get('b.ndjson')).toMatchObject({ status: 'done' });
  });

  it('takes over at once a claim whose process on this host is gone, instead of skipping the file until its lease ends', async () => {
    await writeFile(join(dir, 'landing', 'e.ndjson'), '{"id":5,"name":"e"}\n');
    let object: SourceObject | undefined;
    for await (const listed of localSource({ root: join(dir, 'landing'), uri: './landing' }).list()) if (listed.key === 'e.ndjson') object = listed;
    // What a run killed while working on e.ndjson leaves behind: its claim, the lease running for an hour.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await sql(
      `INSERT INTO _aetl_files (file_id, source, key, version, table_name, size, records, silver, quarantined, contract_version, status, processed_at, worker, lease_until, fence)
       VALUES ($1, './landing', $2, $3, 'events', $4, 0, 0, 0, 0, 'claimed', now(), $5, now() + interval '1 hour', 1)`,
      [fileIdOf('./landing', object!), object!.key, object!.version, object!.size, `${hostname()}:${gone}:deadbeef`],
    );
    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(filesOf(run).get('e.ndjson')).toMatchObject({ status: 'done' });
    expect(await sql(`SELECT status, fence FROM _aetl_files WHERE key = 'e.ndjson'`)).toEqual([{ status: 'done', fence: '2' }]);
  });
});

describePostgres('dates and instants on PostgreSQL', () => {
  it('stores year 0 (1 BC) and quarantines, with the range as reason, what PostgreSQL cannot store — the run goes on and exits 0', async () => {
    assertBuilt();
    const dir = await tempDir('pg-dates');
    const url = await freshDatabase('dates');
    await writeFile(join(dir, 'events.contract.yaml'), 'table: events\ncolumns:\n  id: {type: integer, required: true}\n  d:  {type: date}\n  ts: {type: timestamp}\n');
    await writeFile(join(dir, 'agentic-etl.yaml'), `pipeline: test\nsource: ./landing\nwarehouse: ${url}\ncontract: ./events.contract.yaml\n`);
    await mkdir(join(dir, 'landing'));
    const lines = [
      { id: 1, d: '0000-01-01', ts: '0000-01-01T00:00:00Z' },
      { id: 2, d: '-4713-11-23' },
      { id: 3, ts: '+294248-01-01T00:00:00Z' },
      { id: 4, d: '2024-02-29', ts: '-0044-03-15T12:00:00Z' },
    ];
    await writeFile(join(dir, 'landing', 'dates.ndjson'), lines.map((line) => JSON.stringify(line)).join('\n'));
    await writeFile(join(dir, 'landing', 'later.ndjson'), '{"id":5}\n');
    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(filesOf(run).get('dates.ndjson')).toMatchObject({ status: 'done', silver: 2, quarantined: 2 });
    expect(filesOf(run).get('later.ndjson')).toMatchObject({ status: 'done' });
    const quarantined = JSON.parse((await runCli(['quarantine', 'list', '--json'], dir)).stdout) as Array<{ line: number; reasons: Array<{ column: string; kind: string; message: string }> }>;
    const byLine = new Map(quarantined.map((q) => [q.line, q.reasons]));
    expect(byLine.get(2)).toEqual([expect.objectContaining({ column: 'd', kind: 'type_mismatch', message: expect.stringContaining('outside the dates the warehouse can store (-4713-11-24') })]);
    expect(byLine.get(3)).toEqual([expect.objectContaining({ column: 'ts', kind: 'type_mismatch', message: expect.stringContaining('outside the instants the warehouse can store') })]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT id, d::text AS d, ts::text AS ts FROM events ORDER BY id`);
      expect(rows).toEqual([
        { id: '1', d: '0001-01-01 BC', ts: '0001-01-01 00:00:00+00 BC' },
        { id: '4', d: '2024-02-29', ts: '0045-03-15 12:00:00+00 BC' },
        { id: '5', d: null, ts: null },
      ]);
    } finally {
      await client.end();
    }
  });
});
