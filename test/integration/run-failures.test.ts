/**
 * A file that fails never stops the run or lies about it, through the real CLI on DuckDB:
 * a file DuckDB runs out of memory on (a real OOM, with `memory_limit` tiny in the
 * warehouse URI) fails alone — the files after it are processed, its claim is released,
 * the run exits 1 — and the next run tries it again and reports it failed again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:   {type: integer, required: true}
  name: {type: string}
`;

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
    // 16MB of buffer pool cannot hold a 10 MiB value twice (bronze's raw text and silver's column).
    await writeFile(
      join(dir, 'agentic-etl.yaml'),
      'pipeline: test\nsource: ./landing\nwarehouse: duckdb:./warehouse.duckdb?memory_limit=16MB\ncontract: ./events.contract.yaml\nmax_line_bytes: 16777216\n',
    );
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'landing', 'a.ndjson'), '{"id":1,"name":"a"}\n');
    await writeFile(join(dir, 'landing', 'b-huge.ndjson'), `${JSON.stringify({ id: 2, name: 'x'.repeat(10 << 20) })}\n`);
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
