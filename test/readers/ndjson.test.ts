import { createReadStream } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import { MALFORMED_RAW_KEEP_BYTES } from '../../src/readers/reader.js';
import { AetlError } from '../../src/util/errors.js';
import { collect, failing, nonBlankLines, options, rawBytes, repeated, streamCutAt, streamOf, tempFile } from './_helpers.js';

const read = (input: Parameters<typeof ndjsonReader>[0], maxLineBytes?: number) =>
  collect(ndjsonReader(input, options('events.ndjson', maxLineBytes)));

describe('ndjsonReader', () => {
  it('reads one object per line with line numbers, byte offsets and exact raw text', async () => {
    const text = '{"id":1,"name":"a"}\n{"id":2,"name":"é"}\n{"id":3}\n';
    const records = await read(streamOf(text));
    expect(records.map((r) => r.value)).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'é' }, { id: 3 }]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    const bytes = Buffer.from(text);
    for (const record of records) {
      expect(record.malformed).toBeUndefined();
      expect(record.rawEncoding).toBe('utf8');
      const raw = Buffer.from(record.raw);
      expect(bytes.subarray(record.offset, record.offset + raw.length).equals(raw)).toBe(true);
    }
    expect(records[2]?.offset).toBe(Buffer.byteLength('{"id":1,"name":"a"}\n{"id":2,"name":"é"}\n'));
  });

  it('reads a real file from disk', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 97) }));
    const path = await tempFile('real.ndjson', lines.join('\n') + '\n');
    const records = await read(createReadStream(path, { highWaterMark: 4096 }));
    expect(records).toHaveLength(5000);
    expect(records.every((r, i) => r.value?.i === i && r.line === i + 1)).toBe(true);
  });

  it('strips a BOM and CRLF line ends; keeps counting lines over blank and whitespace-only ones', async () => {
    const text = '\uFEFF{"a":1}\r\n\r\n   \t \n{"a":2}\r\n\n';
    const records = await read(streamOf(text));
    expect(records.map((r) => [r.line, r.raw])).toEqual([
      [1, '{"a":1}'],
      [4, '{"a":2}'],
    ]);
    expect(records[0]?.offset).toBe(3); // after the BOM bytes
    expect(records.length).toBe(nonBlankLines(text));
  });

  it('reads CR-only line ends (old Mac exports): every line is a record, with exact offsets', async () => {
    const text = '{"a":1}\r{"a":"é"}\r\r  \r{"a":3}';
    const records = await read(streamOf(text));
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [1, { a: 1 }],
      [2, { a: 'é' }],
      [5, { a: 3 }],
    ]);
    const bytes = Buffer.from(text);
    for (const r of records) expect(bytes.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString()).toBe(r.raw);
  });

  it('decides the line ends by the first one: after a LF (or CRLF) first, a lone CR is data', async () => {
    // CR is JSON whitespace: line 2 is one valid object, not two broken halves.
    const records = await read(streamOf('{"a":1}\r\n{"a":2,\r"b":3}\r\n'));
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [1, { a: 1 }],
      [2, { a: 2, b: 3 }],
    ]);
    // A file whose first line ends in a lone CR takes CR, LF and CRLF all as line ends.
    const mixed = await read(streamOf('{"a":1}\r{"a":2}\n{"a":3}\r\n{"a":4}\r'));
    expect(mixed.map((r) => [r.line, r.value?.['a']])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
  });

  it('reads a last line without a newline, and a truncated one as malformed', async () => {
    const records = await read(streamOf('{"a":1}\n{"a":2}'));
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    const truncated = await read(streamOf('{"a":1}\n{"a":2,"b":"unfini'));
    expect(truncated).toHaveLength(2);
    expect(truncated[1]?.malformed).toMatch(/events\.ndjson line 2 is not valid JSON/);
    expect(truncated[1]?.raw).toBe('{"a":2,"b":"unfini');
  });

  it('turns invalid UTF-8 into a malformed record holding the bytes as base64', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const input = Buffer.concat([Buffer.from('{"a":1}\n'), bad, Buffer.from('\n{"a":"\uFFFD is fine"}\n')]);
    const records = await read(streamOf(input));
    expect(records).toHaveLength(3);
    expect(records[1]?.rawEncoding).toBe('base64');
    expect(rawBytes(records[1]!).equals(bad)).toBe(true);
    expect(records[1]?.malformed).toMatch(/line 2 is not valid UTF-8/);
    // A literal U+FFFD in valid UTF-8 is data, not an encoding error.
    expect(records[2]?.value).toEqual({ a: '\uFFFD is fine' });
  });

  it('reports JSON syntax errors with the line and the parser message', async () => {
    const records = await read(streamOf('{"a":1}\n{"a": tru}\n{"a":3}\n'));
    expect(records.map((r) => r.malformed === undefined)).toEqual([true, false, true]);
    expect(records[1]?.malformed).toContain('events.ndjson line 2 is not valid JSON');
    expect(records[1]?.malformed).toContain('Unexpected token');
    expect(records[1]?.raw).toBe('{"a": tru}');
  });

  it('refuses values that are not objects', async () => {
    const text = '[1,2]\n42\n"text"\nnull\ntrue\n{"ok":1}\n';
    const records = await read(streamOf(text));
    expect(records).toHaveLength(6);
    for (const record of records.slice(0, 5)) expect(record.malformed).toMatch(/expected a JSON object per line/);
    expect(records[0]?.malformed).toMatch(/got an array/);
    expect(records[5]?.value).toEqual({ ok: 1 });
  });

  it('survives deeply nested JSON (100,000 levels) and reads the next line', async () => {
    const n = 100_000;
    const text = ['['.repeat(n), '['.repeat(n) + ']'.repeat(n), '{"a":'.repeat(n) + '1' + '}'.repeat(n), '{"after":true}'].join('\n');
    const records = await read(streamOf(text));
    expect(records).toHaveLength(4);
    expect(records[0]?.malformed).toMatch(/not valid JSON/);
    expect(records[1]?.malformed).toMatch(/expected a JSON object/);
    expect(records[2]?.malformed).toMatch(/nested more than 1000 levels/);
    expect(records[3]?.value).toEqual({ after: true });
  });

  it('makes a 10 MB line over a 1 MiB limit one malformed record with capped raw, then goes on', async () => {
    const limit = 1 << 20;
    const size = 10 * 1024 * 1024;
    const big = Buffer.alloc(size, 'x');
    big.write('{"big":"', 0);
    const input = Buffer.concat([Buffer.from('{"before":1}\n'), big, Buffer.from('\n{"after":2}\n')]);
    for (const chunkSize of [undefined, 65536, 1000]) {
      const records = await read(streamOf(input, chunkSize), limit);
      expect(records).toHaveLength(3);
      const malformed = records[1]!;
      expect(malformed.line).toBe(2);
      expect(malformed.offset).toBe(13);
      expect(Buffer.byteLength(malformed.raw)).toBe(MALFORMED_RAW_KEEP_BYTES);
      expect(malformed.raw.startsWith('{"big":"xxx')).toBe(true);
      expect(malformed.malformed).toContain('events.ndjson line 2');
      expect(malformed.malformed).toContain(`${size} bytes`);
      expect(malformed.malformed).toContain('raise max_line_bytes in agentic-etl.yaml or split the record');
      expect(records[2]?.value).toEqual({ after: 2 });
    }
  });

  it('does not hold an over-limit line in memory while it streams by', async () => {
    // One 256 KiB chunk yielded 800 times: a 200 MiB line. The source allocates nothing,
    // so memory growth is the reader's own.
    const chunk = Buffer.alloc(256 * 1024, 'y');
    const before = process.memoryUsage();
    let peak = 0;
    const records = [];
    for await (const record of ndjsonReader(repeated(chunk, 800, Buffer.from('\n{"next":1}')), options('huge.ndjson', 1 << 20))) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before.arrayBuffers);
      records.push(record);
    }
    expect(records).toHaveLength(2);
    expect(records[0]?.malformed).toContain(`${800 * 256 * 1024} bytes`);
    expect(records[1]?.value).toEqual({ next: 1 });
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  });

  it('yields nothing for an empty or blank file', async () => {
    expect(await read(streamOf(''))).toEqual([]);
    expect(await read(streamOf('\n\n  \r\n'))).toEqual([]);
    expect(await read(streamOf('\uFEFF'))).toEqual([]);
  });

  it('throws a transient source_read_failed when the source stream fails', async () => {
    const error = await read(failing(Buffer.from('{"a":1}\n'), new Error('connection reset'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AetlError);
    expect(error).toMatchObject({ code: 'source_read_failed', kind: 'transient' });
    expect((error as Error).message).toContain('events.ndjson');
    expect((error as Error).message).toContain('connection reset');
  });

  it('gives the same records however the stream is cut into chunks', async () => {
    const line = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.integer())).map((v) => JSON.stringify(v)),
      fc.constantFrom('', '   ', '[1]', '{bad', '{"a":"\u00e9\u4e2d\ud83d\ude00"}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean(), fc.array(fc.nat(2000), { maxLength: 12 }), async (lines, eol, bom, cuts) => {
        const text = (bom ? '\uFEFF' : '') + lines.join(eol);
        const bytes = Buffer.from(text);
        const whole = await read(streamOf(bytes), 64);
        const cut = await read(streamCutAt(bytes, cuts), 64);
        expect(cut).toEqual(whole);
        expect(whole.length).toBe(nonBlankLines(text, eol === '\r' ? '\r' : '\n'));
        for (const record of whole) {
          if (record.malformed?.includes('over the limit')) continue;
          const raw = rawBytes(record);
          expect(bytes.subarray(record.offset, record.offset + raw.length).equals(raw)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
