/**
 * `agentic-etl init` on real NYC TLC CSV heads (nobody here wrote them: a header with a
 * trailing space, blank lines after the header, ragged rows, truncated last lines, quoted
 * headers, case changes between years, near-duplicate columns), then `run` and `audit`
 * with what it wrote. Second: a contract inferred from 2016 alone meets the 2014 file,
 * whose renamed and re-cased columns must be quarantined as such, never merged silently.
 */
import type { Incident } from '../../src/ledger/incidents.js';
import { appendFile, copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertBuilt, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { placements, type Placed } from '../helpers/placements.js';
import { withWarehouse } from '../helpers/warehouse.js';
import { TLC_DIR } from '../helpers/realdata.js';

const REALDATA = TLC_DIR;
const GREEN_2014 = 'green_tripdata_2014-01.head.csv';
const GREEN_2016 = 'green_tripdata_2016-07.head.csv';
const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

interface ContractYaml {
  table: string;
  columns: Record<string, { type: string; required?: boolean }>;
}

/** The line numbers of a CSV's records, counted from its text: every non-blank line after the header. */
async function csvRecordLines(path: string): Promise<number[]> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  return lines.flatMap((text, i) => (i > 0 && text.trim() !== '' ? [i + 1] : []));
}

/** Separators and case do not make a different name (what a rename candidate differs by). */
const loose = (name: string): string => name.replace(/[\s_-]+/g, '').toLowerCase();

async function setUp(prefix: string, files: string[]): Promise<string> {
  const dir = await tempDir(prefix);
  await mkdir(join(dir, 'landing'));
  for (const file of files) await copyFile(join(REALDATA, file), join(dir, 'landing', file));
  return dir;
}

async function cli(dir: string, args: string[]): Promise<CliResult> {
  const result = await runCli(args, dir);
  expect(result.stderr, `agentic-etl ${args.join(' ')}`).not.toMatch(STACK_TRACE);
  return result;
}

/** Asserts that the records of `files` are exactly the CSV rows, each in one place. */
async function expectEveryRowOnce(dir: string, files: string[], placed: Placed[]): Promise<void> {
  const expected: string[] = [];
  for (const file of files) for (const line of await csvRecordLines(join(REALDATA, file))) expected.push(`${file}:${line}`);
  const actual = placed.map((p) => `${p.file}:${p.line}`).sort();
  expect(actual).toEqual(expected.sort()); // no record missing, none twice (silver and quarantine together)
  expect(new Set(actual).size).toBe(actual.length);
}

describe('agentic-etl init on the real TLC heads', () => {
  const files = [GREEN_2014, GREEN_2016, 'fhv_tripdata_2018-01.head.csv'];
  let dir: string;
  let init: CliResult;
  let contract: ContractYaml;
  let columns: string[];
  let placed: Placed[];

  beforeAll(async () => {
    assertBuilt();
    expect((await readdir(REALDATA)).filter((name) => name.endsWith('.csv')).sort()).toEqual([...files].sort());
    dir = await setUp('init-realdata', files);
    init = await cli(dir, ['init', '--from', 'landing', '--table', 'trips']);
    contract = parse(await readFile(join(dir, 'trips.contract.yaml'), 'utf8')) as ContractYaml;
    columns = Object.keys(contract.columns);
    const run = await cli(dir, ['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    placed = await placements(dir, 'trips');
  });

  it('writes a config and a contract that load and run', async () => {
    expect(init.code, init.stderr).toBe(0);
    const config = parse(await readFile(join(dir, 'agentic-etl.yaml'), 'utf8')) as Record<string, string>;
    expect(config).toMatchObject({ source: './landing', contract: './trips.contract.yaml', format: 'csv' });
    expect(contract.table).toBe('trips');
    const audit = await cli(dir, ['audit', '--json']);
    expect(audit.code, audit.stdout).toBe(0);
    // The recount reads the real files again, independently of the CSV reader: every row is in bronze.
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 3, offending: [], recount: { equal: 3, differs: 0, notRecounted: {} } });
  });

  it('infers sensible types: datetimes are timestamps, counts and ids integers, money and distances doubles', () => {
    const typeOf = (pattern: RegExp) => columns.filter((name) => pattern.test(name)).map((name) => [name, contract.columns[name]!.type]);
    const datetimes = typeOf(/datetime/i);
    expect(datetimes.map(([name]) => name).sort()).toEqual(['DropOff_datetime', 'Lpep_dropoff_datetime', 'Pickup_DateTime', 'lpep_pickup_datetime']);
    for (const [name, type] of datetimes) expect(type, name).toBe('timestamp');
    for (const [name, type] of typeOf(/count|ID$|_type$/)) expect(type, name).toBe('integer');
    for (const [name, type] of typeOf(/amount|_tax$|^extra$|surcharge|distance/i)) expect(type, name).toBe('double');
    expect(typeOf(/amount/i)).toHaveLength(4);
    // The trailing space of `Trip_type ` is trimmed away.
    expect(columns).toContain('Trip_type');
    expect(columns.some((name) => name !== name.trim())).toBe(false);
  });

  it('reports RateCodeID / RatecodeID as one column with a note, and keeps near-duplicates apart', () => {
    expect(columns.filter((name) => name.toLowerCase() === 'ratecodeid')).toHaveLength(1);
    // No two columns differ only by case.
    expect(new Set(columns.map((name) => name.toLowerCase())).size).toBe(columns.length);
    expect(init.stdout).toMatch(/`RateCodeID` = `RatecodeID`|`RatecodeID` = `RateCodeID`/);
    expect(init.stdout).toMatch(/`Dispatching_base_number` and `Dispatching_base_num` look alike/);
    expect(columns).toEqual(expect.arrayContaining(['Dispatching_base_number', 'Dispatching_base_num']));
  });

  it('puts every CSV row of all three files in exactly one of silver or quarantine', async () => {
    await expectEveryRowOnce(dir, files, placed);
    expect(placed.filter((p) => p.place === 'silver').length).toBeGreaterThan(10);
  });

  it('quarantines the cut-off last line of each file as malformed, naming file, line and fix', async () => {
    for (const file of files) {
      const last = Math.max(...(await csvRecordLines(join(REALDATA, file))));
      const record = placed.find((p) => p.file === file && p.line === last)!;
      expect(record.place, file).toBe('quarantine');
      expect(record.reasons).toHaveLength(1);
      expect(record.reasons[0]).toMatchObject({ kind: 'malformed' });
      expect(record.reasons[0]!.message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')} line ${last} has \\d+ of \\d+ fields .*cut short.*re-upload`));
    }
  });

  it('quarantines the spelling the contract did not keep as a rename candidate, never as a column', () => {
    const kept = columns.find((name) => name.toLowerCase() === 'ratecodeid')!;
    const other = kept === 'RateCodeID' ? 'RatecodeID' : 'RateCodeID';
    const withOther = placed.filter((p) => p.reasons.some((r) => r.column === other));
    expect(withOther.length).toBeGreaterThan(0);
    for (const p of withOther) {
      const reason = p.reasons.find((r) => r.column === other)!;
      expect(reason.kind).toBe('unknown_column');
      expect(reason.message).toContain(`looks like a rename of \`${kept}\``);
    }
  });
});

const FROZEN_POLICY = '\npolicy:\n  add_column: deny\n  widen_type: deny\n  rename_column: deny\n  extend_enum: deny\n  coerce: deny\n  halt: deny\n';

describe('a contract inferred from 2016 meets the 2014 file', () => {
  let dir: string;
  let contract: ContractYaml;
  let placed: Placed[];

  beforeAll(async () => {
    assertBuilt();
    dir = await setUp('init-2016', [GREEN_2016]);
    const init = await cli(dir, ['init', '--from', 'landing', '--table', 'trips']);
    expect(init.code, init.stderr).toBe(0);
    contract = parse(await readFile(join(dir, 'trips.contract.yaml'), 'utf8')) as ContractYaml;
    // The sensor's view alone: the healing loop may not change anything here (it is
    // exercised on the same data in the next describe).
    await appendFile(join(dir, 'agentic-etl.yaml'), FROZEN_POLICY);
    await copyFile(join(REALDATA, GREEN_2014), join(dir, 'landing', GREEN_2014));
    const run = await cli(dir, ['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    placed = await placements(dir, 'trips');
  });

  it('knows only the 2016 names', () => {
    const columns = Object.keys(contract.columns);
    expect(columns).toEqual(expect.arrayContaining(['RatecodeID', 'PULocationID', 'lpep_dropoff_datetime']));
    expect(columns).not.toContain('RateCodeID');
    expect(columns).not.toContain('Pickup_longitude');
  });

  it('quarantines the 2014 records with unknown keys; a case/separator rename is named as such', async () => {
    const header = (await readFile(join(REALDATA, GREEN_2014), 'utf8')).split('\n')[0]!.split(',').map((name) => name.trim());
    const columns = Object.keys(contract.columns);
    const unknown = header.filter((name) => !columns.includes(name));
    const renames = new Map(unknown.flatMap((name) => {
      const twin = columns.find((column) => loose(column) === loose(name));
      return twin === undefined ? [] : [[name, twin] as const];
    }));
    expect(unknown).toEqual(expect.arrayContaining(['Pickup_longitude', 'RateCodeID', 'Lpep_dropoff_datetime']));
    expect(renames.get('RateCodeID')).toBe('RatecodeID');

    const old = placed.filter((p) => p.file === GREEN_2014);
    expect(old.length).toBe((await csvRecordLines(join(REALDATA, GREEN_2014))).length);
    for (const record of old) {
      expect(record.place, `line ${record.line}`).toBe('quarantine');
      if (record.reasons.some((r) => r.kind === 'malformed')) continue; // the cut-off last line
      const byColumn = new Map(record.reasons.filter((r) => r.kind === 'unknown_column').map((r) => [r.column, r]));
      // Every key reported is one the contract does not know (by its exact trimmed name).
      expect([...byColumn.keys()].every((column) => unknown.includes(column!))).toBe(true);
      expect(byColumn.has('Pickup_longitude')).toBe(true);
      for (const [column, reason] of byColumn) {
        const twin = renames.get(column!);
        if (twin === undefined) expect(reason.message, column!).not.toContain('rename');
        else expect(reason.message, column!).toContain(`looks like a rename of \`${twin}\``);
      }
    }
  });

  it('does not merge the 2014 columns into silver, and audit passes', async () => {
    expect(placed.filter((p) => p.file === GREEN_2014 && p.place === 'silver')).toEqual([]);
    await expectEveryRowOnce(dir, [GREEN_2014, GREEN_2016], placed);
    const silverColumns = await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) =>
      (await wh.query(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'trips'`)).map((row) => String(row.c)),
    );
    expect(silverColumns).toContain('RatecodeID');
    expect(silverColumns).not.toContain('RateCodeID');
    expect(silverColumns).not.toContain('Pickup_longitude');
    const audit = await cli(dir, ['audit', '--json']);
    expect(audit.code, audit.stdout).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 2, offending: [] });
  });
});

describe('a contract inferred from 2016 meets the 2014 file, and the healing loop acts', () => {
  it('adds the new columns, proposes the case renames for a person, and never merges a column silently', async () => {
    assertBuilt();
    const dir = await setUp('init-2016-heal', [GREEN_2016]);
    expect((await cli(dir, ['init', '--from', 'landing', '--table', 'trips'])).code).toBe(0);
    // These real files are 1 KB heads of a few rows: let that little evidence count as drift.
    await appendFile(join(dir, 'agentic-etl.yaml'), '\ncontroller:\n  min_evidence: 1\n');
    await copyFile(join(REALDATA, GREEN_2014), join(dir, 'landing', GREEN_2014));
    const run = await cli(dir, ['run', '--json']);
    expect(run.code, run.stderr).toBe(3); // the renames wait for a person
    const incidents = JSON.parse((await cli(dir, ['incidents', '--json'])).stdout) as Incident[];
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    const decided = new Map((incident!.decisions ?? []).map((d) => [JSON.stringify(d.planned.action), d.verdict]));
    // RateCodeID (2014) is RatecodeID (2016) spelled another way: a rename a person approves.
    expect(decided.get(JSON.stringify({ kind: 'rename_column', from: 'RateCodeID', to: 'RatecodeID' }))).toBe('approve');
    // A genuinely new column is added by the agent, with its DDL on record.
    expect(incident!.applied.some((a) => a.action.kind === 'add_column' && a.action.column === 'Pickup_longitude' && a.ddl.length === 1)).toBe(true);
    const silverColumns = await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) =>
      (await wh.query(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'trips'`)).map((row) => String(row.c)),
    );
    expect(silverColumns).toContain('Pickup_longitude');
    expect(silverColumns.filter((c) => c.toLowerCase() === 'ratecodeid')).toEqual(['RatecodeID']);
    expect(['awaiting_approval', 'halted']).toContain(incident!.status);
    const audit = await cli(dir, ['audit', '--json']);
    expect(audit.code, audit.stdout).toBe(0);
  });
});
