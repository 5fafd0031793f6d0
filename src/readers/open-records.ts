/**
 * The entry point of the readers: picks the reader for a format, decompresses gzip, and
 * tells formats apart by file extension (and gzip by its magic bytes).
 */
import { Readable } from 'node:stream';
import { readChunks } from './_chunks.js';
import { gunzipKeepingErrors, type GunzipState } from './_gunzip.js';
import { csvReader } from './csv.js';
import { jsonReader } from './json.js';
import { ndjsonReader } from './ndjson.js';
import { utf16Bom, utf16ToUtf8, type Utf16Order, type Utf16State } from './_utf16.js';
import type { Format, FormatSetting, ReadRecord, Reader, ReaderOptions } from './reader.js';
import { AetlError, errorMessage } from '../util/errors.js';

export interface OpenRecordsOptions extends ReaderOptions {
  format: Format;
  /** The key says gzip; a stream starting with the gzip magic bytes is decompressed either way. */
  gzip: boolean;
}

export function readerFor(format: Format): Reader {
  switch (format) {
    case 'ndjson':
      return ndjsonReader;
    case 'json':
      return jsonReader;
    case 'csv':
      return csvReader;
    default:
      return assertNever(format);
  }
}

const EXTENSIONS: Record<string, Format> = { ndjson: 'ndjson', jsonl: 'ndjson', json: 'json', csv: 'csv' };

/**
 * The format of an object from its key (`.ndjson`, `.jsonl`, `.json`, `.csv`, each
 * optionally `.gz`), unless the setting names one. Throws `format_unknown` otherwise.
 */
export function detectFormat(key: string, setting: FormatSetting): { format: Format; gzip: boolean } {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const gzip = name.endsWith('.gz');
  if (setting !== 'auto') return { format: setting, gzip };
  const base = gzip ? name.slice(0, -3) : name;
  const dot = base.lastIndexOf('.');
  const format = dot === -1 ? undefined : EXTENSIONS[base.slice(dot + 1)];
  if (format === undefined) {
    throw new AetlError('format_unknown', `cannot tell the format of ${key} from its name`, {
      hint: 'name it .ndjson, .jsonl, .json or .csv (optionally .gz), or set `format:` in agentic-etl.yaml',
    });
  }
  return { format, gzip };
}

/**
 * The records of one object. A corrupt or truncated gzip stream does not throw: the
 * records decoded before the damage are yielded, then one malformed record. UTF-16 text
 * (by its BOM, after decompression) is decoded to UTF-8 first; an odd last byte then adds
 * one malformed record. A failing source stream throws `source_read_failed` (transient).
 */
export async function* readRecords(input: Readable, options: OpenRecordsOptions): AsyncGenerator<ReadRecord> {
  const { file, maxLineBytes } = options;
  const reader = readerFor(options.format);
  const chunks = readChunks(input, file);
  const first = await chunks.next();
  if (first.done === true) return; // an empty object holds no records
  const head = first.value;
  const magic = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  let bytes: AsyncIterable<Buffer> = prepend([head], chunks);
  let gunzip: GunzipState | undefined;
  if (magic || options.gzip) {
    gunzip = { error: undefined, bytesOut: 0 };
    bytes = gunzipKeepingErrors(Readable.from(bytes), gunzip);
  }
  const text = await decodeByBom(bytes);
  let lastLine = 0;
  for await (const record of reader(Readable.from(text.bytes), { file, maxLineBytes, encoding: text.order })) {
    lastLine = record.line;
    yield record;
  }
  if (gunzip?.error !== undefined) {
    yield {
      line: lastLine + 1,
      offset: text.state?.bytesOut ?? gunzip.bytesOut,
      raw: '',
      rawEncoding: 'utf8',
      malformed:
        `${file} is not a valid gzip stream from line ${lastLine + 1} on (${errorMessage(gunzip.error)} after ${gunzip.bytesOut} decompressed bytes; ` +
        `the ${lastLine} line(s) before were read, the rest is only in the source file): re-upload or remove the file`,
    };
  } else if (text.state?.oddByte !== undefined) {
    const byte = text.state.oddByte;
    yield {
      line: lastLine + 1,
      offset: text.state.bytesOut,
      raw: Buffer.from([byte]).toString('base64'),
      rawEncoding: 'base64',
      malformed:
        `${file} ends with one byte (0x${byte.toString(16).padStart(2, '0')}) after its last whole UTF-16 character, so it looks cut short ` +
        `(raw holds that byte): re-upload the complete file`,
    };
  }
}

/** The stream as UTF-8: UTF-16 (by its BOM) is transcoded, anything else passed on as is. */
async function decodeByBom(bytes: AsyncIterable<Buffer>): Promise<{ bytes: AsyncIterable<Buffer>; order?: Utf16Order; state?: Utf16State }> {
  // A BOM is two bytes: gather them even if the first chunk is a single byte.
  const iterator = bytes[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    head.push(next.value);
    size += next.value.length;
  }
  const all = prepend(head, iterator);
  const order = utf16Bom(head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head));
  if (order === undefined) return { bytes: all };
  const state: Utf16State = { oddByte: undefined, bytesOut: 0 };
  return { bytes: utf16ToUtf8(all, order, state), order, state };
}

async function* prepend(head: readonly Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
  } finally {
    // Early exit by the consumer: close the source as for-await would.
    await rest.return?.(undefined);
  }
}

function assertNever(value: never): never {
  throw new AetlError('internal', `unknown format ${String(value)}`);
}
