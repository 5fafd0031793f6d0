/**
 * Counts the records of one object's byte stream with the counter for its format:
 * gzip is undone by zlib (by the key's `.gz` or the magic bytes, as the readers decide),
 * UTF-16 is told by its BOM. A damaged gzip stream cannot be counted exactly — how much
 * of it the readers recovered depends on where zlib stopped for them — so it is reported
 * as `damaged`; a failing source stream throws (the caller reports it as unreadable).
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Format } from '../readers/reader.js';
import type { CountResult, Counter } from './counter.js';
import { csvCounter } from './csv-counter.js';
import { jsonCounter } from './json-counter.js';
import { lineCounter } from './line-counter.js';
import { textUnits, type TextUnitsState } from './text-units.js';

export interface RecountOptions {
  format: Format;
  /** The key says gzip (a stream starting with the gzip magic bytes is decompressed either way). */
  gzip: boolean;
  maxLineBytes: number;
}

export type StreamCount = { damaged: false; count: CountResult } | { damaged: true; reason: string };

export async function countStream(input: Readable, options: RecountOptions): Promise<StreamCount> {
  const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const first = await source.next();
    if (first.done === true) return { damaged: false, count: { records: 0, lineSum: 0n, lastLine: 0 } };
    const head = first.value;
    const magic = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const zip = magic || options.gzip ? { error: undefined as string | undefined } : undefined;
    const raw = (async function* () {
      yield head;
      for (let next = await source.next(); next.done !== true; next = await source.next()) yield next.value;
    })();
    const bytes = zip === undefined ? raw : gunzip(raw, zip);
    const state: TextUnitsState = { wide: false, bomDropped: false, oddByte: false };
    let counter: Counter | undefined;
    for await (const units of textUnits(bytes, state)) {
      counter ??= counterFor(options, state);
      counter.push(units);
      if (counter.settled) break; // nothing later can be compared: stop reading
    }
    if (zip?.error !== undefined) return { damaged: true, reason: zip.error };
    const count = (counter ?? counterFor(options, state)).finish();
    // The readers add one malformed record for a UTF-16 file's odd last byte, after the last record.
    if (state.oddByte && count.belowLine === undefined) {
      count.records += 1;
      count.lastLine += 1;
      count.lineSum += BigInt(count.lastLine);
    }
    return { damaged: false, count };
  } finally {
    await source.return?.();
    input.destroy();
  }
}

function counterFor(options: RecountOptions, state: TextUnitsState): Counter {
  switch (options.format) {
    case 'ndjson':
      return lineCounter();
    case 'csv':
      return csvCounter({ wide: state.wide, maxLineBytes: options.maxLineBytes });
    case 'json':
      return jsonCounter({ leadingBomBytes: !state.wide && !state.bomDropped });
    default:
      return assertNever(options.format);
  }
}

/** zlib's output; a zlib error ends it and is noted in `zip.error` (a source error is rethrown). */
async function* gunzip(compressed: AsyncIterable<Buffer>, zip: { error: string | undefined }): AsyncGenerator<Buffer> {
  const source = Readable.from(compressed);
  const inflate = createGunzip();
  let sourceError: unknown;
  source.on('error', (error) => {
    sourceError = error;
    inflate.destroy(error);
  });
  source.pipe(inflate);
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    if (sourceError !== undefined) throw sourceError;
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('Z_')) throw error;
    zip.error = (error as Error).message;
  } finally {
    source.destroy();
    inflate.destroy();
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown format ${String(value)}`);
}
