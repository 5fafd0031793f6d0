/**
 * Keys JavaScript objects already have — `__proto__`, `constructor`, `prototype` — through the
 * built CLI, in NDJSON records and in a CSV header, with a contract that has `constructor`
 * and `prototype` columns. One `__proto__` key once polluted Object.prototype, and every
 * later file of the same `run` failed (issue 7): here the files after it must load as usual,
 * the sustained `__proto__` key is reported and refused as a column with a clear reason,
 * and nothing is lost.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/ledger/incidents.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:          {type: integer, required: true}
  constructor: {type: string}
  prototype:   {type: string}
`;

describe('reserved names as keys, end to end', () => {
  it('routes them like any other key, and the files after them load as usual', async () => {
    assertBuilt();
    const dir = await tempDir('reserved');
    await mkdir(join(dir, 'landing'));
    await writePipeline(dir, CONTRACT);
    // Written as text: JSON.stringify of an object literal would drop `__proto__`.
    const poisoned = Array.from({ length: 20 }, (_, i) => `{"id":${i},"__proto__":{"polluted":1},"constructor":"c${i}","prototype":"p"}`);
    await writeFile(join(dir, 'landing', 'a.ndjson'), `${poisoned.join('\n')}\n`);
    await writeFile(join(dir, 'landing', 'b.csv'), 'id,__proto__,constructor,prototype\n100,x,c,p\n101,,c,p\n');
    const clean = Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: 200 + i, constructor: `k${i}`, prototype: 'q' }));
    await writeFile(join(dir, 'landing', 'c.ndjson'), `${clean.join('\n')}\n`);

    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const files = (JSON.parse(run.stdout) as { files: { key: string; status: string; silver: number; quarantined: number }[] }).files;
    expect(files.map((f) => [f.key, f.status, f.silver, f.quarantined])).toEqual([
      ['a.ndjson', 'done', 0, 20],
      // The CSV's second row has an empty `__proto__` field (null): a key the contract does not have is still unknown.
      ['b.csv', 'done', 0, 2],
      ['c.ndjson', 'done', 5, 0],
    ]);

    await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
      const silver = await wh.query(`SELECT id, "constructor" AS c, "prototype" AS p FROM events ORDER BY id`);
      expect(silver.map((r) => [Number(r.id), r.c, r.p])).toEqual(clean.map((_, i) => [200 + i, `k${i}`, 'q']));
      const bronze = await wh.query(`SELECT _raw FROM bronze_events WHERE _file = 'a.ndjson' ORDER BY _line`);
      expect(bronze.map((r) => r._raw)).toEqual(poisoned);
      const quarantined = await wh.query(`SELECT _file, reasons FROM quarantine_events ORDER BY _file, _line`);
      for (const row of quarantined) {
        const reasons = JSON.parse(String(row.reasons)) as { kind: string; column: string }[];
        expect(reasons.map((r) => `${r.kind}:${r.column}`)).toEqual(['unknown_column:__proto__']);
      }
    });
    // The sustained `__proto__` key is drift: its add_column is refused with the reason, and nothing else breaks.
    const incidents = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Incident[];
    const denied = incidents.flatMap((incident) => incident.decisions ?? []).filter((d) => d.planned.action.kind === 'add_column');
    expect(denied.map((d) => [d.verdict, d.reason])).toEqual([['deny', expect.stringMatching(/`__proto__`.*JavaScript reserves.*aliases/)]]);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stdout).toBe(0);
  });
});
