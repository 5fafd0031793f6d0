/**
 * What one record may cost, end to end (issue 7). At full size each of these stopped `run`
 * with DuckDB out of memory: 20 records of 20,000 keys, a 5,000-column CSV, a 300 MB line
 * with max_line_bytes raised. Here, scaled down: over max_record_keys a record is malformed
 * (raw text kept, parsed value dropped, one short reason), evolution stops at
 * max_table_columns with the reason, and a max_line_bytes DuckDB cannot hold is refused
 * before the run starts — so a line that long is an over-limit line, not a crash.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/ledger/incidents.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:   {type: integer, required: true}
  name: {type: string}
`;
const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

async function pipeline(prefix: string, extra = ''): Promise<string> {
  const dir = await tempDir(prefix);
  await mkdir(join(dir, 'landing'));
  await writePipeline(dir, CONTRACT, extra);
  return dir;
}

describe('record limits', () => {
  it('quarantines records with too many keys as malformed, raw kept, stops evolution at max_table_columns, and loads the files after them', async () => {
    assertBuilt();
    // Limits lowered so that small records prove the point.
    const dir = await pipeline('limits-keys', 'max_record_keys: 40\nmax_table_columns: 4\n');
    const wide = (id: number) => `{"id":${id}${Array.from({ length: 59 }, (_, i) => `,"k${i}":${i}`).join('')}}`;
    const lines = [...Array.from({ length: 12 }, (_, i) => wide(i)), JSON.stringify({ id: 100, name: 'a' }), JSON.stringify({ id: 101, name: 'b' })];
    await writeFile(join(dir, 'landing', 'a.ndjson'), `${lines.join('\n')}\n`);
    const header = ['id', 'name', ...Array.from({ length: 58 }, (_, i) => `c${i}`)];
    const row = (id: number) => [String(id), 'n', ...Array.from({ length: 58 }, (_, i) => String(i))].join(',');
    await writeFile(join(dir, 'landing', 'b.csv'), `${header.join(',')}\n${row(200)}\n${row(201)}\n`);
    // Four new keys in every record: sustained drift, but the table may grow by two columns only.
    const drift = Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: 300 + i, name: 'n', new_a: 1, new_b: 2, new_c: 3, new_d: 4 }));
    await writeFile(join(dir, 'landing', 'c.ndjson'), `${drift.join('\n')}\n`);
    await writeFile(join(dir, 'landing', 'd.ndjson'), `${JSON.stringify({ id: 400, name: 'later' })}\n`);

    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const files = (JSON.parse(run.stdout) as { files: { key: string; silver: number; quarantined: number; malformed: number }[] }).files;
    expect(files.map((f) => [f.key, f.silver, f.quarantined, f.malformed])).toEqual([
      ['a.ndjson', 2, 12, 12], ['b.csv', 0, 2, 2], ['c.ndjson', 0, 30, 0], ['d.ndjson', 1, 0, 0],
    ]);
    await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
      const rows = await wh.query(`SELECT _file, _line, _raw, _value, reasons FROM quarantine_events WHERE _file IN ('a.ndjson', 'b.csv') ORDER BY _file, _line`);
      expect(rows).toHaveLength(14);
      for (const q of rows) {
        expect(q._value).toBeNull();
        const reasons = JSON.parse(String(q.reasons)) as { kind: string; message: string }[];
        expect(reasons).toEqual([expect.objectContaining({ kind: 'malformed', message: expect.stringMatching(/ line \d+ has 60 keys, over the limit of 40 \(max_record_keys\)/) })]);
      }
      expect(rows.filter((q) => q._file === 'a.ndjson').map((q) => q._raw)).toEqual(lines.slice(0, 12));
      const bronze = await wh.query(`SELECT _raw FROM bronze_events WHERE _file = 'b.csv' ORDER BY _line`);
      expect(bronze.map((b) => b._raw)).toEqual([row(200), row(201)]);
      const columns = (await wh.describeTable('events'))!.map((c) => c.name);
      expect(columns.filter((c) => !c.startsWith('_'))).toEqual(['id', 'name', 'new_a', 'new_b']);
    });
    const [incident] = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Incident[];
    const denied = (incident?.decisions ?? []).filter((d) => d.verdict === 'deny').map((d) => d.reason);
    expect(denied).toEqual([expect.stringMatching(/^max_table_columns: `events` would have 4 columns/), expect.stringMatching(/^max_table_columns/)]);
    expect((await runCli(['audit'], dir)).code).toBe(0);
  });

  it('refuses a max_line_bytes DuckDB cannot hold, so a line that long is over the limit, not a crash', async () => {
    assertBuilt();
    // 16MB of DuckDB memory holds a line of at most 4 MB. Before the limit, max_line_bytes: 12000000
    // let this 10 MB record in, and its raw text, quarantine copy and parsed value stopped the run
    // at COMMIT ("failed to pin block of size 9.5 MiB").
    const refused = await pipeline('limits-line');
    const config = (maxLineBytes: number) =>
      `pipeline: t\nsource: ./landing\nwarehouse: duckdb:./warehouse.duckdb?memory_limit=16MB\ncontract: ./events.contract.yaml\nmax_line_bytes: ${maxLineBytes}\n`;
    await writeFile(join(refused, 'agentic-etl.yaml'), config(12_000_000));
    const huge = JSON.stringify({ id: 1, extra: 'x'.repeat(10_000_000) });
    await writeFile(join(refused, 'landing', 'a.ndjson'), `${huge}\n${JSON.stringify({ id: 2, name: 'ok' })}\n`);
    const run = await runCli(['run'], refused);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("agentic-etl.yaml:5: max_line_bytes (12000000) is more than a quarter of DuckDB's memory_limit 16MB");
    expect(run.stderr).toContain('set max_line_bytes to at most 4000000');
    expect(run.stderr).not.toMatch(STACK_TRACE);

    // At the largest allowed value the line is an ordinary over-limit line, and the run goes on.
    await writeFile(join(refused, 'agentic-etl.yaml'), config(4_000_000));
    const allowed = await runCli(['run', '--json'], refused);
    expect(allowed.code, allowed.stderr).toBe(0);
    const [file] = (JSON.parse(allowed.stdout) as { files: { silver: number; malformed: number }[] }).files;
    expect(file).toMatchObject({ silver: 1, malformed: 1 });
  });
});
