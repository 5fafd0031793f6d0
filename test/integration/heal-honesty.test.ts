/**
 * Healing tells the truth: an incident is `healed` only when its records left quarantine,
 * a rejection covers exactly what was rejected (a new enum value is a new incident), a
 * data key named like a system column is refused and quarantined — never a failed run —
 * and the table's controller state matches its incidents.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { audit } from '../../src/ledger/audit.js';
import { contractHistory } from '../../src/ledger/contract-store.js';
import { loadControl } from '../../src/ledger/controller-store.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import { tableStatus } from '../../src/ledger/table-status.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

type Event = Record<string, unknown>;

function event(file: string, i: number, change: (e: Event) => void = () => undefined): Event {
  const e: Event = { event_id: `${file}-${i}`, event_timestamp: '2024-05-01T10:00:00Z', event_type: 'click', user_id: i, device: 'ios' };
  change(e);
  return e;
}

async function pipeline(): Promise<{ dir: string; cli: (...args: string[]) => ReturnType<typeof runCli>; land: (name: string, n: number, change?: (e: Event) => void) => Promise<void> }> {
  assertBuilt();
  const dir = await tempDir('honesty');
  await writePipeline(dir, CHAOS_CONTRACT_YAML);
  await mkdir(join(dir, 'landing'));
  return {
    dir,
    cli: (...args: string[]) => runCli(args, dir),
    land: async (name, n, change) => {
      const lines = Array.from({ length: n }, (_, i) => JSON.stringify(event(name, i, change)));
      await writeFile(join(dir, 'landing', `${name}.ndjson`), `${lines.join('\n')}\n`);
    },
  };
}

/** What the warehouse holds now, read in-process (only the commands under test run as processes). */
const stateOf = (dir: string) =>
  withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) => ({
    incidents: await listIncidents(wh, { table: 'events' }),
    control: (await loadControl(wh, wh.dialect, 'events'))?.state,
    versions: (await contractHistory(wh, 'events')).length,
    status: await tableStatus(wh, 'events'),
    columns: (await wh.describeTable('events'))!.map((c) => c.name),
    auditOk: (await audit(wh)).ok,
  }));

const SETTLED = ['healthy', 'degraded'];

describe('honest incidents', () => {
  it('a dropped required column: approving the halt resumes the table, but the incident is not healed while its records stay quarantined', async () => {
    const { dir, cli, land } = await pipeline();
    for (const name of ['a', 'b']) await land(name, 30, (e) => delete e.user_id);
    expect((await cli('run')).code).toBe(3); // needs attention: halted
    const [incident] = (await stateOf(dir)).incidents;
    expect(incident).toMatchObject({ status: 'halted', findingKeys: ['missing_required:user_id'] });

    const approve = await cli('approve', incident!.id);
    expect(approve.code, approve.stderr).toBe(0);
    const after = await stateOf(dir);
    expect(after.incidents[0]).toMatchObject({ status: 'applied', stillQuarantined: 60 });
    expect(after.incidents[0]!.history.at(-1)?.note).toMatch(/60 record\(s\) .*still quarantined/);
    // The circuit is closed again and nothing is being healed: the controller says so too.
    expect(SETTLED).toContain(after.control);
    expect(after.status).toMatchObject({ records: 60, quarantined: 60 });
    expect(after.auditOk).toBe(true);
    const shown = await cli('incidents', 'show', incident!.id);
    expect(shown.stdout).toMatch(/status applied/);
    expect(shown.stdout).toMatch(/still quarantined: 60 record\(s\)/);
    const list = await cli('incidents');
    expect(list.stdout).toMatch(/│ quarantined │/);
    expect(list.stdout).toMatch(/│ applied +│.*│ 60 +│/);
  });

  it('a rejected enum value stays rejected, but a new value on that column opens a new incident', async () => {
    const { dir, cli, land } = await pipeline();
    for (const name of ['a', 'b']) await land(name, 30, (e) => (e.event_type = 'share'));
    expect((await cli('run')).code).toBe(3); // needs attention: awaiting approval
    const [first] = (await stateOf(dir)).incidents;
    expect(first).toMatchObject({ status: 'awaiting_approval', findingKeys: ['enum_violation:event_type'] });
    expect((await cli('reject', first!.id)).code).toBe(0);

    // The same value again joins the rejected incident: no new incident per file.
    await land('c', 30, (e) => (e.event_type = 'share'));
    expect((await cli('run')).code).toBe(0);
    let state = await stateOf(dir);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({ status: 'rejected', batches: 3, stillQuarantined: 90 });
    // The rejection ended the episode: the table is not left `healing` with no incident at work.
    expect(SETTLED).toContain(state.control);

    // A new value is a new question: its own incident, planning only the new value.
    await land('d', 30, (e) => (e.event_type = (e.user_id as number) % 2 === 0 ? 'like' : 'share'));
    expect((await cli('run')).code).toBe(3); // needs attention: awaiting approval
    state = await stateOf(dir);
    expect(state.incidents).toHaveLength(2);
    const second = state.incidents.find((i) => i.id !== first!.id)!;
    expect(second.status).toBe('awaiting_approval');
    expect(second.plan?.actions[0]?.action).toEqual({ kind: 'extend_enum', column: 'event_type', values: ['like'] });
    expect(state.control).toBe('healing');

    expect((await cli('approve', second.id)).code).toBe(0);
    state = await stateOf(dir);
    // Its own records (the `like` ones) are out of quarantine; the rejected `share` ones stay.
    expect(state.incidents.find((i) => i.id === second.id)).toMatchObject({ status: 'healed', stillQuarantined: 0, replayed: 15 });
    expect(state.incidents.find((i) => i.id === first!.id)).toMatchObject({ status: 'rejected' });
    expect(state.status).toMatchObject({ records: 120, silver: 15, quarantined: 105 });
    expect(SETTLED).toContain(state.control);
    expect(state.auditOk).toBe(true);
  });

  it('a data key named like a system column is refused by the policy and its records are quarantined, not a failed run', async () => {
    const { dir, cli, land } = await pipeline();
    for (const name of ['a', 'b']) await land(name, 30, (e) => {
      e._file = 'spoofed.csv';
      e._INGESTED_AT = '2020-01-01';
    });
    const run = await cli('run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    const state = await stateOf(dir);
    expect(state.incidents).toHaveLength(1);
    const [incident] = state.incidents;
    expect(incident!.status).toBe('rejected');
    const denied = (incident!.decisions ?? []).filter((d) => d.planned.action.kind === 'add_column');
    expect(denied.map((d) => d.verdict)).toEqual(['deny', 'deny']);
    for (const d of denied) expect(d.reason).toMatch(/reserved.*system column/);
    expect(state.versions).toBe(1);
    expect(state.status).toMatchObject({ records: 60, silver: 0, quarantined: 60 });
    expect(state.columns.filter((name) => name.toLowerCase() === '_file')).toEqual(['_file']);
    expect(SETTLED).toContain(state.control);
    expect(state.auditOk).toBe(true);
  });
});
