/** Shared helpers for the reader tests: collecting records and making inputs. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES, type ReadRecord, type ReaderOptions } from '../../src/readers/reader.js';

export async function collect(records: AsyncIterable<ReadRecord>): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** A stream of `bytes` cut into chunks of `size` bytes (a whole-buffer stream when omitted). */
export function streamOf(bytes: Buffer | string, size?: number): Readable {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (size === undefined) return Readable.from([buf]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}

/** A stream of `bytes` cut at the given positions. */
export function streamCutAt(buf: Buffer, cuts: number[]): Readable {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), buf.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, buf.length]) {
    if (point > from) chunks.push(buf.subarray(from, point));
    from = point;
  }
  return Readable.from(chunks);
}

export function options(file = 'test-file', maxLineBytes = DEFAULT_MAX_LINE_BYTES): ReaderOptions {
  return { file, maxLineBytes };
}

export async function tempFile(name: string, content: Buffer | string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aetl-readers-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The bytes a record's raw text stands for. */
export function rawBytes(record: ReadRecord): Buffer {
  return Buffer.from(record.raw, record.rawEncoding === 'base64' ? 'base64' : 'utf8');
}

/** Count of lines holding something other than spaces, tabs and `\r` (lines end at `eol`). */
export function nonBlankLines(text: string, eol: '\n' | '\r' = '\n'): number {
  return text.split(eol).filter((line) => line.replace(/^\uFEFF/, '').trim() !== '').length;
}

/** A readable that yields `count` copies of `chunk` lazily (memory tests). */
export function repeated(chunk: Buffer, count: number, tail?: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < count; i++) yield chunk;
      if (tail !== undefined) yield tail;
    })(),
  );
}

/** A readable that yields `before`, then fails with `error` (a broken source). */
export function failing(before: Buffer, error: Error): Readable {
  return Readable.from(
    (async function* () {
      yield before;
      throw error;
    })(),
  );
}

/** `text` as UTF-16 with its BOM, in the given byte order. */
export function utf16(text: string, order: 'utf16le' | 'utf16be'): Buffer {
  const le = Buffer.from('\uFEFF' + text, 'utf16le');
  return order === 'utf16le' ? le : Buffer.from(le).swap16();
}
