import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonReader } from '../../src/readers/json.js';
import { MALFORMED_RAW_KEEP_BYTES, type ReadRecord } from '../../src/readers/reader.js';
import { AetlError } from '../../src/util/errors.js';
import { collect, failing, options, rawBytes, streamCutAt, streamOf } from './_helpers.js';

const read = (input: Parameters<typeof jsonReader>[0], maxLineBytes?: number) => collect(jsonReader(input, options('batch.json', maxLineBytes)));

/** Every record's raw text is the exact source bytes at its offset. */
function expectRawAtOffsets(bytes: Buffer, records: ReadRecord[]): void {
  for (const record of records) {
    const raw = rawBytes(record);
    expect(bytes.subarray(record.offset, record.offset + raw.length).equals(raw)).toBe(true);
  }
}

describe('jsonReader', () => {
  it('streams the objects of a top-level array with element index, offset and exact source text', async () => {
    const text = '[\n  {"id": 1, "tags": ["a", "]"]},\n  {"id": 2, "s": "quote \\" and brace }"},\n  {"id":3}\n]\n';
    const records = await read(streamOf(text));
    expect(records.map((r) => r.value)).toEqual([{ id: 1, tags: ['a', ']'] }, { id: 2, s: 'quote " and brace }' }, { id: 3 }]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(records[0]?.raw).toBe('{"id": 1, "tags": ["a", "]"]}');
    expectRawAtOffsets(Buffer.from(text), records);
  });

  it('reads a single top-level object as one record', async () => {
    const records = await read(streamOf('\uFEFF  {"a": {"b": [1, 2]}}\r\n'));
    expect(records).toEqual([{ line: 1, offset: 5, raw: '{"a": {"b": [1, 2]}}', rawEncoding: 'utf8', value: { a: { b: [1, 2] } } }]);
  });

  it('yields nothing for an empty file, a blank file or an empty array', async () => {
    expect(await read(streamOf(''))).toEqual([]);
    expect(await read(streamOf(' \n\t'))).toEqual([]);
    expect(await read(streamOf('[ ]'))).toEqual([]);
  });

  it('makes an element that is not an object malformed and goes on', async () => {
    const records = await read(streamOf('[{"a":1}, 2, "x", null, [3], {"a":6}]'));
    expect(records).toHaveLength(6);
    expect(records.map((r) => r.malformed === undefined)).toEqual([true, false, false, false, false, true]);
    expect(records[1]?.malformed).toMatch(/element 2 .*expected a JSON object per element, got a number/);
    expect(records[1]?.raw).toBe('2');
    expect(records[5]?.value).toEqual({ a: 6 });
  });

  it('isolates a syntax error inside a well-framed element', async () => {
    const records = await read(streamOf('[{"a":1},{"a": tru},{"a":3}]'));
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(records[1]?.malformed).toMatch(/element 2 \(byte 9\) is not valid JSON: Unexpected token/);
    expect(records[2]?.value).toEqual({ a: 3 });
  });

  it('turns the rest of the file into one malformed record after a framing error', async () => {
    const text = '[{"a":1},{"a":2} {"a":3},{"a":4}]';
    const records = await read(streamOf(text));
    expect(records).toHaveLength(3);
    expect(records.slice(0, 2).map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    const rest = records[2]!;
    expect(rest.line).toBe(3);
    expect(rest.offset).toBe(17);
    expect(rest.raw).toBe('{"a":3},{"a":4}]');
    expect(rest.malformed).toMatch(/batch\.json is not valid JSON at byte 17: expected ',' or ']' after element 2/);
  });

  it('reports a file cut short, inside an element or between elements', async () => {
    const inside = await read(streamOf('[{"a":1},{"a":"unfinished'));
    expect(inside).toHaveLength(2);
    expect(inside[1]?.raw).toBe('{"a":"unfinished');
    expect(inside[1]?.malformed).toMatch(/ends inside element 2/);
    const between = await read(streamOf('[{"a":1},\n'));
    expect(between).toHaveLength(2);
    expect(between[1]).toMatchObject({ line: 2, raw: '' });
    expect(between[1]?.malformed).toMatch(/looks truncated/);
  });

  it('names the fix when the file holds several top-level values (NDJSON saved as .json)', async () => {
    const records = await read(streamOf('{"a":1}\n{"a":2}\n'));
    expect(records).toHaveLength(2);
    expect(records[0]?.value).toEqual({ a: 1 });
    expect(records[1]?.raw).toBe('{"a":2}\n');
    expect(records[1]?.malformed).toMatch(/unexpected content after the end of the top-level value/);
    const scalar = await read(streamOf('42'));
    expect(scalar).toHaveLength(1);
    expect(scalar[0]?.malformed).toMatch(/expected a JSON array of objects or a single object/);
  });

  it('survives 100,000 levels of nesting', async () => {
    const n = 100_000;
    const open = await read(streamOf('['.repeat(n)));
    expect(open).toHaveLength(1);
    expect(open[0]?.malformed).toMatch(/ends inside element 1/);
    expect(Buffer.byteLength(open[0]!.raw)).toBeLessThanOrEqual(MALFORMED_RAW_KEEP_BYTES);
    const closed = await read(streamOf('[' + '{"a":'.repeat(n) + '1' + '}'.repeat(n) + ',{"after":1}]'));
    expect(closed).toHaveLength(2);
    expect(closed[0]?.malformed).toMatch(/nested more than 1000 levels/);
    expect(closed[1]?.value).toEqual({ after: 1 });
  });

  it('turns invalid UTF-8 in an element into base64 raw', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const records = await read(streamOf(Buffer.concat([Buffer.from('[{"ok":1},'), bad, Buffer.from(']')])));
    expect(records).toHaveLength(2);
    expect(records[1]?.rawEncoding).toBe('base64');
    expect(rawBytes(records[1]!).equals(bad)).toBe(true);
    expect(records[1]?.malformed).toMatch(/not valid UTF-8/);
  });

  it('caps an element over the limit and reads the next one, without holding it', async () => {
    // `{"big":"` + 100 MiB of one reused chunk + `"}`: the source allocates nothing, so
    // memory growth is the reader's own.
    const chunk = Buffer.alloc(256 * 1024, 'z');
    const input = Readable.from(
      (function* () {
        yield Buffer.from('[{"big":"');
        for (let i = 0; i < 400; i++) yield chunk;
        yield Buffer.from('"},{"next":1}]');
      })(),
    );
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const records: ReadRecord[] = [];
    for await (const record of jsonReader(input, options('big.json', 1 << 20))) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      records.push(record);
    }
    expect(records).toHaveLength(2);
    expect(records[0]?.malformed).toContain(`${400 * 256 * 1024 + 10} bytes, over the limit of 1048576`);
    expect(Buffer.byteLength(records[0]!.raw)).toBe(MALFORMED_RAW_KEEP_BYTES);
    expect(records[1]?.value).toEqual({ next: 1 });
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  });

  it('throws a transient source_read_failed when the source fails', async () => {
    const error = await read(failing(Buffer.from('[{"a":1},'), new Error('socket hang up'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AetlError);
    expect(error).toMatchObject({ code: 'source_read_failed', kind: 'transient' });
  });

  it('gives the same records however the stream is cut, and accounts for every element', async () => {
    const element = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })).map((v) => JSON.stringify(v, null, 1)),
      fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('{"a": tru}', '{"s":"\\\\"}', '{"s":"]}\\""}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 20 }), fc.array(fc.nat(3000), { maxLength: 10 }), async (elements, cuts) => {
        const text = '[' + elements.join(',\n') + ']';
        const bytes = Buffer.from(text);
        const whole = await read(streamOf(bytes), 200);
        expect(await read(streamCutAt(bytes, cuts), 200)).toEqual(whole);
        expect(whole).toHaveLength(elements.length);
        expect(whole.map((r) => r.line)).toEqual(elements.map((_, i) => i + 1));
        expectRawAtOffsets(bytes, whole.filter((r) => !r.malformed?.includes('over the limit')));
      }),
      { numRuns: 300 },
    );
  });
});
