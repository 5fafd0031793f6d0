/**
 * A contract pattern is matched in linear time (issue 7): `(a+)+$` against 50 `a`s and a `b`
 * used to backtrack forever inside `run`. The built CLI must finish, quarantine the record
 * with a pattern reason and load the others.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt, spawnCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:   {type: integer, required: true}
  code: {type: string, pattern: "(a+)+$"}
`;

/** Runs the CLI, killing it after `limitMs`: a hang must fail the test, not stall the suite. */
function runWithin(args: string[], cwd: string, limitMs: number): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawnCli(args, cwd);
    let stdout = '';
    let killed = false;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, killed, stdout });
    });
  });
}

describe('contract patterns', () => {
  it('cannot hang run with catastrophic backtracking', async () => {
    assertBuilt();
    const dir = await tempDir('redos');
    await mkdir(join(dir, 'landing'));
    await writePipeline(dir, CONTRACT);
    const evil = `${'a'.repeat(50)}b`;
    await writeFile(join(dir, 'landing', 'a.ndjson'), `${JSON.stringify({ id: 1, code: evil })}\n${JSON.stringify({ id: 2, code: 'aaa' })}\n`);
    await writeFile(join(dir, 'landing', 'b.ndjson'), `${JSON.stringify({ id: 3, code: 'a' })}\n`);

    // Generous for a loaded machine: the run takes about a second; the old engine never ends.
    const run = await runWithin(['run', '--json'], dir, 60_000);
    expect(run.killed, 'run hung on the pattern').toBe(false);
    expect(run.code, run.stdout).toBe(0);
    await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
      expect((await wh.query('SELECT id FROM events ORDER BY id')).map((r) => Number(r.id))).toEqual([2, 3]);
      const [row] = await wh.query('SELECT reasons FROM quarantine_events');
      expect(JSON.parse(String(row?.reasons))).toEqual([expect.objectContaining({ column: 'code', kind: 'pattern_mismatch' })]);
    });
  }, 90_000);
});
