/**
 * The ingestion core end to end through the real CLI on chaos output: every generated
 * record lands in exactly one of silver or quarantine, every injected fault where its kind
 * requires, no valid record quarantined, `audit` passes, and a rerun changes nothing.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest, type ManifestEntry } from '../../src/chaos/manifest.js';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';
import { recordOutcomes, type RecordOutcome } from '../../src/ledger/outcomes.js';

const FROZEN_POLICY = `policy:
  add_column: deny
  widen_type: deny
  rename_column: deny
  extend_enum: deny
  coerce: deny
  halt: deny
`;

describe('agentic-etl run on chaos output', () => {
  let dir: string;
  let manifest: ManifestEntry[];
  let outcomes: RecordOutcome[];

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('chaos');
    // The ingestion core alone: the healing loop may watch but not change anything, so every
    // record is judged against the contract as written (healing has its own tests).
    await writePipeline(dir, CHAOS_CONTRACT_YAML, FROZEN_POLICY);
    const chaos = await runCli(
      ['chaos', '--out', 'landing', '--files', '6', '--records', '400', '--poison-rate', '0.12', '--seed', '11',
        '--drift', 'new_column@3', '--drift', 'int_to_float@4', '--drift', 'rename@5', '--drift', 'new_enum_value@6', '--drift', 'incompatible_type@6'],
      dir,
    );
    expect(chaos.code, chaos.stderr).toBe(0);
    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    manifest = await readManifest(join(dir, 'landing'));
    outcomes = await withWarehouse(join(dir, 'warehouse.duckdb'), (wh) => recordOutcomes(wh, 'events'));
  });

  it('puts every record in exactly one of silver or quarantine', () => {
    const seen = new Map<string, number>();
    for (const o of outcomes) seen.set(`${o.file}:${o.line}`, (seen.get(`${o.file}:${o.line}`) ?? 0) + 1);
    expect(manifest.length).toBe(6 * 400);
    for (const entry of manifest) expect(seen.get(`${entry.file}:${entry.line}`), `${entry.file}:${entry.line}`).toBe(1);
    expect(outcomes.length).toBe(manifest.length);
  });

  it('routes every record as its true label requires, with the reason kinds the manifest names', () => {
    const byPosition = new Map(outcomes.map((o) => [`${o.file}:${o.line}`, o]));
    const wrong: string[] = [];
    for (const entry of manifest) {
      const outcome = byPosition.get(`${entry.file}:${entry.line}`)!;
      const place = outcome.place === 'quarantine' ? 'quarantine' : outcome.coerced ? 'coerced' : 'silver';
      if (place !== entry.expect) wrong.push(`${entry.file}:${entry.line} ${entry.faults.join('+') || 'clean'}: expected ${entry.expect}, got ${place}`);
      if (place === 'quarantine') {
        for (const reason of entry.reasons) if (!outcome.reasons.includes(reason)) wrong.push(`${entry.file}:${entry.line}: missing reason ${reason}`);
      }
    }
    expect(wrong).toEqual([]);
    const clean = manifest.filter((entry) => entry.faults.length === 0);
    expect(clean.length).toBeGreaterThan(500);
    expect(manifest.some((entry) => entry.expect === 'coerced')).toBe(true);
  });

  it('passes audit and reports the same counts from status', async () => {
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stderr).toBe(0);
    // Recounted from the landing zone, independently of the readers: the corpus holds what bronze holds.
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 6, recount: { equal: 6, differs: 0, notRecounted: {} } });
    const status = JSON.parse((await runCli(['status', '--json'], dir)).stdout) as Array<Record<string, number>>;
    const silver = outcomes.filter((o) => o.place === 'silver').length;
    expect(status[0]).toMatchObject({ table: 'events', files: 6, records: 2400, silver, quarantined: 2400 - silver });
  });

  it('skips done files on a rerun, and a changed file is a new version', async () => {
    const again = await runCli(['run', '--json'], dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyDone: 6, files: [] });
    const path = join(dir, 'landing', 'events-00001.ndjson');
    const { appendFile } = await import('node:fs/promises');
    const before = await readFile(path, 'utf8');
    await appendFile(path, '{"event_id":"late","event_timestamp":"2026-02-01T00:00:00Z","user_id":1}\n');
    const changed = JSON.parse((await runCli(['run', '--json'], dir)).stdout) as { files: Array<{ key: string; records: number }> };
    expect(changed.files).toEqual([expect.objectContaining({ key: 'events-00001.ndjson', records: before.trimEnd().split('\n').length + 1 })]);
    expect((await runCli(['audit'], dir)).code).toBe(0);
  });

  it('shows a quarantined record with its raw bytes and reasons', async () => {
    const list = JSON.parse((await runCli(['quarantine', 'list', '--json', '--limit', '5'], dir)).stdout) as Array<{ recordId: string }>;
    expect(list).toHaveLength(5);
    const shown = await runCli(['quarantine', 'show', list[0]!.recordId], dir);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('reasons');
    const missing = await runCli(['quarantine', 'show', 'nope:1'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no quarantined record `nope:1`/);
    expect(missing.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
