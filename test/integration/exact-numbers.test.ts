/**
 * Numbers a double cannot carry, end to end through the built CLI: `run` quarantines
 * records whose key the contract lacks, the contract file gains the column, and `replay`
 * promotes them with every digit — `1e400` as `1e400`, never NULL.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const V1 = `table: events
columns:
  id: {type: string, required: true}
evolution:
  new_column: quarantine
`;
const V2 = `${V1.replace('evolution:', '  x: {type: string}\n  n: {type: integer}\nevolution:')}`;

let dir: string;
const cli = (...args: string[]) => runCli(args, dir);

beforeAll(async () => {
  assertBuilt();
  dir = await tempDir('exact-numbers');
  await writePipeline(dir, V1);
  await mkdir(join(dir, 'landing'));
  await writeFile(
    join(dir, 'landing', 'a.ndjson'),
    ['{"id":"a","x":1e400}', '{"id":"b","x":-12345678901234567890}', '{"id":"c","x":1.0000000000000001}', '{"id":"d","n":1.0000000000000001}', ''].join('\n'),
  );
});

it('replays quarantined numbers as written, and keeps refusing what the column cannot hold', async () => {
  const run = await cli('run', '--json');
  expect(run.code, run.stderr).toBe(0);

  await writeFile(join(dir, 'events.contract.yaml'), V2);
  const replay = await cli('replay', '--json');
  expect(replay.code, replay.stderr).toBe(0);
  expect(JSON.parse(replay.stdout)).toMatchObject({ examined: 4, promoted: 3, stillInvalid: 1 });

  const rows = await withWarehouse(join(dir, 'warehouse.duckdb'), async (warehouse) => ({
    silver: await warehouse.query(`SELECT id, x FROM events ORDER BY id`),
    open: await warehouse.query(`SELECT _raw, reasons FROM quarantine_events WHERE status = 'open'`),
  }));
  expect(rows.silver.map((row) => [row.id, row.x])).toEqual([['a', '1e400'], ['b', '-12345678901234567890'], ['c', '1.0000000000000001']]);
  // `n` is an integer column: 1.0000000000000001 is not an integer, whatever a double makes of it.
  expect(rows.open).toHaveLength(1);
  expect(String(rows.open[0]?.reasons)).toMatch(/`n` expects integer but holds the number 1\.0000000000000001/);
});
