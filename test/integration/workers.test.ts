/**
 * Many workers, one bucket, one PostgreSQL database: four `agentic-etl run` loops over
 * 2,000 small files on a real S3-compatible server, one worker SIGKILLed every few seconds
 * (and restarted), another SIGSTOPped past its lease (and resumed later, when it must not
 * commit what another worker took over). Afterwards every record is in exactly one of
 * silver or quarantine and `audit` passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { writeChaos } from '../../src/chaos/write.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';
import { CLI, assertBuilt, runCli, tempDir } from '../helpers/cli.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { startS3ServerOrSkip, type S3TestServer } from '../helpers/s3-server.js';

const FILES = 2000;
const WORKERS = 4;
const LEASE_SECONDS = 2;

describePostgres('many workers on S3 and PostgreSQL', () => {
  let s3: S3TestServer | undefined;
  beforeAll(async () => {
    s3 = await startS3ServerOrSkip();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it(`process ${FILES} files exactly once through SIGKILLs and a stall past the lease`, async (context) => {
    if (s3 === undefined) return context.skip();
    assertBuilt();
    const dir = await tempDir('workers');
    const url = await freshDatabase('workers');
    const bucket = await s3.bucket();

    // The ground truth is generated locally, then uploaded: one PUT per file.
    const local = join(dir, 'generated');
    await writeChaos({ out: local, files: FILES, records: 4, poisonRate: 0.05, seed: 21, drift: [{ kind: 'new_column', fromFile: 1500 }] });
    const names = (await readdir(local)).filter((name) => name.endsWith('.ndjson')).sort();
    expect(names).toHaveLength(FILES);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map(async (name) => s3!.put(bucket, `landing/${name}`, await readFile(join(local, name)))));
    }

    await writeFile(join(dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);
    await writeFile(
      join(dir, 'agentic-etl.yaml'),
      [
        'pipeline: workers',
        `source: s3://${bucket}/landing/`,
        'format: ndjson',
        `warehouse: ${url}`,
        'contract: ./events.contract.yaml',
        `lease_seconds: ${LEASE_SECONDS}`,
        's3:',
        `  endpoint: ${s3.endpoint}`,
        '  region: us-east-1',
        '  force_path_style: true',
        '',
      ].join('\n'),
    );

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const doneFiles = async (): Promise<number> => {
      try {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM "_aetl_files" WHERE "status" = 'done'`);
        return rows[0].n as number;
      } catch {
        return 0; // the first worker has not created the ledger yet
      }
    };

    // Each worker runs `agentic-etl run` again and again until every file is done.
    const current: Array<ChildProcess | undefined> = new Array(WORKERS).fill(undefined);
    let finished = false;
    const exits: Array<number | string | null> = [];
    const problems = new Set<string>();
    const loops = Array.from({ length: WORKERS }, async (_, w) => {
      while (!finished) {
        const child = spawn(process.execPath, [CLI, 'run'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
        child.stderr?.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (/error|fix|failed/i.test(line)) problems.add(line.replace(/[0-9a-f]{20}/g, 'ID').slice(0, 300));
        });
        current[w] = child;
        const code = await new Promise<number | string | null>((resolve) => child.on('exit', (c, signal) => resolve(c ?? signal)));
        exits.push(code);
        current[w] = undefined;
        if ((await doneFiles()) >= FILES) finished = true;
        else await new Promise((r) => setTimeout(r, 100));
      }
    });

    // Chaos, side by side: SIGKILL worker 0 every ~2.5 s; stop worker 1 once, early, for
    // twice its lease (another worker takes its file over; resumed, it must not commit).
    let kills = 0;
    let stalls = 0;
    const killing = (async () => {
      while (!finished) {
        await new Promise((r) => setTimeout(r, 2500));
        const victim = current[0];
        if (!finished && victim?.pid !== undefined && victim.exitCode === null) {
          victim.kill('SIGKILL');
          kills += 1;
        }
      }
    })();
    const stalling = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      // The stalled worker must be mid-run: wait for it (between runs it has no process).
      while (!finished && (current[1] === undefined || current[1].exitCode !== null)) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      const stalled = current[1];
      if (finished || stalled?.pid === undefined) return;
      stalled.kill('SIGSTOP');
      stalls += 1;
      await new Promise((r) => setTimeout(r, LEASE_SECONDS * 2000 + 1000));
      stalled.kill('SIGCONT');
    })();
    const chaos = Promise.all([killing, stalling]);

    const deadline = Date.now() + 240_000;
    while (!finished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    finished = true;
    for (const child of current) child?.kill('SIGKILL');
    await Promise.all([...loops, chaos]);
    await client.end();

    expect(await (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM "_aetl_files" WHERE "status" = 'done'`);
      await c.end();
      return rows[0].n as number;
    })()).toBe(FILES);
    process.stderr.write(`workers: ${kills} SIGKILL(s), ${stalls} stall(s); run exits: ${JSON.stringify(exits)}\n${[...problems].slice(0, 30).join('\n')}\n`);
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(stalls).toBe(1);

    // The recount from the bucket has its own tests (s3-pipeline, audit-recount); here, 2,000
    // more GETs would only lengthen the heaviest test of the suite.
    const audit = await runCli(['audit', '--no-recount', '--json'], dir);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: FILES });

    const manifest = await readManifest(local);
    const warehouse = await openWarehouse(url, dir);
    try {
      const outcomes = await recordOutcomes(warehouse, 'events');
      const positions = new Map<string, number>();
      for (const o of outcomes) positions.set(`${o.file}:${o.line}`, (positions.get(`${o.file}:${o.line}`) ?? 0) + 1);
      expect(outcomes).toHaveLength(manifest.length);
      for (const entry of manifest) expect(positions.get(`${entry.file}:${entry.line}`), `${entry.file}:${entry.line}`).toBe(1);
    } finally {
      await warehouse.close();
    }
    // The sustained drift from file 1,500 opened exactly one incident across four workers.
    const incidents = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Array<{ findingKeys: string[] }>;
    expect(incidents.filter((i) => i.findingKeys.includes('unknown_column:session_id'))).toHaveLength(1);
  }, 300_000);
});
