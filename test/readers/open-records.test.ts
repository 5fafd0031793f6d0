import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat, readRecords } from '../../src/readers/open-records.js';
import { DEFAULT_MAX_LINE_BYTES, type Format, type ReadRecord } from '../../src/readers/reader.js';
import { AetlError } from '../../src/util/errors.js';
import { collect, failing, streamCutAt, tempFile, utf16 } from './_helpers.js';

const open = (input: Readable, file: string, format: Format, gzip: boolean) =>
  collect(readRecords(input, { file, maxLineBytes: DEFAULT_MAX_LINE_BYTES, format, gzip }));

const ndjson = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, note: `row number ${i} `.repeat(3) })).join('\n') + '\n';

describe('detectFormat', () => {
  it('tells the format and gzip from the extension', () => {
    expect(detectFormat('a/b/events.ndjson', 'auto')).toEqual({ format: 'ndjson', gzip: false });
    expect(detectFormat('events.JSONL.GZ', 'auto')).toEqual({ format: 'ndjson', gzip: true });
    expect(detectFormat('dump.json', 'auto')).toEqual({ format: 'json', gzip: false });
    expect(detectFormat('2024/trips.csv.gz', 'auto')).toEqual({ format: 'csv', gzip: true });
  });

  it('lets the setting win over the extension', () => {
    expect(detectFormat('export.txt', 'csv')).toEqual({ format: 'csv', gzip: false });
    expect(detectFormat('export.dat.gz', 'ndjson')).toEqual({ format: 'ndjson', gzip: true });
  });

  it('refuses an unknown extension with a hint naming the setting', () => {
    for (const key of ['notes.txt', 'README', 'data.csv.bak', 'dir.csv/file', 'archive.gz']) {
      const error = (() => {
        try {
          detectFormat(key, 'auto');
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AetlError);
      expect(error).toMatchObject({ code: 'format_unknown', kind: 'terminal' });
      expect((error as AetlError).message).toContain(key);
      expect((error as AetlError).hint).toContain('format:');
    }
  });
});

describe('readRecords', () => {
  it('reads plain and gzipped files from disk through the right reader', async () => {
    const text = ndjson(3000);
    const plain = await open(createReadStream(await tempFile('e.ndjson', text)), 'e.ndjson', 'ndjson', false);
    const gz = await open(createReadStream(await tempFile('e.ndjson.gz', gzipSync(text))), 'e.ndjson.gz', 'ndjson', true);
    expect(plain).toHaveLength(3000);
    expect(gz).toEqual(plain);
    const csv = await open(createReadStream(await tempFile('t.csv.gz', gzipSync('a,b\n1,2\n3,\n'))), 't.csv.gz', 'csv', true);
    expect(csv.map((r) => r.value)).toEqual([{ a: '1', b: '2' }, { a: '3', b: null }]);
    const json = await open(Readable.from([gzipSync('[{"a":1},{"a":2}]')]), 'x.json.gz', 'json', true);
    expect(json.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('decompresses a gzip stream whose name does not say so', async () => {
    const records = await open(createReadStream(await tempFile('sneaky.json', gzipSync('[{"a":1}]'))), 'sneaky.json', 'json', false);
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }]);
  });

  it('yields nothing for an empty file, compressed or not', async () => {
    expect(await open(Readable.from([]), 'e.ndjson', 'ndjson', false)).toEqual([]);
    expect(await open(Readable.from([gzipSync('')]), 'e.ndjson.gz', 'ndjson', true)).toEqual([]);
  });

  it('keeps the records before a corruption in the middle of a gzip, then adds one malformed record', async () => {
    const text = ndjson(20000);
    const gz = gzipSync(text);
    const corrupt = Buffer.from(gz);
    for (let i = Math.floor(gz.length / 2); i < Math.floor(gz.length / 2) + 64; i++) corrupt[i] = (corrupt[i] ?? 0) ^ 0xa5;
    const records = await open(Readable.from([corrupt]), 'bad.ndjson.gz', 'ndjson', true);
    expectGzipFailure(records, 'bad.ndjson.gz');
    const good = records.filter((r) => r.value !== undefined);
    expect(good.length).toBeGreaterThan(1000);
    // The records before the damage are the file's own first records.
    expect(good.slice(0, 1000).map((r) => r.value?.['id'])).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('keeps the records of a truncated gzip, then adds one malformed record', async () => {
    const text = ndjson(20000);
    const gz = gzipSync(text);
    const records = await open(Readable.from([gz.subarray(0, Math.floor(gz.length * 0.6))]), 'cut.ndjson.gz', 'ndjson', true);
    expectGzipFailure(records, 'cut.ndjson.gz');
    expect(records[records.length - 2]?.malformed).toMatch(/not valid JSON/); // the cut line
    const good = records.filter((r) => r.value !== undefined);
    expect(good.length).toBeGreaterThan(5000);
    expect(good.length).toBeLessThan(20000);
    expect(good.every((r, i) => r.value?.['id'] === i && r.line === i + 1)).toBe(true);
  });

  it('reports a .gz file that is not gzip at all as one malformed record', async () => {
    const records = await open(Readable.from([Buffer.from('{"a":1}\n')]), 'plain.ndjson.gz', 'ndjson', true);
    expect(records).toHaveLength(1);
    expectGzipFailure(records, 'plain.ndjson.gz');
  });

  it('throws a transient source_read_failed when the source fails, compressed or not', async () => {
    for (const gzip of [false, true]) {
      const head = gzip ? gzipSync(ndjson(10)).subarray(0, 40) : Buffer.from(ndjson(10));
      const error = await open(failing(head, new Error('ECONNRESET')), 'f.ndjson', 'ndjson', gzip).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AetlError);
      expect(error).toMatchObject({ code: 'source_read_failed', kind: 'transient' });
      expect((error as Error).message).toContain('ECONNRESET');
    }
  });

  it('closes the source when the consumer stops early', async () => {
    for (const gzip of [false, true]) {
      const path = await tempFile('big.ndjson', gzip ? gzipSync(ndjson(50000)) : ndjson(50000));
      const input = createReadStream(path, { highWaterMark: 1024 });
      for await (const record of readRecords(input, { file: 'big', maxLineBytes: DEFAULT_MAX_LINE_BYTES, format: 'ndjson', gzip })) {
        if (record.line === 10) break;
      }
      // Closing runs through a few stream ticks: give it up to a second.
      for (let i = 0; i < 100 && !input.destroyed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(input.destroyed).toBe(true);
    }
  });
});

describe('readRecords on UTF-16 files (told by the BOM)', () => {
  const texts: Record<'ndjson' | 'csv' | 'json', string> = {
    ndjson: '{"id":1,"name":"Zo\u00eb"}\r\n{"id":2,"name":"\u4e2d\u6587 \ud83d\ude00"}\r\n\r\n{"id":3}\r\n',
    csv: 'id,name\r\n1,"Zo\u00eb, ""the"" \ud83d\ude00"\r\n2,"two\r\nlines"\r\n3,\u4e2d\r\n',
    json: '[{"id":1,"name":"Zo\u00eb"},\n {"id":2,"name":"\ud83d\ude00"}]',
  };

  it('reads LE and BE, plain or gzipped, however cut, as the same records as the UTF-8 file (offsets in the text as UTF-8)', async () => {
    for (const format of ['ndjson', 'csv', 'json'] as const) {
      const expected = await open(Readable.from([Buffer.from(texts[format])]), `t.${format}`, format, false);
      expect(expected.length, format).toBeGreaterThanOrEqual(2);
      expect(expected.every((r) => r.malformed === undefined)).toBe(true);
      for (const order of ['utf16le', 'utf16be'] as const) {
        for (const gzip of [false, true]) {
          const bytes = gzip ? gzipSync(utf16(texts[format], order)) : utf16(texts[format], order);
          for (const cuts of [[], [1], [3, 4, 5, 17, 40]]) {
            const records = await open(streamCutAt(bytes, cuts), `t.${format}`, format, gzip);
            expect(records, `${format} ${order} gzip=${gzip} cuts=${cuts.join(',')}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('makes a line with an unpaired surrogate malformed (saying UTF-16), and an odd last byte one more malformed record', async () => {
    // Line 2 holds a real (unescaped) lone surrogate; the file ends in half a code unit.
    const bytes = Buffer.concat([utf16('{"a":1}\n{"a":"', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('"}\n{"a":3}\n', 'utf16le'), Buffer.from([0x7d])]);
    const records = await open(Readable.from([bytes]), 'u.ndjson', 'ndjson', false);
    expect(records.map((r) => [r.line, r.value])).toEqual([[1, { a: 1 }], [2, undefined], [3, { a: 3 }], [4, undefined]]);
    expect(records[1]?.rawEncoding).toBe('base64');
    expect(Buffer.from(records[1]!.raw, 'base64').toString('hex')).toBe(Buffer.from('{"a":"').toString('hex') + 'eda080' + Buffer.from('"}').toString('hex'));
    expect(records[1]?.malformed).toMatch(/^u\.ndjson line 2 is not valid UTF-16: it holds an unpaired surrogate.*: re-export the file$/);
    expect(records[3]).toMatchObject({ raw: 'fQ==', rawEncoding: 'base64', offset: Buffer.byteLength('{"a":1}\n{"a":"') + 3 + Buffer.byteLength('"}\n{"a":3}\n') });
    expect(records[3]?.malformed).toMatch(/^u\.ndjson ends with one byte \(0x7d\) after its last whole UTF-16 character.*: re-upload the complete file$/);
  });
});

function expectGzipFailure(records: ReadRecord[], file: string): void {
  const last = records.at(-1)!;
  expect(last.malformed).toContain(`${file} is not a valid gzip stream`);
  expect(last.malformed).toContain('re-upload or remove the file');
  expect(last.raw).toBe('');
  const lines = records.map((r) => r.line);
  expect(last.line).toBe((lines.length > 1 ? Math.max(...lines.slice(0, -1)) : 0) + 1);
  expect(new Set(lines).size).toBe(lines.length);
}
