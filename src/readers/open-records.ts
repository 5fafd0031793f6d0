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
 * records decoded before the damage are yielded, then one malformed record. A failing
 * source stream throws `source_read_failed` (transient).
 */
export async function* readRecords(input: Readable, options: OpenRecordsOptions): AsyncGenerator<ReadRecord> {
  const { file, maxLineBytes } = options;
  const reader = readerFor(options.format);
  const chunks = readChunks(input, file);
  const first = await chunks.next();
  if (first.done === true) return; // an empty object holds no records
  const head = first.value;
  const magic = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const raw = Readable.from(prepend(head, chunks));
  if (!magic && !options.gzip) {
    yield* reader(raw, { file, maxLineBytes });
    return;
  }
  const state: GunzipState = { error: undefined, bytesOut: 0 };
  let lastLine = 0;
  for await (const record of reader(gunzipKeepingErrors(raw, state), { file, maxLineBytes })) {
    lastLine = record.line;
    yield record;
  }
  if (state.error !== undefined) {
    yield {
      line: lastLine + 1,
      offset: state.bytesOut,
      raw: '',
      rawEncoding: 'utf8',
      malformed:
        `${file} is not a valid gzip stream from line ${lastLine + 1} on (${errorMessage(state.error)} after ${state.bytesOut} decompressed bytes; ` +
        `the ${lastLine} line(s) before were read, the rest is only in the source file): re-upload or remove the file`,
    };
  }
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
  } finally {
    // Early exit by the consumer: close the source as for-await would.
    await rest.return?.(undefined);
  }
}

function assertNever(value: never): never {
  throw new AetlError('internal', `unknown format ${String(value)}`);
}
