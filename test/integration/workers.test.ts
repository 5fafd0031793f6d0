/**
 * Many workers, one bucket, one PostgreSQL database: three `agentic-etl run` loops over
 * small files on a real S3-compatible server. Two workers are hit while each is inside a
 * file's transaction — the chaos is placed, not timed: a proxy in front of the server
 * stalls the download of two chosen files, and the test acts on whichever worker the
 * ledger says claimed each one.
 *
 * - One is SIGKILLed: its claim is left behind, expires, and another worker takes the
 *   file over (a higher fencing token) and commits it.
 * - One is SIGSTOPped past its lease: another worker takes its file over and commits it;
 *   resumed, the stalled worker reaches its commit and is fenced out — it reports the
 *   file skipped, and its records never land.
 *
 * Afterwards every record is in exactly one of silver or quarantine, `audit` passes, the
 * drift opened one incident across the workers, and every run that was not killed
 * exited 0 by itself.
 */
import { join } from 'node:path';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { writeChaos } from '../../src/chaos/write.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';
import { assertBuilt, runCli, tempDir } from '../helpers/cli.js';
import { startFaultProxy, type FaultKind } from '../helpers/fault-proxy.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { startS3ServerOrSkip, type S3TestServer } from '../helpers/s3-server.js';
import { waitFor, within } from '../helpers/wait-for.js';
import { startWorkerPool } from '../helpers/worker-pool.js';

const FILES = 80;
const WORKERS = 3;
const LEASE_SECONDS = 2;
/** The drift (a new column) starts here and lasts: enough files for the controller to call it drift. */
const DRIFT_FROM = 60;
/** Early files, so that every worker is busy when the chaos strikes. */
const KILLED_FILE = 'events-00020.ndjson';
const STALLED_FILE = 'events-00040.ndjson';
/** Generous bounds on waits for events (they fail the test, they do not pace it). */
const TAKEOVER_TIMEOUT_MS = 60_000;
const ALL_DONE_TIMEOUT_MS = 150_000;

interface LedgerRow {
  file_id: string;
  status: string;
  worker: string | null;
  fence: number;
}

/** The process id in a worker identity (`host:pid:nonce`). */
const pidOf = (worker: string): number => Number(worker.split(':').at(-2));

describePostgres('many workers on S3 and PostgreSQL', () => {
  let s3: S3TestServer | undefined;
  beforeAll(async () => {
    s3 = await startS3ServerOrSkip();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it(`process ${FILES} files exactly once through a SIGKILL and a stall past the lease, mid-file`, async (context) => {
    if (s3 === undefined) return context.skip();
    assertBuilt();
    const dir = await tempDir('workers');
    const url = await freshDatabase('workers');
    const bucket = await s3.bucket();

    // The ground truth is generated locally, then placed in the bucket.
    const local = join(dir, 'generated');
    await writeChaos({ out: local, files: FILES, records: 4, poisonRate: 0.05, seed: 21, drift: [{ kind: 'new_column', fromFile: DRIFT_FROM }] });
    const names = (await readdir(local)).filter((name) => name.endsWith('.ndjson')).sort();
    expect(names).toHaveLength(FILES);
    await s3.seed(bucket, await Promise.all(names.map(async (name): Promise<[string, Buffer]> => [`landing/${name}`, await readFile(join(local, name))])));

    // The workers reach S3 through the proxy: the first download of each chosen file stops
    // after half its bytes, so its worker is certainly inside that file's transaction.
    const proxy = await startFaultProxy(s3.endpoint);
    const stallsLeft = new Map<string, FaultKind[]>([[KILLED_FILE, ['stall']], [STALLED_FILE, ['stall']]]);
    const isDownloadOf = (file: string, requestUrl: string): boolean => requestUrl.split('?')[0]?.endsWith(`/landing/${file}`) === true;
    proxy.settings.pick = (method, requestUrl) => {
      const file = [...stallsLeft.keys()].find((name) => method === 'GET' && isDownloadOf(name, requestUrl));
      return file === undefined ? undefined : stallsLeft.get(file)?.shift();
    };
    const stalledNow = (file: string): boolean => proxy.stalledUrls().some((requestUrl) => isDownloadOf(file, requestUrl));

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
        `  endpoint: ${proxy.endpoint}`,
        '  region: us-east-1',
        '  force_path_style: true',
        '',
      ].join('\n'),
    );

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const ledgerRow = async (key: string): Promise<LedgerRow | undefined> => {
      const { rows } = await client.query<LedgerRow>(`SELECT file_id, status, worker, fence::int AS fence FROM "_aetl_files" WHERE key = $1`, [key]);
      return rows[0];
    };
    const doneFiles = async (): Promise<number> => {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "_aetl_files" WHERE status = 'done'`);
      return rows[0].n as number;
    };
    /** After a run: all done; or every file left is held by a live lease (a new run would skip them); or work for a run. */
    const nextStep = async (): Promise<'run' | 'wait' | 'done'> => {
      const { rows } = await client.query<{ status: string; lease_until: Date | null }>(`SELECT status, lease_until FROM "_aetl_files"`);
      const done = rows.filter((row) => row.status === 'done').length;
      if (done >= FILES) return 'done';
      const held = rows.filter((row) => row.status === 'claimed' && row.lease_until !== null && Date.parse(String(row.lease_until)) > Date.now()).length;
      return done + held >= FILES ? 'wait' : 'run';
    };
    /** The claim on a file whose download is stalled: its worker holds it, mid-transaction. */
    const claimOf = async (key: string): Promise<LedgerRow & { worker: string }> => {
      const row = await ledgerRow(key);
      if (row?.status !== 'claimed' || row.worker === null) throw new Error(`${key} is stalled mid-download but its ledger row is ${JSON.stringify(row)}`);
      return { ...row, worker: row.worker };
    };

    const pool = startWorkerPool({ workers: WORKERS, cwd: dir, pauseMs: 200, next: nextStep });
    try {
      const crash = (async () => {
        await waitFor(() => stalledNow(KILLED_FILE), `a worker stalled downloading ${KILLED_FILE}`, ALL_DONE_TIMEOUT_MS);
        const claim = await claimOf(KILLED_FILE);
        const victim = pool.running(pidOf(claim.worker));
        expect(victim, 'the claimant is one of our workers').toBeDefined();
        victim?.kill('SIGKILL');
        return claim;
      })();
      const stall = (async () => {
        await waitFor(() => stalledNow(STALLED_FILE), `a worker stalled downloading ${STALLED_FILE}`, ALL_DONE_TIMEOUT_MS);
        const claim = await claimOf(STALLED_FILE);
        const sleeper = pool.running(pidOf(claim.worker));
        expect(sleeper, 'the claimant is one of our workers').toBeDefined();
        sleeper?.kill('SIGSTOP');
        // The rest of the bytes wait in its socket; its heartbeat is stopped with it.
        proxy.releaseStalls((requestUrl) => isDownloadOf(STALLED_FILE, requestUrl));
        expect(stalledNow(STALLED_FILE)).toBe(false);
        await waitFor(async () => (await ledgerRow(STALLED_FILE))?.status === 'done', `another worker to take ${STALLED_FILE} over`, TAKEOVER_TIMEOUT_MS);
        sleeper?.kill('SIGCONT');
        return claim;
      })();
      // Both settle before either failure is thrown: nothing is left running unobserved.
      const chaos = await Promise.allSettled([crash, stall]);
      for (const outcome of chaos) if (outcome.status === 'rejected') throw outcome.reason;
      const [killed, stopped] = chaos.map((outcome) => (outcome as PromiseFulfilledResult<LedgerRow & { worker: string }>).value) as [LedgerRow & { worker: string }, LedgerRow & { worker: string }];
      await within(pool.done, 'every worker to finish', ALL_DONE_TIMEOUT_MS);

      const failures = pool.runs.map((run) => `worker ${run.worker} pid ${run.pid} exit ${run.exit}: ${run.stderr.slice(-600)}`).join('\n');
      // Every run ended by itself with 0, but the one killed.
      expect(pool.runs.filter((run) => run.exit !== 0).map((run) => [run.pid, run.exit]), failures).toEqual([[pidOf(killed.worker), 'SIGKILL']]);
      expect(await doneFiles()).toBe(FILES);

      // The killed worker's claim was taken over: a higher fence, another worker.
      const afterKill = await ledgerRow(KILLED_FILE);
      expect(afterKill?.status).toBe('done');
      expect(afterKill?.worker).not.toBe(killed.worker);
      expect(afterKill?.fence).toBeGreaterThan(killed.fence);

      // The stalled worker's file was taken over, and its late commit was fenced out.
      const afterStall = await ledgerRow(STALLED_FILE);
      expect(afterStall?.worker).not.toBe(stopped.worker);
      expect(afterStall?.fence).toBeGreaterThan(stopped.fence);
      const stalledRun = pool.runs.find((run) => run.pid === pidOf(stopped.worker));
      expect(stalledRun?.exit, failures).toBe(0);
      const report = JSON.parse(stalledRun?.stdout ?? '{}') as { files?: Array<{ key: string; status: string; reason?: string }> };
      expect(report.files?.find((file) => file.key === STALLED_FILE)).toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(new RegExp(`lost the claim on file ${stopped.file_id} \\(fencing token ${stopped.fence}\\)`)),
      });
      // One commit per file: the fenced-out transaction left no event, and no records (below).
      for (const row of [afterKill, afterStall]) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM "_aetl_events" WHERE kind = 'file_processed' AND file_id = $1`, [row?.file_id]);
        expect(rows[0].n, row?.file_id).toBe(1);
      }
    } finally {
      pool.killAll();
      await client.end();
      await proxy.stop();
    }

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
    // The sustained drift opened exactly one incident across the workers.
    const incidents = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Array<{ findingKeys: string[] }>;
    expect(incidents.filter((i) => i.findingKeys.includes('unknown_column:session_id'))).toHaveLength(1);
  }, 240_000);
});
