/**
 * NDJSON / JSON Lines: one JSON object per line. The hot path of every benchmark, so a
 * line costs one `toString`, one `JSON.parse` and one record object; everything unusual
 * (invalid UTF-8, over-limit lines, deep nesting, numbers a double cannot carry — see
 * exact-json.ts) is checked only when a cheap test says it may be present.
 *
 * Blank and whitespace-only lines are skipped but still counted, so `line` is always the
 * line number an editor shows. A UTF-8 BOM at the start is dropped; lines end at `\n` or
 * `\r\n`, or also at a lone `\r` when the first line ends so (see _line-cursor.ts).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { readChunks } from './_chunks.js';
import { exactValue } from './exact-json.js';
import { LineCursor } from './_line-cursor.js';
import { exceedsJsonDepth, invalidUtf8Message, isBlank, keptPrefix, overLimitMessage, rawOfBytes, tooDeepMessage } from './_raw.js';
import type { ReadRecord, Reader, ReaderOptions } from './reader.js';

const REPLACEMENT_CHARACTER = '\uFFFD';
/** The fix for a line that is not a JSON object: there is nothing to repair on our side. */
const FIX = 'fix the producer or re-export the file';

export const ndjsonReader: Reader = (input, options) => readNdjson(input, options);

async function* readNdjson(input: Readable, options: ReaderOptions): AsyncGenerator<ReadRecord> {
  const lines = new LineCursor(options.maxLineBytes);
  for await (const chunk of readChunks(input, options.file)) {
    lines.push(chunk);
    // Fast path: an all-ASCII chunk is decoded once (latin1 is byte = char, so byte
    // offsets index the string) and each line is a cheap slice of it.
    const text = isAscii(chunk) ? chunk.toString('latin1') : undefined;
    while (lines.next()) {
      const record = recordOf(lines, text !== undefined && lines.buf === chunk ? text : undefined, options);
      if (record !== undefined) yield record;
    }
  }
  lines.finish();
  while (lines.next()) {
    const record = recordOf(lines, undefined, options);
    if (record !== undefined) yield record;
  }
}

/**
 * The record for the cursor's current line; undefined for a blank line. `asciiText` is the
 * decoded chunk when the line lies in an all-ASCII chunk.
 */
function recordOf(lines: LineCursor, asciiText: string | undefined, options: ReaderOptions): ReadRecord | undefined {
  const { buf, start, end, line, offset } = lines;
  // Most lines start with `{`: test one byte before scanning for blankness.
  if (buf[start] !== 0x7b && isBlank(buf, start, end)) return undefined;
  if (lines.overLimit) {
    const prefix = keptPrefix(buf.subarray(start, end));
    return { line, offset, ...rawOfBytes(prefix), malformed: overLimitMessage(options.file, `line ${line}`, lines.size, options.maxLineBytes) };
  }
  if (asciiText !== undefined) return parseLine(asciiText.slice(start, end), line, offset, options.file, lines);
  const raw = buf.toString('utf8', start, end);
  // Invalid UTF-8 always decodes to U+FFFD, so the exact check runs only when one appears.
  if (raw.includes(REPLACEMENT_CHARACTER) && !isUtf8(buf.subarray(start, end))) {
    return { line, offset, raw: buf.toString('base64', start, end), rawEncoding: 'base64', malformed: invalidUtf8Message(options.file, `line ${line}`, options.encoding) };
  }
  return parseLine(raw, line, offset, options.file, lines);
}

/** `bytes`: where the line's bytes are, for the cheap scan of its numbers. */
function parseLine(raw: string, line: number, offset: number, file: string, bytes: LineCursor): ReadRecord {
  let value: unknown;
  try {
    value = exactValue(raw, JSON.parse(raw), bytes.buf, bytes.start, bytes.end);
  } catch (error) {
    // SyntaxError for bad JSON; RangeError if an engine runs out of stack on deep nesting.
    const reason = error instanceof Error ? error.message : String(error);
    return { line, offset, raw, rawEncoding: 'utf8', malformed: `${file} line ${line} is not valid JSON: ${reason}; ${FIX}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { line, offset, raw, rawEncoding: 'utf8', malformed: `${file} line ${line}: expected a JSON object per line, got ${got}; ${FIX}` };
  }
  if (exceedsJsonDepth(raw)) {
    return { line, offset, raw, rawEncoding: 'utf8', malformed: tooDeepMessage(file, `line ${line}`) };
  }
  return { line, offset, raw, rawEncoding: 'utf8', value: value as Record<string, unknown> };
}
