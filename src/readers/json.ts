/**
 * JSON files: a top-level array of objects, streamed element by element, or a single
 * top-level object (one record). `line` is the 1-based element index and `offset` the
 * element's first byte.
 *
 * `raw` is the element's exact source text (the framer tracks byte offsets; see
 * _json-framer.ts for why stream-json is not used). An element over `maxLineBytes` is a
 * malformed record, like an over-limit NDJSON line. A syntax error between elements, or a
 * file cut short, ends the framing: the elements before it are records and the rest of
 * the file becomes one malformed record. A syntax error inside a well-framed element
 * makes only that element malformed: the next elements are still read.
 * An empty (or whitespace-only) file holds zero records.
 */
import type { Readable } from 'node:stream';
import { readChunks } from './_chunks.js';
import { exactValue } from './exact-json.js';
import { JsonFramer, type JsonPiece } from './_json-framer.js';
import { invalidUtf8Message, keptPrefix, overLimitMessage, rawOfBytes, tooDeepMessage } from './_raw.js';
import { MALFORMED_RAW_KEEP_BYTES, type ReadRecord, type Reader, type ReaderOptions } from './reader.js';

/** The fix for an element that is not a JSON object: there is nothing to repair on our side. */
const FIX = 'fix the producer or re-export the file';

export const jsonReader: Reader = (input, options) => readJson(input, options);

async function* readJson(input: Readable, options: ReaderOptions): AsyncGenerator<ReadRecord> {
  const framer = new JsonFramer(options.maxLineBytes);
  for await (const chunk of readChunks(input, options.file)) {
    for (const piece of framer.push(chunk)) yield recordOf(piece, options);
  }
  for (const piece of framer.finish()) yield recordOf(piece, options);
}

function recordOf(piece: JsonPiece, options: ReaderOptions): ReadRecord {
  const { file, maxLineBytes } = options;
  const { index: line, offset } = piece;
  const what = `element ${line} (byte ${offset})`;
  if (piece.kind === 'remainder') {
    const reason = piece.reason ?? 'syntax error';
    return {
      line,
      offset,
      ...rawOfBytes(keptPrefix(piece.bytes)),
      malformed:
        `${file} is not valid JSON at byte ${offset}: ${reason}. The elements before it were read; ` +
        `this record holds the rest of the file (${piece.size} bytes, at most ${MALFORMED_RAW_KEEP_BYTES} kept in raw): ` +
        'fix or re-export the file and upload it again',
    };
  }
  if (piece.size > maxLineBytes) {
    return { line, offset, ...rawOfBytes(keptPrefix(piece.bytes)), malformed: overLimitMessage(file, what, piece.size, maxLineBytes) };
  }
  const { raw, rawEncoding } = rawOfBytes(piece.bytes);
  if (rawEncoding === 'base64') return { line, offset, raw, rawEncoding, malformed: invalidUtf8Message(file, what, options.encoding) };
  if (piece.tooDeep) return { line, offset, raw, rawEncoding, malformed: tooDeepMessage(file, what) };
  let value: unknown;
  try {
    value = exactValue(raw, JSON.parse(raw), piece.bytes);
  } catch (error) {
    // SyntaxError for bad JSON; RangeError if an engine runs out of stack on deep nesting.
    const reason = error instanceof Error ? error.message : String(error);
    return { line, offset, raw, rawEncoding, malformed: `${file} ${what} is not valid JSON: ${reason}; ${FIX}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { line, offset, raw, rawEncoding, malformed: `${file} ${what}: expected a JSON object per element, got ${got}; ${FIX}` };
  }
  return { line, offset, raw, rawEncoding, value: value as Record<string, unknown> };
}
