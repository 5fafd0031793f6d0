/**
 * Exactly once across crashes: `agentic-etl run` is killed with SIGKILL at random moments
 * (20 times), then run to completion. Every record must be in exactly one of silver or
 * quarantine, once, and audit must pass.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest, type ManifestEntry } from '../../src/chaos/manifest.js';
import { writeChaos } from '../../src/chaos/write.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { createRandom } from '../../src/chaos/random.js';
import { assertBuilt, runCli, spawnCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const KILLS = 20;

const batchName = (i: number) => `batch-${String(i).padStart(2, '0')}`;

/** Starts a run and SIGKILLs it after `delayMs`; resolves when the process is gone. */
function killAfter(dir: string, delayMs: number): Promise<{ killed: boolean }> {
  return new Promise((done) => {
    const child = spawnCli(['run'], dir);
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      done({ killed: signal === 'SIGKILL' });
    });
  });
}

describe('crash safety', () => {
  it(`loses and duplicates nothing when run is SIGKILLed ${KILLS} times`, async () => {
    assertBuilt();
    const dir = await tempDir('crash');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    const landBatch = (i: number) =>
      writeChaos({ out: join(dir, 'landing', batchName(i)), files: 2, records: 4000, poisonRate: 0.05, seed: i, drift: [{ kind: 'new_column', fromFile: 2 }] });
    // Calibrate on this machine: how long one uninterrupted run of one batch takes.
    await landBatch(0);
    const started = Date.now();
    expect((await runCli(['run'], dir)).code).toBe(0);
    const runMs = Date.now() - started;

    // New files land before every attempt, so each kill finds work; the moment is seeded
    // (reproducible) and spread over the run: startup, mid-file, commit, between files.
    const random = createRandom('crash-test');
    let killedMidRun = 0;
    for (let i = 1; i <= KILLS; i += 1) {
      await landBatch(i);
      const { killed } = await killAfter(dir, Math.round(runMs * (0.15 + 0.8 * random.next())));
      if (killed) killedMidRun += 1;
    }
    expect(killedMidRun).toBeGreaterThanOrEqual(KILLS * 0.75);

    const finish = await runCli(['run'], dir);
    expect(finish.code, finish.stderr).toBe(0);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: (KILLS + 1) * 2 });

    const manifest: ManifestEntry[] = [];
    for (let i = 0; i <= KILLS; i += 1) {
      for (const entry of await readManifest(join(dir, 'landing', batchName(i)))) manifest.push({ ...entry, file: `${batchName(i)}/${entry.file}` });
    }
    const outcomes = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => recordOutcomes(wh, 'events'));
    const positions = new Set(outcomes.map((o) => `${o.file}:${o.line}`));
    expect(outcomes.length).toBe(manifest.length);
    expect(positions.size).toBe(manifest.length);
    for (const entry of manifest) expect(positions.has(`${entry.file}:${entry.line}`)).toBe(true);
  });
});
