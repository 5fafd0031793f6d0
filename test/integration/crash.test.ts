/**
 * Exactly once across crashes: `agentic-etl run` is killed with SIGKILL at random moments
 * (20 times), then run to completion. Every record must be in exactly one of silver or
 * quarantine, once, and audit must pass.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { createRandom } from '../../src/chaos/random.js';
import { assertBuilt, runCli, spawnCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const KILLS = 20;

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
    const chaos = await runCli(['chaos', '--out', 'landing', '--files', '24', '--records', '2500', '--poison-rate', '0.05', '--seed', '3', '--drift', 'new_column@12'], dir);
    expect(chaos.code, chaos.stderr).toBe(0);

    // Seeded so a failure can be reproduced; delays span startup, mid-file and between files.
    const random = createRandom('crash-test');
    let killedMidRun = 0;
    for (let i = 0; i < KILLS; i += 1) {
      const { killed } = await killAfter(dir, 150 + Math.floor(random.next() * 900));
      if (killed) killedMidRun += 1;
    }
    expect(killedMidRun).toBeGreaterThanOrEqual(KILLS / 2);

    const finish = await runCli(['run'], dir);
    expect(finish.code, finish.stderr).toBe(0);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 24 });

    const manifest = await readManifest(join(dir, 'landing'));
    const outcomes = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => recordOutcomes(wh, 'events'));
    const positions = new Set(outcomes.map((o) => `${o.file}:${o.line}`));
    expect(outcomes.length).toBe(manifest.length);
    expect(positions.size).toBe(manifest.length);
    for (const entry of manifest) expect(positions.has(`${entry.file}:${entry.line}`)).toBe(true);
  });
});
