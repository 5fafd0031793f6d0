/**
 * The healing loop end to end through the CLI, one drift kind at a time: the right plan,
 * the right policy verdict, the DDL applied (or held for approval), the contract version
 * bumped, the quarantined records replayed, and the conservation invariant intact.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { scoreAgainstManifest } from '../../src/chaos/scorecard.js';
import type { Incident } from '../../src/ledger/incidents.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

interface Setup {
  dir: string;
  incidents: () => Promise<Incident[]>;
  cli: (...args: string[]) => ReturnType<typeof runCli>;
  score: () => Promise<ReturnType<typeof scoreAgainstManifest>>;
  /** Drifted records that healing should have brought to silver but are still quarantined. */
  unhealed: () => Promise<number>;
}

/** `exitCode`: 3 when the drift leaves the table halted or an incident awaiting approval. */
async function drifted(drift: string[], exitCode: 0 | 3, files = 5, records = 400, poison = '0.01'): Promise<Setup> {
  assertBuilt();
  const dir = await tempDir('heal');
  await writePipeline(dir, CHAOS_CONTRACT_YAML);
  const cli = (...args: string[]) => runCli(args, dir);
  const chaos = await cli('chaos', '--out', 'landing', '--files', String(files), '--records', String(records), '--poison-rate', poison, '--seed', '4', ...drift.flatMap((d) => ['--drift', d]));
  expect(chaos.code, chaos.stderr).toBe(0);
  const run = await cli('run');
  expect(run.code, run.stderr).toBe(exitCode);
  return {
    dir,
    cli,
    incidents: async () => JSON.parse((await cli('incidents', '--json')).stdout) as Incident[],
    score: async () =>
      scoreAgainstManifest(await readManifest(join(dir, 'landing')), await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => recordOutcomes(wh, 'events'))),
    unhealed: async () => {
      const manifest = await readManifest(join(dir, 'landing'));
      const outcomes = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => recordOutcomes(wh, 'events'));
      const quarantined = new Set(outcomes.filter((o) => o.place === 'quarantine').map((o) => `${o.file}:${o.line}`));
      return manifest.filter((e) => e.expect === 'quarantine' && e.expect_healed !== 'quarantine' && quarantined.has(`${e.file}:${e.line}`)).length;
    },
  };
}

async function expectAuditOk(setup: Setup): Promise<void> {
  const audit = await setup.cli('audit', '--json');
  expect(audit.code, audit.stdout).toBe(0);
}

const kinds = (incident: Incident) => incident.plan?.actions.map((a) => a.action.kind);
const verdicts = (incident: Incident) => Object.fromEntries((incident.decisions ?? []).map((d) => [d.planned.action.kind, d.verdict]));

describe('healing, per drift kind', () => {
  it('new column: add_column applied automatically, contract v2, the drifted records replayed into silver', async () => {
    const s = await drifted(['new_column@3'], 0);
    const [incident, ...others] = await s.incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ status: 'healed', findingKeys: ['unknown_column:session_id'] });
    expect(kinds(incident!)).toEqual(['add_column', 'replay']);
    expect(verdicts(incident!)).toMatchObject({ add_column: 'auto', replay: 'auto' });
    expect(incident!.applied[0]!.ddl.join(' ')).toMatch(/ALTER TABLE "events" ADD COLUMN .*"session_id" VARCHAR/);
    expect(incident!.replayed).toBeGreaterThan(0);
    const history = JSON.parse((await s.cli('contract', 'history', '--json')).stdout) as Array<{ version: number; author: string }>;
    expect(history.map((v) => [v.version, v.author])).toEqual([[1, 'user'], [2, 'agent:rules']]);
    const card = await s.score();
    expect(card).toMatchObject({ lost: 0, duplicated: 0, validQuarantined: 0 });
    expect(await s.unhealed()).toBe(0);
    await expectAuditOk(s);
  });

  it('int → float: widen_type integer → double applied, replayed', async () => {
    const s = await drifted(['int_to_float@3'], 0);
    const [incident, ...others] = await s.incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ status: 'healed', findingKeys: ['type_mismatch:quantity'] });
    expect(incident!.plan?.actions[0]?.action).toMatchObject({ kind: 'widen_type', column: 'quantity', from: { name: 'integer' }, to: { name: 'double' } });
    expect(incident!.applied[0]!.ddl.join(' ')).toMatch(/ALTER TABLE "events" ALTER (COLUMN )?"quantity" (SET DATA )?TYPE DOUBLE/);
    expect(await s.unhealed()).toBe(0);
    await expectAuditOk(s);
  });

  it('rename: rename_column held for approval; approve maps device_type onto device and replays', async () => {
    const s = await drifted(['rename@3'], 3);
    const [incident, ...others] = await s.incidents();
    expect(others).toEqual([]); // one incident for the whole episode, not one per file
    expect(incident).toMatchObject({ status: 'awaiting_approval', batches: 3 });
    expect(incident!.plan?.actions[0]).toMatchObject({ action: { kind: 'rename_column', from: 'device_type', to: 'device' } });
    expect(incident!.plan!.actions[0]!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(verdicts(incident!)).toMatchObject({ rename_column: 'approve' });
    expect(await s.unhealed()).toBeGreaterThan(0);
    const shown = await s.cli('incidents', 'show', incident!.id);
    expect(shown.stdout).toMatch(/waiting for approval: rename_column device_type → device/);

    const approve = await s.cli('approve', incident!.id);
    expect(approve.code, approve.stderr).toBe(0);
    const [after] = await s.incidents();
    expect(after).toMatchObject({ status: 'healed' });
    expect(after!.applied.some((a) => a.by === 'user' && a.action.kind === 'rename_column')).toBe(true);
    const card = await s.score();
    expect(card).toMatchObject({ lost: 0, duplicated: 0, validQuarantined: 0 });
    expect(await s.unhealed()).toBe(0);
    const diff = await s.cli('contract', 'diff');
    expect(diff.stdout).toMatch(/device_type/);
    await expectAuditOk(s);
  });

  it('new enum value: extend_enum held for approval, reject keeps the records quarantined', async () => {
    const s = await drifted(['new_enum_value@3'], 3);
    const [incident] = await s.incidents();
    expect(incident).toMatchObject({ status: 'awaiting_approval', findingKeys: ['enum_violation:event_type'] });
    expect(incident!.plan?.actions[0]?.action).toMatchObject({ kind: 'extend_enum', column: 'event_type', values: ['share'] });
    const reject = await s.cli('reject', incident!.id);
    expect(reject.code, reject.stderr).toBe(0);
    const [after] = await s.incidents();
    expect(after!.status).toBe('rejected');
    const history = JSON.parse((await s.cli('contract', 'history', '--json')).stdout) as unknown[];
    expect(history).toHaveLength(1);
    // More of the same drift joins the rejected incident instead of opening another.
    const more = await s.cli('chaos', '--out', 'landing/more', '--files', '2', '--records', '200', '--seed', '9', '--drift', 'new_enum_value@1');
    expect(more.code).toBe(0);
    expect((await s.cli('run')).code).toBe(0);
    const incidents = await s.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.batches).toBeGreaterThan(after!.batches);
    await expectAuditOk(s);
  });

  it('incompatible type: user_id as UUID halts with evidence, holds valid records, and approve resumes and replays', async () => {
    const s = await drifted(['incompatible_type@3'], 3, 3);
    const [incident, ...others] = await s.incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ status: 'halted', findingKeys: ['type_mismatch:user_id'] });
    expect(kinds(incident!)).toContain('halt');
    expect(incident!.plan?.actions.find((a) => a.action.kind === 'widen_type')?.action).toMatchObject({ column: 'user_id', to: { name: 'string' } });
    expect(verdicts(incident!)).toMatchObject({ halt: 'auto', widen_type: 'approve' });
    const shown = await s.cli('incidents', 'show', incident!.id);
    expect(shown.stdout).toMatch(/sample records/);
    expect(shown.stdout).toMatch(/type_mismatch user_id/);

    // While halted, valid records keep landing — in bronze and quarantine, not silver.
    expect((await s.cli('chaos', '--out', 'landing/later', '--files', '1', '--records', '300', '--poison-rate', '0', '--seed', '8')).code).toBe(0);
    const held = await s.cli('run');
    expect(held.code, held.stderr).toBe(3); // a person is needed: the table is halted
    expect(held.stdout).toMatch(/held: table halted \(300 held\)/);
    const circuitOpen = JSON.parse((await s.cli('quarantine', 'list', '--json', '--limit', '5000')).stdout) as Array<{ file: string; reasons: Array<{ kind: string }> }>;
    expect(circuitOpen.filter((r) => r.file.startsWith('later/') && r.reasons.some((reason) => reason.kind === 'circuit_open'))).toHaveLength(300);
    await expectAuditOk(s);

    const approve = await s.cli('approve', incident!.id);
    expect(approve.code, approve.stderr).toBe(0);
    const [after] = await s.incidents();
    expect(after).toMatchObject({ status: 'healed' });
    const status = JSON.parse((await s.cli('status', '--json')).stdout) as Array<{ records: number; silver: number; quarantined: number }>;
    expect(status[0]!.records).toBe(3 * 400 + 300);
    // Everything but the poison pills is in silver now: the held records and the UUID ones.
    const card = await s.score();
    expect(card).toMatchObject({ lost: 0, duplicated: 0, validQuarantined: 0 });
    expect(await s.unhealed()).toBe(0);
    expect(status[0]!.quarantined).toBe(card.quarantined);
    await expectAuditOk(s);
  });

  it('poison pills never change the schema, however many files carry them', async () => {
    const s = await drifted([], 0, 8, 1000, '0.02');
    expect(await s.incidents()).toEqual([]);
    const history = JSON.parse((await s.cli('contract', 'history', '--json')).stdout) as unknown[];
    expect(history).toHaveLength(1);
    const card = await s.score();
    expect(card.faults.caught).toBe(card.faults.records);
    await expectAuditOk(s);
  });
});

describe('a field that was ignored, then added by the user', () => {
  it('is backfilled from bronze for the records that landed meanwhile', async () => {
    assertBuilt();
    const dir = await tempDir('backfill');
    await writePipeline(dir, CHAOS_CONTRACT_YAML.replace('new_column: evolve', 'new_column: ignore'));
    const cli = (...args: string[]) => runCli(args, dir);
    expect((await cli('chaos', '--out', 'landing', '--files', '2', '--records', '300', '--poison-rate', '0', '--seed', '6', '--drift', 'new_column@1')).code).toBe(0);
    expect((await cli('run')).code).toBe(0);
    // The sustained new key is reported (one incident), but `ignore` plans no change.
    const incidents = JSON.parse((await cli('incidents', '--json')).stdout) as Incident[];
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'rejected', findingKeys: ['unknown_column:session_id'] });
    expect(incidents[0]!.plan?.actions.map((a) => a.action.kind)).toEqual(['no_op']);

    // The user adds the column to the contract file: a new version, ALTER TABLE … ADD COLUMN.
    const { readFile, writeFile } = await import('node:fs/promises');
    const file = join(dir, 'events.contract.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('columns:\n', 'columns:\n  session_id:      {type: string}\n'));
    const backfill = await cli('backfill', '--column', 'session_id', '--json');
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(JSON.parse(backfill.stdout)).toMatchObject({ examined: 600, filled: 600 });
    const again = JSON.parse((await cli('backfill', '--column', 'session_id', '--json')).stdout) as { filled: number };
    expect(again.filled).toBe(0);
    const history = JSON.parse((await cli('contract', 'history', '--json')).stdout) as Array<{ author: string }>;
    expect(history.map((v) => v.author)).toEqual(['user', 'user']);
    const missing = await cli('backfill', '--column', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/column `nope` is not in contract v2/);
    await expectAuditOk({ cli } as Setup);
  });
});
