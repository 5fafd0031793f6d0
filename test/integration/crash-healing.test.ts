/**
 * Crashes inside healing, deterministically: the built CLI runs with AETL_TEST_CRASH_AT
 * naming a step of healing (src/util/crash-point.ts) and SIGKILLs itself there. Four drift
 * episodes — a new column healed automatically, an incompatible type halted then approved,
 * a dropped required column halted then approved, an enum value rejected — are each driven
 * through every crash point of their path, each run finishing what the killed one left.
 * A kill proves it landed where it should: a run that did not reach its point exits
 * normally and fails the test. After the kills, one clean run must leave every incident
 * settled and truthful, contract versions 1..n without duplicates, each schema change
 * applied once, the controller matching the incidents, and the audit passing.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { audit } from '../../src/ledger/audit.js';
import { contractHistory } from '../../src/ledger/contract-store.js';
import { loadControl } from '../../src/ledger/controller-store.js';
import { listIncidents, type Incident } from '../../src/ledger/incidents.js';
import { tableStatus } from '../../src/ledger/table-status.js';
import type { CrashPoint } from '../../src/util/crash-point.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { assertBuilt, CLI, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const RECORDS = 30;

/** Runs the CLI with a crash point set; resolves with how it ended and what it said. */
function runCrashing(dir: string, args: string[], point: CrashPoint): Promise<{ signal: NodeJS.Signals | null; code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', AETL_TEST_CRASH_AT: point } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, output }));
  });
}

async function land(dir: string, name: string, change: (e: Record<string, unknown>, i: number) => void): Promise<void> {
  const lines = Array.from({ length: RECORDS }, (_, i) => {
    const e: Record<string, unknown> = { event_id: `${name}-${i}`, event_timestamp: '2024-05-01T10:00:00Z', event_type: 'click', user_id: i, device: 'web' };
    change(e, i);
    return JSON.stringify(e);
  });
  await writeFile(join(dir, 'landing', `${name}.ndjson`), `${lines.join('\n')}\n`);
}

const incidentWith = (incidents: Incident[], key: string) => incidents.find((i) => i.findingKeys.includes(key));

describe('crash safety inside healing', () => {
  it('recovers every incident state after SIGKILLs at each step of healing', { timeout: 300_000 }, async () => {
    assertBuilt();
    const dir = await tempDir('crash-heal');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    await mkdir(join(dir, 'landing'));
    const inWarehouse = <T>(read: (wh: Warehouse) => Promise<T>) => withWarehouse(join(dir, 'warehouse.duckdb'), read);
    const incidents = () => inWarehouse((wh) => listIncidents(wh, { table: 'events' }));
    let kills = 0;
    const kill = async (point: CrashPoint, args: string[] = ['run']) => {
      const ended = await runCrashing(dir, args, point);
      expect(ended.signal, `\`${args.join(' ')}\` should have died at ${point}:\n${ended.output}`).toBe('SIGKILL');
      kills += 1;
    };
    const silverColumns = () => inWarehouse(async (wh) => (await wh.describeTable('events'))!.map((c) => c.name));
    const versions = () => inWarehouse((wh) => contractHistory(wh, 'events'));

    // 1. A new column, healed automatically: killed at every step from the file's commit to the status.
    await land(dir, 'a-new-column', (e, i) => (e.session_id = `s-${i}`));
    await kill('heal:file-committed');
    expect(await incidents()).toEqual([]); // the drift is pending in the controller, not lost
    await kill('heal:opened');
    await kill('heal:planned');
    await kill('heal:ddl');
    await kill('heal:version');
    // Both kills were inside the schema transaction: nothing of it committed.
    expect(await versions()).toHaveLength(1);
    expect(await silverColumns()).not.toContain('session_id');
    await kill('heal:schema');
    expect((await versions()).map((v) => v.version)).toEqual([1, 2]);
    expect((await incidents())[0]!.applied.map((a) => a.action.kind)).toEqual(['add_column']);
    await kill('replay:promoted');
    expect((await inWarehouse((wh) => tableStatus(wh, 'events'))).silver).toBe(0); // the replay rolled back whole
    await kill('heal:replayed');
    await kill('heal:status');

    // 2. An incompatible type: halted (killed while halting), then approved (killed at each step of the approval).
    await land(dir, 'b-uuid-user', (e, i) => (e.user_id = `0b8c${String(i).padStart(4, '0')}-7d1e-4c2a-9f3b-5a6e7d8c9b0a`));
    await kill('heal:circuit');
    await kill('heal:status');
    const halted = incidentWith(await incidents(), 'type_mismatch:user_id')!;
    expect(halted.status).toBe('halted');
    await kill('approve:intent', ['approve', halted.id]);
    await kill('heal:schema');
    await kill('heal:circuit');
    await kill('replay:promoted');
    await kill('heal:replayed');

    // 3. A required column dropped: halted, approved; its records cannot leave quarantine.
    await land(dir, 'c-no-timestamp', (e) => delete e.event_timestamp);
    await kill('heal:circuit');
    const dropped = incidentWith(await incidents(), 'missing_required:event_timestamp')!;
    // Approve works on an incident a crash left open: it finishes the halt first.
    expect(dropped.status).toBe('open');
    await kill('approve:intent', ['approve', dropped.id]);
    await kill('heal:circuit');
    await kill('heal:status');

    // 4. A new enum value: killed right after planning, then rejected (killed after the decision was saved).
    await land(dir, 'd-share', (e) => (e.event_type = 'share'));
    await kill('heal:planned');
    const share = incidentWith(await incidents(), 'enum_violation:event_type')!;
    expect(share.status).toBe('open');
    await kill('reject:intent', ['reject', share.id]);

    expect(kills).toBeGreaterThanOrEqual(20);
    const finish = await runCli(['run'], dir);
    expect(finish.code, finish.stdout + finish.stderr).toBe(0);

    const final = await incidents();
    expect(final).toHaveLength(4);
    for (const incident of final) {
      expect(incident.work, incident.id).toBeUndefined();
      expect(incident.status, incident.id).not.toBe('open');
      const applied = incident.applied.map((a) => JSON.stringify(a.action));
      expect(new Set(applied).size, `${incident.id} applied an action twice`).toBe(applied.length);
    }
    expect(incidentWith(final, 'unknown_column:session_id')).toMatchObject({ status: 'healed', replayed: RECORDS, stillQuarantined: 0 });
    expect(incidentWith(final, 'type_mismatch:user_id')).toMatchObject({ status: 'healed', replayed: RECORDS, stillQuarantined: 0 });
    expect(incidentWith(final, 'missing_required:event_timestamp')).toMatchObject({ status: 'applied', stillQuarantined: RECORDS });
    expect(incidentWith(final, 'enum_violation:event_type')).toMatchObject({ status: 'rejected', stillQuarantined: RECORDS });

    // Contract versions 1..n, one per schema change, each change made once.
    const history = await versions();
    expect(history.map((v) => [v.version, v.author])).toEqual([[1, 'user'], [2, 'agent:rules'], [3, 'agent:rules']]);
    expect(history.flatMap((v) => v.diff ?? []).map((c) => `${c.kind}:${'column' in c ? c.column : ''}`)).toEqual(['column_added:session_id', 'type_changed:user_id', 'bounds_changed:user_id']);
    const columns = await silverColumns();
    expect(columns.filter((name) => name === 'session_id')).toHaveLength(1);

    await inWarehouse(async (wh) => {
      const control = await loadControl(wh, wh.dialect, 'events');
      // No incident at work or halted: the table is settled and nothing is left pending.
      expect(['healthy', 'degraded']).toContain(control?.state);
      expect(control?.pending).toBeUndefined();
      expect(await tableStatus(wh, 'events')).toMatchObject({ records: 4 * RECORDS, silver: 2 * RECORDS, quarantined: 2 * RECORDS });
      expect((await audit(wh)).ok).toBe(true);
    });
  });
});
