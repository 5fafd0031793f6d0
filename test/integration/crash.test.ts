/**
 * Exactly once across crashes: `agentic-etl run` is SIGKILLed 20 times at seeded points of
 * a file's life — mid-file after the n-th record, with every record written, with the
 * ledger row written but not committed, just after the commit — each through a crash point
 * (src/util/crash-point.ts), so every kill lands where it was aimed however loaded the
 * machine is; then a few more kills at random moments in time, for the points nobody
 * named. After a full run every record must be in exactly one of silver or quarantine,
 * once, and audit must pass.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest, type ManifestEntry } from '../../src/chaos/manifest.js';
import { createRandom } from '../../src/chaos/random.js';
import { writeChaos } from '../../src/chaos/write.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { assertBuilt, CLI, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const AIMED_KILLS = 20;
const TIMED_KILLS = 5;
const FILES = 2;
const RECORDS = 500;

const batchName = (i: number) => `batch-${String(i).padStart(2, '0')}`;

/** Runs `run` with the environment given; resolves with the signal that ended it, if any. */
function runWith(dir: string, env: Record<string, string>, killAfterMs?: number): Promise<NodeJS.Signals | null> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'run'], { cwd: dir, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1', ...env } });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', fail);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      done(signal);
    });
  });
}

describe('crash safety', () => {
  it(`loses and duplicates nothing when run is SIGKILLed ${AIMED_KILLS + TIMED_KILLS} times`, { timeout: 180_000 }, async () => {
    assertBuilt();
    const dir = await tempDir('crash');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    let batches = 0;
    const landBatch = () =>
      writeChaos({ out: join(dir, 'landing', batchName(batches)), files: FILES, records: RECORDS, poisonRate: 0.05, seed: batches++, drift: [{ kind: 'new_column', fromFile: 2 }] });

    // New files land before every attempt, so each kill finds work. Each point is reached
    // within the new batch whatever earlier kills left undone (that work comes first).
    const random = createRandom('crash-test');
    const aims = (): string => {
      const file = 1 + Math.floor(random.next() * FILES);
      switch (Math.floor(random.next() * 4)) {
        case 0:
          return `ingest:record@${1 + Math.floor(random.next() * FILES * RECORDS)}`;
        case 1:
          return `ingest:written@${file}`;
        case 2:
          return `ingest:commit@${file}`;
        default:
          return `ingest:committed@${file}`;
      }
    };
    const aimed: string[] = [];
    for (let i = 0; i < AIMED_KILLS; i += 1) {
      await landBatch();
      const point = aims();
      aimed.push(point);
      // A run that did not reach its point would exit on its own: the kill must be the crash point's.
      expect(await runWith(dir, { AETL_TEST_CRASH_AT: point }), `crash point ${point}`).toBe('SIGKILL');
    }
    expect(new Set(aimed.map((point) => point.split('@')[0])).size).toBe(4);

    // Kills at moments in time, spread over how long a run of one batch takes here and now.
    await landBatch();
    const started = Date.now();
    expect((await runCli(['run'], dir)).code).toBe(0);
    const runMs = Date.now() - started;
    for (let i = 0; i < TIMED_KILLS; i += 1) {
      await landBatch();
      await runWith(dir, {}, Math.round(runMs * (0.2 + 0.8 * random.next())));
    }

    const finish = await runCli(['run'], dir);
    expect(finish.code, finish.stderr).toBe(0);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: batches * FILES });

    const manifest: ManifestEntry[] = [];
    for (let i = 0; i < batches; i += 1) {
      for (const entry of await readManifest(join(dir, 'landing', batchName(i)))) manifest.push({ ...entry, file: `${batchName(i)}/${entry.file}` });
    }
    const outcomes = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => recordOutcomes(wh, 'events'));
    const positions = new Set(outcomes.map((o) => `${o.file}:${o.line}`));
    expect(outcomes.length).toBe(manifest.length);
    expect(positions.size).toBe(manifest.length);
    for (const entry of manifest) expect(positions.has(`${entry.file}:${entry.line}`)).toBe(true);
  });
});
