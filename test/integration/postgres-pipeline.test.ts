/**
 * The whole pipeline on PostgreSQL through the real CLI: chaos output with sustained drift
 * is ingested, healed (DDL + a new contract version + replay) and audited, with every
 * generated record in exactly one of silver or quarantine.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest, type ManifestEntry } from '../../src/chaos/manifest.js';
import type { Incident } from '../../src/ledger/incidents.js';
import { recordOutcomes, type RecordOutcome } from '../../src/ledger/outcomes.js';
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';
import type { DescribedColumn } from '../../src/warehouse/warehouse.js';
import { assertBuilt, runCli, tempDir } from '../helpers/cli.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';

describePostgres('agentic-etl on a PostgreSQL warehouse', () => {
  let dir: string;
  let url: string;
  let manifest: ManifestEntry[];
  let outcomes: RecordOutcome[];
  let silverColumns: DescribedColumn[] | undefined;
  const cli = (...args: string[]) => runCli(args, dir);

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('pg-pipeline');
    url = await freshDatabase('pipeline');
    await writeFile(join(dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);
    await writeFile(join(dir, 'agentic-etl.yaml'), `pipeline: test\nsource: ./landing\nwarehouse: ${url}\ncontract: ./events.contract.yaml\n`);
    const chaos = await cli('chaos', '--out', 'landing', '--files', '6', '--records', '400', '--poison-rate', '0.03', '--seed', '5',
      '--drift', 'new_column@3', '--drift', 'int_to_float@5');
    expect(chaos.code, chaos.stderr).toBe(0);
    const run = await cli('run', '--json');
    expect(run.code, run.stderr).toBe(0);
    manifest = await readManifest(join(dir, 'landing'));
    const warehouse = await openWarehouse(url, dir);
    try {
      outcomes = await recordOutcomes(warehouse, 'events');
      silverColumns = await warehouse.describeTable('events');
    } finally {
      await warehouse.close();
    }
  });

  it('puts every generated record in exactly one of silver or quarantine, and audit agrees', async () => {
    const seen = new Map<string, number>();
    for (const o of outcomes) seen.set(`${o.file}:${o.line}`, (seen.get(`${o.file}:${o.line}`) ?? 0) + 1);
    expect(manifest).toHaveLength(6 * 400);
    for (const entry of manifest) expect(seen.get(`${entry.file}:${entry.line}`), `${entry.file}:${entry.line}`).toBe(1);
    expect(outcomes).toHaveLength(manifest.length);
    const audit = await cli('audit', '--json');
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 6, recount: { equal: 6, differs: 0, notRecounted: {} } });
    const silver = outcomes.filter((o) => o.place === 'silver').length;
    const status = JSON.parse((await cli('status', '--json')).stdout) as Array<Record<string, number>>;
    expect(status[0]).toMatchObject({ table: 'events', files: 6, records: 2400, silver, quarantined: 2400 - silver });
  });

  it('heals the new column and the widening: contract versions, the DDL applied, the drifted records replayed', async () => {
    const incidents = JSON.parse((await cli('incidents', '--json')).stdout) as Incident[];
    const byKey = new Map(incidents.map((incident) => [incident.findingKeys.join(','), incident]));
    const added = byKey.get('unknown_column:session_id');
    expect(added).toMatchObject({ status: 'healed' });
    expect(added!.applied[0]).toMatchObject({ contractVersion: 2, ddl: ['ALTER TABLE "events" ADD COLUMN IF NOT EXISTS "session_id" TEXT'] });
    expect(added!.replayed).toBeGreaterThan(0);
    const widened = byKey.get('type_mismatch:quantity');
    expect(widened).toMatchObject({ status: 'healed' });
    expect(widened!.applied[0]).toMatchObject({
      contractVersion: 3,
      ddl: ['ALTER TABLE "events" ALTER COLUMN "quantity" TYPE DOUBLE PRECISION USING "quantity"::DOUBLE PRECISION'],
    });
    expect(widened!.replayed).toBeGreaterThan(0);
    expect(silverColumns?.find((c) => c.name === 'session_id')).toMatchObject({ engineType: 'TEXT', nullable: true });
    expect(silverColumns?.find((c) => c.name === 'quantity')).toMatchObject({ engineType: 'DOUBLE PRECISION' });
    const history = JSON.parse((await cli('contract', 'history', '--json')).stdout) as Array<{ version: number; author: string }>;
    expect(history.map((v) => [v.version, v.author])).toEqual([[1, 'user'], [2, 'agent:rules'], [3, 'agent:rules']]);
    // Drifted records that are otherwise clean reached silver.
    const quarantined = new Set(outcomes.filter((o) => o.place === 'quarantine').map((o) => `${o.file}:${o.line}`));
    const unhealed = manifest.filter((e) => e.expect === 'quarantine' && e.expect_healed !== 'quarantine' && quarantined.has(`${e.file}:${e.line}`));
    expect(unhealed).toEqual([]);
  });

  it('skips done files on a rerun and shows quarantined records', async () => {
    const again = await cli('run', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyDone: 6, files: [] });
    const list = JSON.parse((await cli('quarantine', 'list', '--json', '--limit', '3')).stdout) as Array<{ recordId: string; reasons: unknown[] }>;
    expect(list).toHaveLength(3);
    const shown = await cli('quarantine', 'show', list[0]!.recordId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(list[0]!.recordId);
  });
});

describePostgres('NUL characters on a PostgreSQL warehouse', () => {
  it('never stop a file: a NUL in a value is quarantined, a raw NUL byte is kept as base64', async () => {
    assertBuilt();
    const dir = await tempDir('pg-nul');
    const url = await freshDatabase('nul');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'c.yaml'), 'table: t\ncolumns:\n  id: {type: integer, required: true}\n  name: {type: string}\n');
    await writeFile(join(dir, 'agentic-etl.yaml'), `pipeline: nul\nsource: ./landing\nwarehouse: ${url}\ncontract: ./c.yaml\n`);
    const lines = ['{"id":1,"name":"ok"}', '{"id":2,"name":"a\\u0000b"}', Buffer.from('{"id":3,"name":"x\u0000y"}').toString(), '{"id":4}'];
    await writeFile(join(dir, 'landing', 'a.ndjson'), `${lines.join('\n')}\n`);
    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).files[0]).toMatchObject({ records: 4, silver: 2, quarantined: 2 });
    const quarantined = JSON.parse((await runCli(['quarantine', 'list', '--json'], dir)).stdout) as Array<{ line: number; rawEncoding: string; raw: string; reasons: Array<{ message: string }> }>;
    expect(quarantined.map((r) => r.line)).toEqual([2, 3]);
    expect(quarantined[0]!.reasons[0]!.message).toMatch(/NUL/);
    expect(quarantined[1]!.rawEncoding).toBe('base64');
    expect(Buffer.from(quarantined[1]!.raw, 'base64').toString()).toBe(lines[2]);
    expect((await runCli(['audit'], dir)).code).toBe(0);
  });
});
