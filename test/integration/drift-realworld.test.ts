/**
 * Real-world drift through the CLI (issue 8, items 4–6): ragged rows of the real TLC heads
 * (a truncated row is malformed, trailing empty fields are accepted and noted), a short
 * row in mid-file, new timestamp and coordinate keys added with init's types, and a type
 * change inside a nested json object escalated to a person.
 */
import type { Incident } from '../../src/ledger/incidents.js';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertBuilt, runCli, tempDir } from '../helpers/cli.js';
import { placements, type Placed } from '../helpers/placements.js';
import { withWarehouse } from '../helpers/warehouse.js';
import { TLC_DIR } from '../helpers/realdata.js';

const REALDATA = TLC_DIR;
const HEADS = ['green_tripdata_2014-01.head.csv', 'green_tripdata_2016-07.head.csv', 'fhv_tripdata_2018-01.head.csv'];

/** The records of a CSV text: every non-blank line after the header, by line number. */
function recordLines(text: string): number[] {
  return text.split('\n').flatMap((line, i) => (i > 0 && line.trim() !== '' ? [i + 1] : []));
}

describe('ragged rows of the real TLC heads', () => {
  // Each head in its own pipeline, its contract inferred from itself: only the ragged rows are in question.
  const runs = new Map<string, { dir: string; text: string; placed: Placed[]; summary: string }>();

  beforeAll(async () => {
    assertBuilt();
    const sources = new Map(await Promise.all(HEADS.map(async (file) => [file, await readFile(join(REALDATA, file), 'utf8')] as const)));
    // A short row mid-file (with its line break): the 2016 head with its second row cut after 5 fields.
    const lines = sources.get(HEADS[1]!)!.split('\n');
    const row = lines.findIndex((line, i) => i > 0 && line.trim() !== '');
    const mid = lines.findIndex((line, i) => i > row && line.trim() !== '');
    lines[mid] = lines[mid]!.split(',').slice(0, 5).join(',');
    sources.set('short-mid.csv', lines.join('\n'));
    for (const [file, text] of sources) {
      const dir = await tempDir('ragged');
      await mkdir(join(dir, 'landing'));
      await writeFile(join(dir, 'landing', file), text);
      // init reads the same file: a short row is skipped there as malformed too.
      expect((await runCli(['init', '--from', 'landing', '--table', 'trips'], dir)).code).toBe(0);
      const run = await runCli(['run', '--json'], dir);
      expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      const out = JSON.parse(run.stdout) as { files: { key: string; summary: string }[] };
      runs.set(file, { dir, text, placed: await placements(dir, 'trips'), summary: out.files[0]!.summary });
    }
  });

  it('puts every record in exactly one of silver or quarantine, and audit passes', async () => {
    for (const [file, { dir, text, placed }] of runs) {
      const actual = placed.map((p) => `${p.file}:${p.line}`).sort();
      expect(actual, file).toEqual(recordLines(text).map((line) => `${file}:${line}`).sort());
      const audit = await runCli(['audit', '--json'], dir);
      expect(audit.code, audit.stdout).toBe(0);
    }
  });

  it('quarantines each truncated last row as malformed, naming file, line, field count and the fix', () => {
    for (const file of HEADS) {
      const { text, placed } = runs.get(file)!;
      const last = Math.max(...recordLines(text));
      const row = placed.find((p) => p.line === last)!;
      expect(row.place, file).toBe('quarantine');
      expect(row.reasons).toHaveLength(1);
      expect(row.reasons[0]!.kind).toBe('malformed');
      expect(row.reasons[0]!.message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')} line ${last} has \\d+ of (19|20|7) fields .*cut short.*re-upload the complete file`));
    }
  });

  it('takes every other row to silver, the empty trailing fields dropped and noted in the file status', () => {
    for (const file of HEADS) {
      const { text, placed } = runs.get(file)!;
      expect(placed.filter((p) => p.place === 'silver').length, file).toBe(recordLines(text).length - 1);
    }
    expect(runs.get(HEADS[0]!)!.summary).toBe('quarantined: 1 (6 rows with empty extra fields dropped)');
    expect(runs.get(HEADS[1]!)!.summary).toBe('quarantined: 1 (8 rows with empty extra fields dropped)');
    expect(runs.get(HEADS[2]!)!.summary).toBe('quarantined: 1');
  });

  it('quarantines a short row mid-file as a truncated row, never as nulls', () => {
    const { placed } = runs.get('short-mid.csv')!;
    const malformed = placed.filter((p) => p.reasons.some((r) => r.kind === 'malformed'));
    expect(malformed).toHaveLength(2); // the row cut mid-file and the cut-off last line
    const mid = malformed.find((p) => !p.reasons[0]!.message.includes('cut short'))!;
    expect(mid.reasons[0]!.message).toMatch(/^short-mid\.csv line \d+ has 5 of 19 fields \(the row stops after `RatecodeID`; a truncated row\): .*fix the row/);
    expect(placed.filter((p) => p.place === 'silver')).toHaveLength(placed.length - 2);
  });

  it('counts the extras in the file profile of the event log', async () => {
    const profileOf = async (file: string) =>
      withWarehouse(join(runs.get(file)!.dir, 'warehouse.duckdb'), async (wh) => {
        const [row] = await wh.query(`SELECT "payload" AS p FROM "_aetl_events" WHERE "kind" = 'file_processed'`);
        return (JSON.parse(String(row?.p)) as { profile: { extraEmptyFields?: unknown } }).profile;
      });
    expect((await profileOf(HEADS[1]!)).extraEmptyFields).toEqual({ records: 8, fields: 16 });
    expect((await profileOf(HEADS[2]!)).extraEmptyFields).toBeUndefined();
  });
});

describe('new keys get the types init would give them', () => {
  it('adds a timestamp key as timestamp and a coordinate with one empty field as double', async () => {
    assertBuilt();
    const dir = await tempDir('newkeys');
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'landing', 'a.csv'), 'id,name\n1,a\n2,b\n3,c\n');
    expect((await runCli(['init', '--from', 'landing', '--table', 't'], dir)).code).toBe(0);
    await appendFile(join(dir, 'agentic-etl.yaml'), '\ncontroller:\n  min_evidence: 1\n');
    const added = 'id,name,pickup_at,Pickup_longitude\n4,d,2014-01-01 00:00:00,-73.865043640136719\n5,e,2014-01-01 01:08:06,\n6,f,2014-01-02 00:00:00,-73.7763671875\n';
    await writeFile(join(dir, 'landing', 'b.csv'), added);
    const run = await runCli(['run', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const incidents = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Incident[];
    const addedType = (column: string) =>
      incidents.flatMap((i) => i.applied).find((a) => a.action.kind === 'add_column' && a.action.column === column)?.action;
    // What init says for the same values, in another directory.
    const other = await tempDir('newkeys-init');
    await mkdir(join(other, 'landing'));
    await writeFile(join(other, 'landing', 'b.csv'), added);
    expect((await runCli(['init', '--from', 'landing', '--table', 't'], other)).code).toBe(0);
    const inferred = parse(await readFile(join(other, 't.contract.yaml'), 'utf8')) as { columns: Record<string, { type: string }> };
    expect(inferred.columns.pickup_at?.type).toBe('timestamp');
    expect(inferred.columns.Pickup_longitude?.type).toBe('double');
    expect(addedType('pickup_at')).toEqual({ kind: 'add_column', column: 'pickup_at', type: { name: inferred.columns.pickup_at?.type } });
    expect(addedType('Pickup_longitude')).toEqual({ kind: 'add_column', column: 'Pickup_longitude', type: { name: inferred.columns.Pickup_longitude?.type } });
    const placed = await placements(dir, 't');
    expect(placed.filter((p) => p.place === 'silver')).toHaveLength(6);
  });
});

describe('a type change inside nested json', () => {
  it('repository.id integer in early batches, then string: a nested_type_change finding, escalated with a halt', async () => {
    assertBuilt();
    const dir = await tempDir('nested');
    await mkdir(join(dir, 'landing'));
    const event = (i: number, id: unknown) => JSON.stringify({ id: `e${i}`, type: 'PushEvent', created_at: '2024-05-01T12:30:00Z', repository: { id, name: `octo/r${i}`, owner: { login: 'octo' } } });
    const file = (from: number, ids: unknown[]) => ids.map((id, i) => event(from + i, id)).join('\n') + '\n';
    await writeFile(join(dir, 'landing', '01.ndjson'), file(1, [101, 102, 103, 104]));
    expect((await runCli(['init', '--from', 'landing', '--table', 'events'], dir)).code).toBe(0);
    const contract = parse(await readFile(join(dir, 'events.contract.yaml'), 'utf8')) as { columns: Record<string, { type: string }> };
    expect(contract.columns.repository?.type).toBe('json');
    // A few small files: let that little evidence count as drift.
    await appendFile(join(dir, 'agentic-etl.yaml'), '\ncontroller:\n  min_evidence: 1\n');
    expect((await runCli(['run'], dir)).code).toBe(0);
    await writeFile(join(dir, 'landing', '02.ndjson'), file(5, [105, 106, 107, 108]));
    expect((await runCli(['run'], dir)).code).toBe(0);
    await writeFile(join(dir, 'landing', '03.ndjson'), file(9, ['R_kgDOA', 'R_kgDOB', 'R_kgDOC', 'R_kgDOD']));
    const run = await runCli(['run', '--json'], dir);
    expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    const incidents = JSON.parse((await runCli(['incidents', '--json'], dir)).stdout) as Incident[];
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident!.findingKeys).toEqual(['nested_type_change:repository.id']);
    expect(incident!.findings[0]).toMatchObject({ kind: 'nested_type_change', column: 'repository', path: 'id', from: ['integer'], to: 'string', count: 4 });
    const actions = incident!.plan?.actions.map((p) => p.action) ?? [];
    expect(actions).toEqual([expect.objectContaining({ kind: 'halt', reason: expect.stringMatching(/`repository\.id` \(integer → string\) changed type inside its json/) as unknown })]);
    expect(incident!.status).toBe('halted');
    // The records are valid json: all twelve are in silver, none lost, none twice.
    const placed = await placements(dir, 'events');
    expect(placed.filter((p) => p.place === 'silver')).toHaveLength(12);
    expect(new Set(placed.map((p) => `${p.file}:${p.line}`)).size).toBe(12);
  });
});
