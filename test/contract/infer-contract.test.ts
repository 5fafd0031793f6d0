import { describe, expect, it } from 'vitest';
import { renderContractYaml } from '../../src/config/template.js';
import { inferContract } from '../../src/contract/infer-contract.js';
import { parseContract } from '../../src/contract/load-contract.js';
import type { ColumnSpec } from '../../src/contract/types.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { tlcRecords } from './tlc-records.js';

/** Records as the NDJSON reader yields them: one per value, `malformed` for the strings given. */
function jsonRecords(values: readonly (Record<string, unknown> | string)[]): ReadRecord[] {
  let offset = 0;
  return values.map((value, index) => {
    const raw = typeof value === 'string' ? value : JSON.stringify(value);
    const record: ReadRecord = { line: index + 1, offset, raw, rawEncoding: 'utf8' };
    offset += Buffer.byteLength(raw) + 1;
    if (typeof value === 'string') record.malformed = `line ${index + 1}: not JSON`;
    else record.value = value;
    return record;
  });
}

function column(columns: readonly ColumnSpec[], name: string): ColumnSpec {
  const found = columns.find((spec) => spec.name === name);
  if (found === undefined) throw new Error(`no column ${name} in ${columns.map((spec) => spec.name).join(', ')}`);
  return found;
}

/** The inferred contract must load back unchanged from the YAML `init` writes. */
function expectRenderRoundTrip(inferred: Awaited<ReturnType<typeof inferContract>>): void {
  expect(parseContract(renderContractYaml(inferred), 'contract.yaml')).toEqual(inferred.contract);
}

describe('inferContract on JSON records', () => {
  const orders = [
    { id: 1, order_id: 'o-1', amount: 10, placed_at: '2024-01-05T10:00:00Z', day: '2024-01-05', meta: { a: 1 }, status: 'new', email: 'a@x', paid: true, note: 'x' },
    { id: 2, order_id: 'o-2', amount: 10.5, placed_at: '2024-01-05T11:30:00+02:00', day: '2024-01-06', meta: [1, 2], status: 'paid', email: 'b@x', paid: false },
    { id: 3, order_id: 'o-3', amount: 7, placed_at: '2024-01-06 09:15:00', day: '2024-01-07', meta: null, status: 'new', email: 'c@x', paid: true, note: null },
    'not json {',
    { id: 4, order_id: 'o-4', amount: -2, placed_at: '2024-01-07T00:00:00.123456Z', day: '2024-01-08', meta: { b: 'c' }, status: 'paid', email: 'd@x', paid: false },
  ];

  it('infers types, required-ness and a primary key', async () => {
    const inferred = await inferContract(jsonRecords(orders), { table: 'orders' });
    const { columns } = inferred.contract;
    expect(columns.map((spec) => spec.name)).toEqual(['id', 'order_id', 'amount', 'placed_at', 'day', 'meta', 'status', 'email', 'paid', 'note']);
    expect(column(columns, 'id')).toEqual({ name: 'id', type: { name: 'integer' }, required: true });
    expect(column(columns, 'amount').type).toEqual({ name: 'double' });
    expect(column(columns, 'placed_at').type).toEqual({ name: 'timestamp' });
    expect(column(columns, 'day').type).toEqual({ name: 'date' });
    expect(column(columns, 'meta')).toEqual({ name: 'meta', type: { name: 'json' }, required: false });
    expect(column(columns, 'paid')).toEqual({ name: 'paid', type: { name: 'boolean' }, required: true });
    // Missing in one record, null in another: not required.
    expect(column(columns, 'note')).toEqual({ name: 'note', type: { name: 'string' }, required: false });
    expect(inferred.sampled).toBe(4);
    expect(inferred.malformed).toBe(1);
    expect(inferred.pkCandidates).toEqual(['id', 'order_id', 'email']);
    expect(inferred.contract.primary_key).toEqual(['id']);
    expect(inferred.contract.table).toBe('orders');
    expect(inferred.notes[0]).toBe('Sampled 4 records; skipped 1 malformed.');
    expectRenderRoundTrip(inferred);
  });

  it('reports low-cardinality strings as enum candidates without setting an enum', async () => {
    const inferred = await inferContract(jsonRecords(orders), { table: 'orders' });
    expect(inferred.enumCandidates).toEqual({ status: ['new', 'paid'] });
    expect(column(inferred.contract.columns, 'status').enum).toBeUndefined();
    expect(inferred.notes.some((note) => note.includes('Enum candidate: `status`'))).toBe(true);
    expect(renderContractYaml(inferred)).toMatch(/# Enum candidate: `status`[^\n]*\n {2}#[^\n]*\n {2}status: \{type: string, required: true\}/);
  });

  it('prefers identifier-like names, and sets no key when no unique column looks like one', async () => {
    const events = jsonRecords([
      { email: 'a@x', customerId: 7, n: 1 },
      { email: 'b@x', customerId: 8, n: 1 },
    ]);
    expect((await inferContract(events, { table: 'e' })).pkCandidates).toEqual(['customerId', 'email']);
    const people = await inferContract(jsonRecords([{ email: 'a@x' }, { email: 'b@x' }]), { table: 'p' });
    expect(people.pkCandidates).toEqual(['email']);
    expect(people.contract.primary_key).toEqual([]);
    expect(people.notes.join('\n')).toContain('None looks like an identifier');
  });

  it('does not take a column with a missing value, a repeat or a fractional type as a key', async () => {
    const inferred = await inferContract(
      jsonRecords([
        { id: 1, ref_id: 'a', score_id: 1.5 },
        { id: 1, ref_id: 'b', score_id: 2.5 },
        { id: 2, score_id: 3.5 },
      ]),
      { table: 't' },
    );
    expect(inferred.pkCandidates).toEqual([]);
    expect(inferred.contract.primary_key).toEqual([]);
  });

  it('trims keys, merges spellings that differ only by case, and warns about look-alikes', async () => {
    const inferred = await inferContract(
      jsonRecords([
        { ' name ': 'a', RateCodeID: 1, fare_amt: 2, Dispatching_base_number: 'B1', Dispatching_base_num: null },
        { name: 'b', RatecodeID: 2, 'Fare-Amt': 3, Dispatching_base_number: 'B2' },
      ]),
      { table: 't' },
    );
    const names = inferred.contract.columns.map((spec) => spec.name);
    expect(names).toEqual(['name', 'RateCodeID', 'fare_amt', 'Dispatching_base_number', 'Dispatching_base_num', 'Fare-Amt']);
    // Merged: one column that every record filled.
    expect(column(inferred.contract.columns, 'RateCodeID')).toEqual({ name: 'RateCodeID', type: { name: 'integer' }, required: true });
    expect(column(inferred.contract.columns, 'name').required).toBe(true);
    const notes = inferred.notes.join('\n');
    expect(notes).toContain('The key " name " has surrounding spaces; the column is `name`');
    expect(notes).toContain('`RateCodeID` = `RatecodeID`');
    expect(notes).toContain('Warning: `fare_amt` and `Fare-Amt` differ only by case or separators');
    expect(notes).toContain('Warning: `Dispatching_base_number` and `Dispatching_base_num` look alike');
    expect(inferred.columnNotes.RateCodeID).toEqual(['Also seen as `RatecodeID` (differs only by case; merged into this column).']);
    expectRenderRoundTrip(inferred);
  });

  it('leaves out keys that cannot be columns', async () => {
    const inferred = await inferContract(jsonRecords([{ '': 1, _record_id: 'x', ok: true }]), { table: 't' });
    expect(inferred.contract.columns.map((spec) => spec.name)).toEqual(['ok']);
    expect(inferred.notes.join('\n')).toContain('`_record_id` is a system column name');
    expectRenderRoundTrip(inferred);
  });

  it('stops at the sample limit, reading no further', async () => {
    let produced = 0;
    function* endless(): Generator<ReadRecord> {
      for (;;) {
        produced += 1;
        yield { line: produced, offset: 0, raw: '{}', rawEncoding: 'utf8', value: { n: produced } };
      }
    }
    const inferred = await inferContract(endless(), { table: 't', sampleLimit: 50 });
    expect(inferred.sampled).toBe(50);
    expect(produced).toBe(50);
    expect(inferred.pkCandidates).toEqual(['n']);
  });

  it('handles an empty sample and rejects an empty table name', async () => {
    const inferred = await inferContract([], { table: 't' });
    expect(inferred.contract.columns).toEqual([]);
    expect(inferred.sampled).toBe(0);
    expectRenderRoundTrip(inferred);
    await expect(inferContract([], { table: '  ' })).rejects.toThrow('table name');
  });
});

describe('inferContract on real TLC CSV files', () => {
  it('infers the FHV 2018 head: text typed as timestamps and integers, empty columns optional', async () => {
    const inferred = await inferContract(tlcRecords('fhv_tripdata_2018-01.head.csv'), { table: 'fhv_trips' });
    const { columns } = inferred.contract;
    expect(columns.map((spec) => spec.name)).toEqual([
      'Pickup_DateTime',
      'DropOff_datetime',
      'PUlocationID',
      'DOlocationID',
      'SR_Flag',
      'Dispatching_base_number',
      'Dispatching_base_num',
    ]);
    expect(column(columns, 'Pickup_DateTime')).toEqual({ name: 'Pickup_DateTime', type: { name: 'timestamp' }, required: true });
    // Empty in the last full row and absent from the truncated one.
    expect(column(columns, 'PUlocationID')).toEqual({ name: 'PUlocationID', type: { name: 'integer' }, required: false });
    expect(column(columns, 'SR_Flag').required).toBe(false);
    expect(inferred.columnNotes.SR_Flag?.[0]).toContain('was empty in every sampled record');
    expect(inferred.notes.join('\n')).toContain('`Dispatching_base_number` and `Dispatching_base_num` look alike');
    expect(inferred.enumCandidates.Dispatching_base_number).toEqual(['B02884', 'B02914']);
    expect(inferred.pkCandidates).toEqual([]);
    expect(inferred.sampled).toBe(13);
    expect(inferred.malformed).toBe(0);
    expectRenderRoundTrip(inferred);
  });

  it('merges the green 2014 and 2016 headers whose names changed case, keeping the columns that were replaced', async () => {
    const inferred = await inferContract([...tlcRecords('green_tripdata_2014-01.head.csv'), ...tlcRecords('green_tripdata_2016-07.head.csv')], { table: 'green_trips' });
    const { columns } = inferred.contract;
    const names = columns.map((spec) => spec.name);
    // One column per name ignoring case: loadable by case-insensitive engines.
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
    expect(names).toContain('RateCodeID');
    expect(names).not.toContain('RatecodeID');
    expect(names).toContain('Trip_type'); // the header's `Trip_type ` trimmed
    expect(inferred.columnNotes.Trip_type).toContain('The key "Trip_type " has surrounding spaces; the column is `Trip_type` (names are matched after trimming).');
    expect(names).toEqual(expect.arrayContaining(['Pickup_longitude', 'PULocationID', 'improvement_surcharge']));
    expect(column(columns, 'RateCodeID').type).toEqual({ name: 'integer' });
    expect(column(columns, 'Fare_amount').type).toEqual({ name: 'double' });
    expect(column(columns, 'VendorID')).toEqual({ name: 'VendorID', type: { name: 'integer' }, required: true });
    expect(inferred.sampled).toBe(16);
    // Only in 2016 rows: not required.
    expect(column(columns, 'PULocationID').required).toBe(false);
    const notes = inferred.notes.join('\n');
    expect(notes).toContain('`RateCodeID` = `RatecodeID`');
    expect(notes).toContain('`Lpep_dropoff_datetime` = `lpep_dropoff_datetime`');
    expectRenderRoundTrip(inferred);
  });
});

describe('inferContract with keys JavaScript objects already have', () => {
  it('makes `constructor`, `prototype` and `toString` columns, leaves `__proto__` out with a note, and loads back', async () => {
    // JSON text, so that `__proto__` is a real key of each parsed record.
    const raws = ['{"id":1,"constructor":"a","prototype":"x","toString":1,"__proto__":"p"}', '{"id":2,"constructor":"b","prototype":"y","toString":2,"__proto__":"q"}'];
    const records = [...raws, raws[0]!.replace('"id":1', '"id":3'), raws[1]!.replace('"id":2', '"id":4')].map(
      (raw, index): ReadRecord => ({ line: index + 1, offset: 0, raw, rawEncoding: 'utf8', value: JSON.parse(raw) as Record<string, unknown> }),
    );
    const inferred = await inferContract(records, { table: 't' });
    expect(inferred.contract.columns.map((spec) => spec.name)).toEqual(['id', 'constructor', 'prototype', 'toString']);
    expect(inferred.enumCandidates['constructor']).toEqual(['a', 'b']);
    expect(inferred.columnNotes['constructor']?.[0]).toContain('Enum candidate');
    expect(inferred.notes.join('\n')).toContain('The key `__proto__` was left out');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('push');
    expectRenderRoundTrip(inferred);
  });
});
