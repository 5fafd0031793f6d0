/**
 * The recount agrees with the readers: for arbitrary files — mixed line ends, BOMs, UTF-16,
 * gzip, blank lines, quotes of every kind, invalid bytes, lines over the limit, broken
 * JSON — the independent count equals the records the readers yield (in the part the
 * recount vouches for), however the stream is cut into chunks.
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../src/readers/open-records.js';
import type { Format } from '../../src/readers/reader.js';
import { countStream } from '../../src/recount/recount-stream.js';
import { isAetlError } from '../../src/util/errors.js';
import { streamCutAt } from '../readers/_helpers.js';
import { TLC_DIR } from '../helpers/realdata.js';

const LIMIT = 64;
/** Stands for text that is not valid: bytes FF FE in UTF-8, an unpaired surrogate in UTF-16. */
const INVALID = '\u0001INVALID\u0001';

type Encoding = 'utf8' | 'utf8bom' | 'utf16le' | 'utf16be';

function encode(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf16le' || encoding === 'utf16be') {
    const le = Buffer.from('\uFEFF' + text.split(INVALID).join('\uDC00'), 'utf16le');
    return encoding === 'utf16le' ? le : Buffer.from(le).swap16();
  }
  const parts = text.split(INVALID).flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [Buffer.from([0xff, 0xfe]), Buffer.from(part)]));
  return Buffer.concat([Buffer.from(encoding === 'utf8bom' ? [0xef, 0xbb, 0xbf] : []), ...parts]);
}

interface Tally {
  records: number;
  lineSum: bigint;
}

/** What the readers yield, in the part below `belowLine`; undefined when they refuse the file. */
async function readerTally(bytes: Buffer, format: Format, gzip: boolean, cuts: number[], belowLine?: number): Promise<Tally | undefined> {
  const tally = { records: 0, lineSum: 0n };
  try {
    for await (const record of readRecords(streamCutAt(bytes, cuts), { file: 'f', maxLineBytes: LIMIT, format, gzip })) {
      if (belowLine !== undefined && record.line >= belowLine) continue;
      tally.records++;
      tally.lineSum += BigInt(record.line);
    }
  } catch (error) {
    if (isAetlError(error) && error.code === 'csv_header_invalid') return undefined;
    throw error;
  }
  return tally;
}

async function expectAgreement(text: string, format: Format, encoding: Encoding, gzip: boolean, cuts: number[]): Promise<void> {
  const plain = encode(text, encoding);
  const bytes = gzip ? gzipSync(plain) : plain;
  const recount = await countStream(streamCutAt(bytes, cuts), { format, gzip, maxLineBytes: LIMIT });
  expect(recount.damaged).toBe(false);
  if (recount.damaged) return;
  const { count } = recount;
  const expected = await readerTally(bytes, format, gzip, [], count.belowLine);
  if (expected === undefined) return; // a refused CSV header: such a file is never loaded
  expect({ records: count.records, lineSum: count.lineSum }, `${JSON.stringify(text)} as ${encoding}${gzip ? '.gz' : ''}`).toEqual(expected);
}

const encodingArb = fc.constantFrom<Encoding>('utf8', 'utf8bom', 'utf16le', 'utf16be');
const eolArb = fc.constantFrom('\n', '\r\n', '\r');
const cutsArb = fc.array(fc.nat(300), { maxLength: 6 });

/** Lines joined by line ends of their own (mixed, or all one kind), the last maybe without one. */
function joined(lines: string[], eols: string[], lastEnds: boolean): string {
  return lines.map((line, i) => line + (i < lines.length - 1 || lastEnds ? (eols[i % eols.length] as string) : '')).join('');
}

describe('the recount agrees with the readers', () => {
  it('on NDJSON', async () => {
    const line = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.integer())).map((v) => JSON.stringify(v)),
      fc.constantFrom('', '   ', '\t', ' \r ', '{bad', '{"a":1,\r"b":2}', `{"a":"${INVALID}"}`, `{"long":"${'x'.repeat(LIMIT)}"}`, '{"a":"\u00e9\u4e2d\ud83d\ude00"}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.array(eolArb, { minLength: 1, maxLength: 3 }), fc.boolean(), encodingArb, fc.boolean(), cutsArb, async (lines, eols, lastEnds, encoding, gzip, cuts) =>
        expectAgreement(joined(lines, eols, lastEnds), 'ndjson', encoding, gzip, cuts),
      ),
      { numRuns: 200 },
    );
  });

  it('on CSV', async () => {
    const field = fc.oneof(
      fc.constantFrom('', 'a', ' ', '1', 'é中', '"q"', 'x"y', '"', '""', '"open', ' "a"', '"a"b', '"a" ', `"${INVALID}"`, INVALID, 'y'.repeat(LIMIT)),
      fc.constantFrom('x,y', 'two\nlines', 'cr\rhere', 'crlf\r\nhere', 'say "hi"', '\n', ' \r\n ', 'z'.repeat(LIMIT / 2) + '\n' + 'z'.repeat(LIMIT / 2)).map((v) => `"${v.replace(/"/g, '""')}"`),
    );
    const row = fc.oneof({ weight: 5, arbitrary: fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => fields.join(',')) }, { weight: 1, arbitrary: fc.constantFrom('', '  ', '\t') });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 10 }), fc.array(eolArb, { minLength: 1, maxLength: 3 }), fc.boolean(), encodingArb, fc.boolean(), cutsArb, async (rows, eols, lastEnds, encoding, gzip, cuts) =>
        expectAgreement(joined(['id,name', ...rows], eols, lastEnds), 'csv', encoding, gzip, cuts),
      ),
      { numRuns: 400 },
    );
  });

  it('on CSV whose header itself holds quotes and line ends', async () => {
    const header = fc.constantFrom('"x\ny",b', '"x\ry",b', '"x\r\ny",b', 'a,"b"c', ' "a\nb",c', '"a""\nb",c');
    const row = fc.constantFrom('1,2', '"3\n4",5', '"6\r7",8', '', '9');
    await fc.assert(
      fc.asyncProperty(header, fc.array(row, { maxLength: 5 }), fc.array(eolArb, { minLength: 1, maxLength: 2 }), encodingArb, cutsArb, async (head, rows, eols, encoding, cuts) =>
        expectAgreement(joined([head, ...rows], eols, true), 'csv', encoding, false, cuts),
      ),
      { numRuns: 150 },
    );
  });

  it('on JSON arrays, whole or broken', async () => {
    const element = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant([1, [2]]))).map((v) => JSON.stringify(v)),
      fc.constantFrom('1', '"s\\"t"', 'true', '[]', '{"a":"]"}', '{"a":oops}', `{"a":"${INVALID}"}`, `{"long":"${'x'.repeat(LIMIT)}"}`),
    );
    const gap = fc.constantFrom('', ' ', '\n', '\r\n ');
    const damage = fc.constantFrom('', 'cut', 'junk', 'after');
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 8 }), gap, damage, fc.nat(), encodingArb, fc.boolean(), cutsArb, async (elements, space, harm, at, encoding, gzip, cuts) => {
        let text = `[${space}${elements.join(`,${space}`)}${space}]`;
        if (harm === 'cut') text = text.slice(0, at % (text.length + 1));
        if (harm === 'junk') text = text.replace(/,/, ` junk `);
        if (harm === 'after') text += ' {"x":1}';
        await expectAgreement(text, 'json', encoding, gzip, cuts);
      }),
      { numRuns: 400 },
    );
  });

  it.each(readdirSync(TLC_DIR).filter((name) => name.endsWith('.csv')))('on the real TLC head %s', async (name) => {
    const path = join(TLC_DIR, name);
    const recount = await countStream(createReadStream(path, { highWaterMark: 101 }), { format: 'csv', gzip: false, maxLineBytes: 1 << 20 });
    const records = [];
    for await (const record of readRecords(createReadStream(path), { file: name, maxLineBytes: 1 << 20, format: 'csv', gzip: false })) records.push(record.line);
    expect(records.length).toBeGreaterThan(5);
    expect(recount).toEqual({ damaged: false, count: { records: records.length, lineSum: BigInt(records.reduce((a, b) => a + b, 0)), lastLine: records.at(-1) } });
  });

  it('on a single top-level JSON object, and odd last bytes of UTF-16', async () => {
    await expectAgreement('{"a":[1,2]}', 'json', 'utf8', false, []);
    for (const format of ['ndjson', 'csv', 'json'] as const) {
      const text = format === 'csv' ? 'id\n1\n2\n' : format === 'json' ? '[{"a":1},{"a":2}]' : '{"a":1}\n{"a":2}\n';
      const bytes = Buffer.concat([encode(text, 'utf16le'), Buffer.from([0x41])]);
      const recount = await countStream(Readable.from([bytes]), { format, gzip: false, maxLineBytes: LIMIT });
      expect(recount).toMatchObject({ damaged: false, count: { records: 3, lastLine: format === 'csv' ? 4 : 3 } });
      expect((await readerTally(bytes, format, false, []))?.records).toBe(3);
    }
  });
});
