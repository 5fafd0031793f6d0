/**
 * One type inference: the type `add_column` proposes for a new key (the batch profile's
 * inferredType) is the type `agentic-etl init` infers for the same values, through the
 * real readers, CSV and NDJSON alike. An empty CSV field is null: it never changes a type.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferContract } from '../../src/contract/infer-contract.js';
import type { Contract } from '../../src/contract/types.js';
import { DEFAULT_EVOLUTION } from '../../src/contract/types.js';
import { csvReader } from '../../src/readers/csv.js';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import type { ReadRecord, Reader } from '../../src/readers/reader.js';
import { findingsFromProfile } from '../../src/sensor/findings.js';
import { createProfiler } from '../../src/sensor/profile.js';
import { compileValidator } from '../../src/sensor/validator.js';

/** The contract before the new key: only `id`. */
const known: Contract = { table: 't', primary_key: [], columns: [{ name: 'id', type: { name: 'integer' }, required: true }], evolution: { ...DEFAULT_EVOLUTION } };

/** Cell texts as real exports write them: numerals (`.81` too), dates, timestamps, booleans, words, and empties. */
const cell = fc.oneof(
  fc.constantFrom('', '', '0', '-3', '42', '9223372036854775808', '.81', '-73.865043640136719', '40.5', '1e3', 'true', 'false', 'N', 'abc', ' '),
  fc.constantFrom('2014-01-01', '2016-07-01 00:01:22', '2024-05-01T12:30:00Z', '2024-05-01T12:30:00.123456+02:00', '2024-13-01', '2014-01-01 24:00:00'),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/** JSON values: the same texts as strings, plus numbers, booleans, nulls, objects and arrays. */
const jsonValue = fc.oneof(cell, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant({ a: 1 }), fc.constant([1]));

async function read(reader: Reader, text: string): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  for await (const record of reader(Readable.from([Buffer.from(text)]), { file: 'f', maxLineBytes: 1 << 20 })) records.push(record);
  return records;
}

/** What `add_column` would be given: the unknown_column finding's inferredType for `new`. */
function addColumnType(records: ReadRecord[]): string | undefined {
  const validate = compileValidator(known);
  const profiler = createProfiler(known);
  for (const record of records) profiler.observe(record, validate(record));
  const finding = findingsFromProfile(profiler.finish(), known).find((f) => f.kind === 'unknown_column' && f.column === 'new');
  return finding?.kind === 'unknown_column' ? finding.inferredType : undefined;
}

async function initType(records: ReadRecord[]): Promise<string | undefined> {
  const inferred = await inferContract(records, { table: 't' });
  return inferred.contract.columns.find((column) => column.name === 'new')?.type.name;
}

const csvText = (cells: readonly string[]): string => `id,new\n${cells.map((value, i) => `${i + 1},${value}`).join('\n')}\n`;

describe('add_column infers types the way init does', () => {
  it('CSV: the profile and init agree on every column of generated cells', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cell, { minLength: 1, maxLength: 12 }), async (cells) => {
        const records = await read(csvReader, csvText(cells));
        expect(records.every((r) => r.malformed === undefined)).toBe(true);
        expect(addColumnType(records)).toBe(await initType(records));
      }),
      { numRuns: 300 },
    );
  });

  it('NDJSON: the profile and init agree on every column of generated values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonValue, { minLength: 1, maxLength: 12 }), async (values) => {
        const text = values.map((value, i) => JSON.stringify({ id: i + 1, new: value })).join('\n');
        const records = await read(ndjsonReader, `${text}\n`);
        expect(addColumnType(records)).toBe(await initType(records));
      }),
      { numRuns: 300 },
    );
  });

  it('CSV: empty fields anywhere in a column do not change its type', async () => {
    const filled = cell.filter((value) => value !== '');
    await fc.assert(
      fc.asyncProperty(fc.array(filled, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), async (cells, at) => {
        const holed = [...cells];
        for (const position of at) holed.splice(position % (holed.length + 1), 0, '');
        const plain = await read(csvReader, csvText(cells));
        const withEmpties = await read(csvReader, csvText(holed));
        expect(addColumnType(withEmpties)).toBe(addColumnType(plain));
        expect(await initType(withEmpties)).toBe(await initType(plain));
      }),
      { numRuns: 200 },
    );
  });

  it('a new timestamp key is timestamp and a coordinate with one empty field is double, as init says', async () => {
    const text = 'id,new\n1,2014-01-01 00:00:00\n2,2014-01-01 01:08:06\n';
    expect(addColumnType(await read(csvReader, text))).toBe('timestamp');
    const coordinate = 'id,new\n1,-73.865043640136719\n2,\n3,-73.7763671875\n';
    const records = await read(csvReader, coordinate);
    expect(addColumnType(records)).toBe('double');
    expect(await initType(records)).toBe('double');
  });
});
