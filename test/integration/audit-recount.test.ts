/**
 * `audit` recounts every ingested file from its source, independently of the readers. The
 * warehouse is tampered with exactly as a reader that dropped a row (or put one at the
 * wrong line) would leave it — bronze, silver and the ledger's counts agreeing with each
 * other — which the conservation invariant alone cannot see; the recount must. A file
 * deleted or changed since ingestion is named as not recountable, without failing.
 */
import { mkdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:   {type: integer, required: true}
  name: {type: string}
`;

const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

interface AuditJson {
  ok: boolean;
  offending: Array<{ key: string; recount?: { status: string; sourceRecords?: number; bronzeRecords?: number; note?: string } }>;
  recount: { equal: number; differs: number; notRecounted: Record<string, Array<{ key: string; note: string }>> };
}

const auditJson = async (dir: string): Promise<{ code: number | null; report: AuditJson }> => {
  const result = await runCli(['audit', '--json'], dir);
  return { code: result.code, report: JSON.parse(result.stdout) as AuditJson };
};

/** What a reader that lost `line` of `file` leaves behind: no bronze or silver row, and a ledger count one short. */
async function dropRecord(dir: string, file: string, line: number): Promise<void> {
  await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
    for (const table of ['bronze_events', 'events']) await wh.run(`DELETE FROM "${table}" WHERE "_file" = $1 AND "_line" = $2`, [file, BigInt(line)]);
    await wh.run(`UPDATE "_aetl_files" SET "records" = "records" - 1, "silver" = "silver" - 1 WHERE "key" = $1`, [file]);
  });
}

describe('agentic-etl audit recounts each file from its source', () => {
  let dir: string;

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('audit-recount');
    await writePipeline(dir, CONTRACT);
    await mkdir(join(dir, 'landing'));
    const landing = (name: string, text: string) => writeFile(join(dir, 'landing', name), text);
    await landing('a.csv', 'id,name\n1,"x\ny"\n\n2,b\n3,c\n');
    await landing('b.ndjson', '{"id":1}\r\n{"id":2}\r\n{"id":3}\r\n');
    await landing('c.csv', 'id,name\r1,a\r2,b\r');
    await landing('d.ndjson', '{"id":1}\n{"id":2}\n');
    await landing('e.ndjson', '{"id":1}\n');
    const run = await runCli(['run'], dir);
    expect(run.code, run.stderr).toBe(0);
  });

  it('finds every file equal to its source after a clean run', async () => {
    const { code, report } = await auditJson(dir);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, offending: [], recount: { equal: 5, differs: 0, notRecounted: {} } });
  });

  it('catches a reader that dropped a row, which the invariant alone does not', async () => {
    await dropRecord(dir, 'a.csv', 5);
    expect((await runCli(['audit', '--no-recount'], dir)).code).toBe(0); // the counts agree among themselves
    const { code, report } = await auditJson(dir);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.offending).toEqual([expect.objectContaining({ key: 'a.csv', recount: { status: 'differs', sourceRecords: 3, bronzeRecords: 2 } })]);
    const text = await runCli(['audit'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/a\.csv.*3 in source, 2 in bronze/);
    expect(text.stderr).toMatch(/audit FAILED: 1 file\(s\) break the invariant or differ from their source/);
    expect(text.stderr).not.toMatch(STACK_TRACE);
  });

  it('catches a record put at another line even when the count is right', async () => {
    await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => {
      for (const table of ['bronze_events', 'events']) await wh.run(`UPDATE "${table}" SET "_line" = 4 WHERE "_file" = 'b.ndjson' AND "_line" = 3`);
    });
    const { report } = await auditJson(dir);
    expect(report.offending.map((f) => f.key).sort()).toEqual(['a.csv', 'b.ndjson']);
    expect(report.offending.find((f) => f.key === 'b.ndjson')?.recount).toMatchObject({ status: 'differs', sourceRecords: 3, bronzeRecords: 3, note: 'as many records, but at other lines' });
  });

  it('names files deleted or changed since ingestion as not recountable, without failing for them', async () => {
    await rm(join(dir, 'landing', 'd.ndjson'));
    await appendFile(join(dir, 'landing', 'e.ndjson'), '{"id":2}\n');
    const { report } = await auditJson(dir);
    expect(report.offending.map((f) => f.key).sort()).toEqual(['a.csv', 'b.ndjson']); // only the tampered ones fail
    expect(report.recount.equal).toBe(1); // c.csv
    expect(report.recount.notRecounted).toEqual({
      gone: [{ key: 'd.ndjson', note: expect.stringMatching(/^no longer in the source \(deleted or moved since it was ingested\): not recounted/) }],
      changed: [{ key: 'e.ndjson', note: expect.stringMatching(/^changed in the source since it was ingested \(version \S+, now \S+\)/) }],
    });
    const text = await runCli(['audit'], dir);
    expect(text.stderr).toMatch(/not recounted \(gone from the source\): 1 file\(s\)\n {2}d\.ndjson: no longer in the source/);
    expect(text.stderr).toMatch(/not recounted \(changed in the source\): 1 file\(s\)\n {2}e\.ndjson: changed in the source/);
  });
});
