import { readFileSync, readdirSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvReader } from '../../src/readers/csv.js';
import { MALFORMED_RAW_KEEP_BYTES, type ReadRecord } from '../../src/readers/reader.js';
import { AetlError } from '../../src/util/errors.js';
import { collect, failing, nonBlankLines, options, rawBytes, streamCutAt, streamOf } from './_helpers.js';
import { TLC_DIR } from '../helpers/realdata.js';

const read = (input: Parameters<typeof csvReader>[0], maxLineBytes?: number) => collect(csvReader(input, options('trips.csv', maxLineBytes)));

/** Lines covered by the records: every non-blank line but the header must be in exactly one. */
const linesCovered = (records: ReadRecord[]): number =>
  records.reduce((sum, r) => sum + (r.rawEncoding === 'base64' || /is \d+ bytes, over the limit/.test(r.malformed ?? '') ? 1 : r.raw.split('\n').length), 0);

describe('csvReader', () => {
  it('reads rows under the header as textual records with null for empty fields', async () => {
    const text = 'id,name,amount\n1,ann,3.5\n2,,\n3,"bob, jr.",""\n';
    const records = await read(streamOf(text));
    expect(records.map((r) => r.value)).toEqual([
      { id: '1', name: 'ann', amount: '3.5' },
      { id: '2', name: null, amount: null },
      { id: '3', name: 'bob, jr.', amount: null },
    ]);
    expect(records.map((r) => [r.line, r.raw])).toEqual([
      [2, '1,ann,3.5'],
      [3, '2,,'],
      [4, '3,"bob, jr.",""'],
    ]);
    expect(records.every((r) => r.textual === true && r.rawEncoding === 'utf8')).toBe(true);
    const bytes = Buffer.from(text);
    for (const r of records) expect(bytes.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString()).toBe(r.raw);
  });

  it('trims, unquotes and de-duplicates header names; strips a BOM; handles CRLF', async () => {
    const text = '\uFEFF"Id", Trip_type ,x,x,,x\r\n1,2,3,4,5,6\r\n';
    const records = await read(streamOf(text));
    expect(records).toHaveLength(1);
    expect(records[0]?.value).toEqual({ Id: '1', Trip_type: '2', x: '3', x__dup2: '4', column_5: '5', x__dup3: '6' });
    expect(records[0]?.raw).toBe('1,2,3,4,5,6');
  });

  it('skips blank and whitespace-only lines, counting them in line numbers', async () => {
    const text = 'a,b\n\n\n  \n1,2\n\r\n3,4\n\n';
    const records = await read(streamOf(text));
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [5, { a: '1', b: '2' }],
      [7, { a: '3', b: '4' }],
    ]);
  });

  it('keeps a quoted field spanning lines as one record starting at its first line', async () => {
    const text = 'id,note\n1,"line one\n\nline three"\n2,plain\n';
    const records = await read(streamOf(text, 5));
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [2, { id: '1', note: 'line one\n\nline three' }],
      [5, { id: '2', note: 'plain' }],
    ]);
    expect(records[0]?.raw).toBe('1,"line one\n\nline three"');
  });

  it('judges ragged rows against the header', async () => {
    const text = 'a,b,c\n1,2,3,,,\n4,5\n6,7,8,9\n10,11,12\n';
    const records = await read(streamOf(text));
    expect(records).toHaveLength(4);
    expect(records[0]?.value).toEqual({ a: '1', b: '2', c: '3' });
    expect(records[0]?.extraEmptyFields).toBe(3);
    // A short row is truncated, not a row of nulls: malformed, naming the line, the count and the fix.
    expect(records[1]?.value).toBeUndefined();
    expect(records[1]?.malformed).toBe(
      'trips.csv line 3 has 2 of 3 fields (the row stops after `b`; a truncated row): missing columns are not read as nulls; ' +
        'fix the row (empty fields for nulls, e.g. `a,,c`) or re-export the file',
    );
    expect(records[2]?.value).toBeUndefined();
    expect(records[2]?.malformed).toBe('trips.csv line 4: row has 4 fields, header has 3: fix the row or the header');
    expect(records[2]?.raw).toBe('6,7,8,9');
    expect(records[3]?.value).toEqual({ a: '10', b: '11', c: '12' });
    expect(records[3]?.extraEmptyFields).toBeUndefined();
  });

  it('pairs rows with their lines when lines are shorter than csv-parse look-ahead, or hold a lone CR', async () => {
    const records = await read(streamOf('a\n1\n2\n\n3\n4'));
    expect(records.map((r) => [r.line, r.value?.['a']])).toEqual([
      [2, '1'],
      [3, '2'],
      [5, '3'],
      [6, '4'],
    ]);
    const cr = await read(streamOf('a,b\n1,x\ry\n2,z\n'));
    expect(cr.map((r) => [r.line, r.raw, r.value])).toEqual([
      [2, '1,x\ry', { a: '1', b: 'x\ry' }],
      [3, '2,z', { a: '2', b: 'z' }],
    ]);
  });

  it('reads CR-only line ends (old Mac exports); a quoted field spanning them is one record with its exact raw', async () => {
    const text = 'id,note\r1,a\r2,"x\ry"\r\r3,c';
    const records = await read(streamOf(text));
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [2, { id: '1', note: 'a' }],
      [3, { id: '2', note: 'x\ny' }], // a line end inside quotes reaches the value as \n, as with LF and CRLF
      [6, { id: '3', note: 'c' }],
    ]);
    expect(records[1]?.raw).toBe('2,"x\ry"');
    const bytes = Buffer.from(text);
    for (const r of records) expect(bytes.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString()).toBe(r.raw);
  });

  it('decides the line ends by the first one outside quotes: a quoted header name may hold either', async () => {
    // CR-only, the header holding a quoted LF: still CR-only, the row is not swallowed by the header.
    const cr = await read(streamOf('"x\ny",b\r1,2\r3,4'));
    expect(cr.map((r) => [r.line, r.value])).toEqual([
      [3, { 'x\ny': '1', b: '2' }],
      [4, { 'x\ny': '3', b: '4' }],
    ]);
    // LF, the header holding a quoted lone CR (after a BOM): the CR stays data.
    const lf = await read(streamOf('\uFEFF"x\ry",b\n1,"2\r"\n'));
    expect(lf.map((r) => [r.line, r.value])).toEqual([[2, { 'x\ry': '1', b: '2\r' }]]);
  });

  it('keeps a lone CR inside a quoted field of an LF file as data, and a CRLF record spanning lines exact in raw', async () => {
    const lf = await read(streamOf('a,b\n1,"x\ry"\n'));
    expect(lf.map((r) => r.value)).toEqual([{ a: '1', b: 'x\ry' }]);
    const crlf = await read(streamOf('a,b\r\n1,"x\r\ny"\r\n2,z\r\n'));
    expect(crlf.map((r) => [r.line, r.raw, r.value])).toEqual([
      [2, '1,"x\r\ny"', { a: '1', b: 'x\ny' }],
      [4, '2,z', { a: '2', b: 'z' }],
    ]);
  });

  it('makes a quoted field that runs into a malformed line malformed too', async () => {
    const big = 'y'.repeat(2000);
    const text = `a,b\n1,"open\n${big}\nclose"\n2,ok\n`;
    const records = await read(streamOf(text), 1000);
    expect(records.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(records[0]?.malformed).toMatch(/line 2: a quoted field runs into line 3, which is malformed/);
    expect(records[0]?.raw).toBe('1,"open');
    expect(records[1]?.malformed).toMatch(/line 3 is 2000 bytes, over the limit of 1000/);
    // After the break, the rest parses afresh: `close"` is a row of its own (with a stray quote),
    // one field short of the header, so malformed too — a remnant never reaches silver as nulls.
    expect(records[2]?.raw).toBe('close"');
    expect(records[2]?.malformed).toMatch(/line 4 has 1 of 2 fields/);
    expect(records[3]?.value).toEqual({ a: '2', b: 'ok' });
  });

  it('keeps a stray quote inside an unquoted field as text', async () => {
    const records = await read(streamOf('item,size\ntv,55" screen\n'));
    expect(records[0]?.value).toEqual({ item: 'tv', size: '55" screen' });
  });

  it('makes a quote left open at the end of the file one malformed record', async () => {
    const text = 'a,b\n1,2\n3,"never closed\n4,5\n';
    const records = await read(streamOf(text));
    expect(records).toHaveLength(2);
    expect(records[0]?.value).toEqual({ a: '1', b: '2' });
    expect(records[1]?.line).toBe(3);
    expect(records[1]?.raw).toBe('3,"never closed\n4,5');
    expect(records[1]?.malformed).toMatch(/trips\.csv line 3: .*Quote Not Closed/);
    expect(linesCovered(records)).toBe(nonBlankLines(text) - 1);
  });

  it('stops an unclosed quote at the line limit and reads the lines after it afresh', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `${i},row ${i}`);
    const text = ['a,b', '1,"oops', ...rows].join('\n') + '\n';
    const records = await read(streamOf(text), 500);
    const aborted = records[0]!;
    expect(aborted.line).toBe(2);
    expect(aborted.malformed).toMatch(/a quoted field spans lines 2-\d+, over the limit of 500 bytes/);
    // After the abort, rows parse on their own again.
    expect(records.at(-1)?.value).toEqual({ a: "999", b: "row 999" });
    expect(records.filter((r) => r.value !== undefined).length).toBeGreaterThan(900);
    expect(linesCovered(records)).toBe(nonBlankLines(text) - 1);
  });

  it('makes a line over the limit malformed with capped raw and reads the next line', async () => {
    const big = 'x,' + 'y'.repeat(3 * 1024 * 1024);
    const text = `a,b\n1,2\n${big}\n3,4\n`;
    for (const chunk of [undefined, 65536]) {
      const records = await read(streamOf(text, chunk), 1 << 20);
      expect(records).toHaveLength(3);
      expect(records[1]?.line).toBe(3);
      expect(records[1]?.malformed).toContain(`trips.csv line 3 is ${big.length} bytes`);
      expect(records[1]?.malformed).toContain('raise max_line_bytes in agentic-etl.yaml or split the record');
      expect(Buffer.byteLength(records[1]!.raw)).toBe(MALFORMED_RAW_KEEP_BYTES);
      expect(records[2]?.value).toEqual({ a: '3', b: '4' });
    }
  });

  it('turns a line of invalid UTF-8 into base64 raw', async () => {
    const bad = Buffer.from([0x31, 0x2c, 0xe9, 0x74, 0xe9]); // "1,été" in Latin-1
    const input = Buffer.concat([Buffer.from('a,b\n'), bad, Buffer.from('\n2,ok\n')]);
    const records = await read(streamOf(input));
    expect(records).toHaveLength(2);
    expect(records[0]?.rawEncoding).toBe('base64');
    expect(rawBytes(records[0]!).equals(bad)).toBe(true);
    expect(records[0]?.malformed).toMatch(/line 2 is not valid UTF-8/);
    expect(records[1]?.value).toEqual({ a: '2', b: 'ok' });
  });

  it('yields nothing for an empty file or a header alone', async () => {
    expect(await read(streamOf(''))).toEqual([]);
    expect(await read(streamOf('a,b,c\n\n'))).toEqual([]);
  });

  it('stores header names like Object.prototype members as plain keys, and leaves the prototype alone', async () => {
    const records = await read(streamOf('constructor,prototype,toString,hasOwnProperty\nc,p,t,h\n'));
    expect(records[0]?.value).toEqual({ constructor: 'c', prototype: 'p', toString: 't', hasOwnProperty: 'h' });
    expect(Object.keys(records[0]?.value ?? {})).toEqual(['constructor', 'prototype', 'toString', 'hasOwnProperty']);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('prototype');
  });

  it('stores a __proto__ column as a plain key', async () => {
    const records = await read(streamOf('__proto__,b\n{"x":1},2\n'));
    const value = records[0]?.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'b']);
    expect(value['b']).toBe('2');
  });

  it('throws a transient source_read_failed when the source fails', async () => {
    const error = await read(failing(Buffer.from('a,b\n1,2\n'), new Error('EIO'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AetlError);
    expect(error).toMatchObject({ code: 'source_read_failed', kind: 'transient' });
  });

  it('gives the same records however the stream is cut', async () => {
    const field = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', '"q"', 'a,b', 'x\ny', 'é中', ' ', 'x\ry', '\r', '1'));
    const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(400), { maxLength: 8 }),
        async (rows, eol, cuts) => {
          const text = rows.map((row) => row.map(quote).join(',')).join(eol);
          const bytes = Buffer.from(text);
          const whole = await read(streamOf(bytes));
          expect(await read(streamCutAt(bytes, cuts))).toEqual(whole);
          // raw is the record's exact text, line ends inside it included.
          for (const r of whole) expect(bytes.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString()).toBe(r.raw);
          // Rows of non-blank fields are never lost, whatever the line ends.
          if (rows.every((row) => row.some((field) => field.trim() !== ''))) expect(whole.length).toBe(rows.length - 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('csvReader on a cut-off last row', () => {
  it('makes a short last row without a line break malformed as a cut-off file; a short terminated one as a truncated row', async () => {
    const short = await read(streamOf('a,b,c\n1,2,3\n4,5\n'));
    expect(short[0]?.malformed).toBeUndefined();
    expect(short[1]?.malformed).toMatch(/^trips\.csv line 3 has 2 of 3 fields \(the row stops after `b`; a truncated row\)/);
    expect((await read(streamOf('a,b,c\n1,2,3\n4,5,6'))).map((r) => r.malformed)).toEqual([undefined, undefined]); // complete, unterminated
    const cut = await read(streamOf('a,b,c\n1,2,3\n4,"5\nx"'));
    expect(cut[1]).toMatchObject({ line: 3, raw: '4,"5\nx"' });
    expect(cut[1]?.malformed).toMatch(/line 3 has 2 of 3 fields and the file ends without a line break/);
  });
});

describe('csvReader on a header it cannot read: the file is refused, never a data row taken as its header', () => {
  const refused = async (bytes: Buffer | string, maxLineBytes?: number): Promise<AetlError> => {
    const yielded: ReadRecord[] = [];
    const error = await (async () => {
      for await (const record of csvReader(streamOf(bytes), options('trips.csv', maxLineBytes))) yielded.push(record);
    })().catch((e: unknown) => e);
    expect(yielded).toEqual([]);
    expect(error).toBeInstanceOf(AetlError);
    expect(error).toMatchObject({ code: 'csv_header_invalid', kind: 'terminal' });
    return error as AetlError;
  };

  it('refuses a header that is not UTF-8 (Latin-1), naming the line and the fix', async () => {
    const error = await refused(Buffer.concat([Buffer.from('\n\nid,n'), Buffer.from([0xe4]), Buffer.from('me\n1,a\n2,b\n')]));
    expect(error.message).toMatch(/^trips\.csv line 3: the CSV header is not valid UTF-8 .*the file was not loaded and stays where it is/);
    expect(error.hint).toMatch(/re-export the file as UTF-8/);
  });

  it('refuses a header over the line limit', async () => {
    const error = await refused(`${'a'.repeat(2000)},b\n1,2\n`, 1000);
    expect(error.message).toMatch(/^trips\.csv line 1: the CSV header is 2002 bytes, over the limit of 1000 bytes \(max_line_bytes\)/);
    expect(error.hint).toMatch(/raise max_line_bytes in agentic-etl\.yaml/);
  });

  it('refuses a header holding NUL characters (UTF-16 without a BOM)', async () => {
    const error = await refused(Buffer.from('id,name\n1,a\n', 'utf16le'));
    expect(error.message).toMatch(/^trips\.csv line 1: the CSV header holds NUL characters/);
    expect(error.hint).toMatch(/UTF-16 without a byte-order mark/);
  });

  it('refuses a header whose quote is never closed, or runs into a malformed line', async () => {
    const open = await refused('"id,name\n1,a\n2,b\n');
    expect(open.message).toMatch(/^trips\.csv line 1: the CSV header cannot be read: .*Quote Not Closed/);
    expect(open.hint).toMatch(/close the quote/);
    const into = await refused(Buffer.concat([Buffer.from('"id\n'), Buffer.from([0xe9, 0x0a]), Buffer.from('name"\n1,2\n')]));
    expect(into.message).toMatch(/^trips\.csv line 1: the CSV header cannot be read: its quoted field runs into line 2, which is not valid UTF-8/);
  });
});

describe('csvReader on real NYC TLC file heads', () => {
  const dir = TLC_DIR;
  const files = readdirSync(dir).filter((name) => name.endsWith('.csv'));

  it.each(files)('%s: every non-blank line after the header is one record; the cut-off last one is malformed', async (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const records = await collect(csvReader(createReadStream(join(dir, name), { highWaterMark: 97 }), options(name)));
    expect(records.length).toBe(nonBlankLines(text) - 1);
    expect(records.every((r) => r.textual === true)).toBe(true);
    expect(records.slice(0, -1).every((r) => r.malformed === undefined)).toBe(true);
    const lines = text.split('\n');
    // The file's last line is cut mid-row with no line break after it: malformed, kept whole.
    const last = records.at(-1)!;
    expect(last.line).toBe(lines.length);
    expect(last.raw).toBe(lines.at(-1));
    expect(last.value).toBeUndefined();
    expect(last.malformed).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')} line ${lines.length} has \\d+ of \\d+ fields and the file ends without a line break`));
  });

  it('green 2014: trims `Trip_type `, skips the two blank lines, drops the trailing empty fields', async () => {
    const records = await collect(csvReader(createReadStream(join(dir, 'green_tripdata_2014-01.head.csv')), options('green_tripdata_2014-01.head.csv')));
    const first = records[0]!;
    expect(first.line).toBe(4);
    const keys = Object.keys(first.value!);
    expect(keys).toHaveLength(20);
    expect(keys).toContain('Trip_type');
    expect(keys).not.toContain('Trip_type ');
    expect(first.value).toMatchObject({ VendorID: '2', RateCodeID: '1', Ehail_fee: null, Trip_type: null, Total_amount: '21' });
    expect(first.raw.endsWith(',,,')).toBe(true); // the row had 22 fields for 20 columns; the 2 empty extras were dropped
    expect(records.slice(0, -1).every((r) => r.extraEmptyFields === 2)).toBe(true);
  });

  it('green 2016: keeps column names as written and skips the blank line', async () => {
    const records = await collect(csvReader(createReadStream(join(dir, 'green_tripdata_2016-07.head.csv')), options('g16')));
    expect(records[0]?.line).toBe(3);
    expect(records[0]?.value).toMatchObject({ RatecodeID: '1', PULocationID: '7', trip_type: '1', ehail_fee: null });
  });

  it('fhv 2018: unquotes headers, keeps near-duplicate columns apart, empty quoted fields are null', async () => {
    const records = await collect(csvReader(createReadStream(join(dir, 'fhv_tripdata_2018-01.head.csv')), options('fhv')));
    expect(records[0]?.value).toEqual({
      Pickup_DateTime: '2018-01-30 21:06:50',
      DropOff_datetime: '2018-01-30 21:15:34',
      PUlocationID: '56',
      DOlocationID: '129',
      SR_Flag: null,
      Dispatching_base_number: 'B02884',
      Dispatching_base_num: null,
    });
  });
});
