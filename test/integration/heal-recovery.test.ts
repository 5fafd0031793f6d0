/**
 * The state a crash leaves after an incident's plan was saved and before any of it was
 * applied — an `open` incident with a plan, its records quarantined — is finished by the
 * next `run`, and `approve` works on it too. The state is made here the way the pipeline
 * makes it (the real ingestion, the rules brain, the policy) and saved as the crash left it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRules } from '../../src/agent/rules.js';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { findingKey } from '../../src/controller/finding-key.js';
import { claimFile } from '../../src/ledger/file-ledger.js';
import { contractHistory } from '../../src/ledger/contract-store.js';
import { listIncidents, newIncident, saveIncident } from '../../src/ledger/incidents.js';
import { tableStatus } from '../../src/ledger/table-status.js';
import { ingestFile } from '../../src/pipeline/ingest-file.js';
import { openPipeline } from '../../src/pipeline/open-pipeline.js';
import { decide } from '../../src/policy/policy.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

/** A pipeline whose one file drifted (a new key in every record) and whose incident was planned, then the process died. */
async function crashedAfterPlanning(policy: string): Promise<{ dir: string; id: string }> {
  assertBuilt();
  const dir = await tempDir('heal-recovery');
  await writePipeline(dir, CHAOS_CONTRACT_YAML, policy);
  await mkdir(join(dir, 'landing'));
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ event_id: `e-${i}`, event_timestamp: '2024-05-01T10:00:00Z', user_id: i, session_id: `s-${i}` }));
  await writeFile(join(dir, 'landing', 'a.ndjson'), `${lines.join('\n')}\n`);
  const pipeline = await openPipeline(join(dir, 'agentic-etl.yaml'));
  try {
    let object;
    for await (const listed of pipeline.source.list()) object ??= listed;
    const claim = await claimFile(pipeline.warehouse, object!, { source: pipeline.source.uri, table: 'events', worker: pipeline.worker, leaseMs: pipeline.leaseMs });
    const result = await ingestFile(pipeline, object!, claim!);
    const drift = result.control.drift;
    expect(drift.map(findingKey)).toEqual(['unknown_column:session_id']);
    const incident = newIncident('events', drift.map(findingKey), drift, result.key);
    incident.plan = planRules({ table: 'events', contract: pipeline.contract.contract, findings: drift, columnStats: {} });
    incident.decisions = decide(incident.plan, pipeline.policy, pipeline.contract.contract);
    await pipeline.warehouse.transaction((tx) => saveIncident(tx, pipeline.warehouse.dialect, incident));
    return { dir, id: incident.id };
  } finally {
    await pipeline.close();
  }
}

const stateOf = (dir: string) =>
  withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => ({
    incidents: await listIncidents(wh, { table: 'events' }),
    versions: (await contractHistory(wh, 'events')).map((v) => v.version),
    status: await tableStatus(wh, 'events'),
  }));

describe('an incident planned but not applied when the process died', () => {
  it('is applied by the next run: the change made once, its records replayed, the incident healed', async () => {
    const { dir, id } = await crashedAfterPlanning('');
    const run = await runCli(['run'], dir);
    expect(run.code, run.stderr).toBe(0);
    const { incidents, versions, status } = await stateOf(dir);
    expect(incidents.map((i) => [i.id, i.status])).toEqual([[id, 'healed']]);
    expect(incidents[0]!.applied.map((a) => a.action.kind)).toEqual(['add_column']);
    expect(versions).toEqual([1, 2]);
    expect(status).toMatchObject({ records: 40, silver: 40, quarantined: 0 });
    // A second run finds nothing left to do.
    expect((await runCli(['run'], dir)).code).toBe(0);
    expect((await stateOf(dir)).versions).toEqual([1, 2]);
  });

  it('can be approved while it is still open', async () => {
    const { dir, id } = await crashedAfterPlanning('policy:\n  add_column: approve\n');
    const approve = await runCli(['approve', id], dir);
    expect(approve.code, approve.stderr).toBe(0);
    const { incidents, versions, status } = await stateOf(dir);
    expect(incidents.map((i) => [i.id, i.status])).toEqual([[id, 'healed']]);
    expect(incidents[0]!.applied.map((a) => [a.action.kind, a.by])).toEqual([['add_column', 'user']]);
    expect(versions).toEqual([1, 2]);
    expect(status).toMatchObject({ silver: 40, quarantined: 0 });
  });
});
