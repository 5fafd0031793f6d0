/**
 * Column names are data: a key such as `a"; DROP TABLE events;--`, a name longer than
 * PostgreSQL's 63 bytes, and names that differ only by case travel through the healing
 * loop's DDL without running any extra statement and without two columns merging.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/ledger/incidents.js';
import { assertBuilt, runCli, tempDir } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:     {type: integer, required: true}
  amount: {type: double}
evolution: {new_column: evolve, type_change: widen, coercion: lossless, rename: approve, drift_threshold: 0.05}
`;

const INJECTION = 'a"; DROP TABLE events;--';
const LONG = `${'x'.repeat(60)}_long_column_name_over_63_bytes`;

describe('hostile column names', () => {
  it('are quoted into DDL as names, never as SQL, and case twins never merge', async () => {
    assertBuilt();
    const dir = await tempDir('hostile');
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'events.contract.yaml'), CONTRACT);
    await writeFile(join(dir, 'agentic-etl.yaml'), 'pipeline: t\nsource: ./landing\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\n');
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: i, amount: 1.5, [INJECTION]: 'x', [LONG]: i, Foo: 'a', foo: 'b' }));
    await writeFile(join(dir, 'landing', 'a.ndjson'), `${lines.join('\n')}\n`);
    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);

    const columns = await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
      const tables = (await wh.query(`SELECT table_name AS t FROM information_schema.tables ORDER BY 1`)).map((r) => String(r.t));
      expect(tables).toEqual(expect.arrayContaining(['events', 'bronze_events', 'quarantine_events', '_aetl_files']));
      return (await wh.describeTable('events'))!.map((c) => c.name);
    });
    expect(columns).toContain(INJECTION);
    expect(columns).toContain(LONG);
    // `Foo` and `foo` fold to one name on DuckDB: only one may be added, the other is refused.
    expect(columns.filter((c) => c.toLowerCase() === 'foo')).toHaveLength(1);
    const [incident] = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Incident[];
    expect(incident!.decisions!.some((d) => d.verdict === 'deny' && /collides/.test(d.reason))).toBe(true);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stdout).toBe(0);
  });

  it('refuses a new key that is a contract column spelled with another case', async () => {
    assertBuilt();
    const dir = await tempDir('hostile-case');
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'events.contract.yaml'), CONTRACT);
    await writeFile(join(dir, 'agentic-etl.yaml'), 'pipeline: t\nsource: ./landing\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\n');
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: i, Amount: 2.5 }));
    await writeFile(join(dir, 'landing', 'a.ndjson'), `${lines.join('\n')}\n`);
    expect((await runCli(['run'], dir)).code).toBe(3); // the rename Amount → amount waits for a person
    const columns = await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => (await wh.describeTable('events'))!.map((c) => c.name));
    expect(columns.filter((c) => c.toLowerCase() === 'amount')).toEqual(['amount']);
    const [incident] = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Incident[];
    expect(incident!.applied.filter((a) => a.action.kind === 'add_column')).toEqual([]);
    expect((await runCli(['audit'], dir)).code).toBe(0);
  });
});
