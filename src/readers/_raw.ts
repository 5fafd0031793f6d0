/**
 * Shared pieces of malformed records: how raw bytes become `raw` text, and the messages
 * that name the fix. Kept in one place so the three readers word the same problem alike.
 */
import { isUtf8 } from 'node:buffer';
import { MALFORMED_RAW_KEEP_BYTES, type ReadRecord } from './reader.js';

/** Nesting deeper than this is refused: downstream code (JSON.stringify, typing) recurses. */
export const MAX_JSON_DEPTH = 1000;

/** `raw` and `rawEncoding` for bytes: text when they are valid UTF-8, else base64. */
export function rawOfBytes(bytes: Buffer): Pick<ReadRecord, 'raw' | 'rawEncoding'> {
  return isUtf8(bytes)
    ? { raw: bytes.toString('utf8'), rawEncoding: 'utf8' }
    : { raw: bytes.toString('base64'), rawEncoding: 'base64' };
}

/**
 * The first `MALFORMED_RAW_KEEP_BYTES` of `bytes`, cut back to a character boundary so a
 * multi-byte character split by the cut does not turn valid text into base64.
 */
export function keptPrefix(bytes: Buffer): Buffer {
  if (bytes.length <= MALFORMED_RAW_KEEP_BYTES) return bytes;
  let cut = MALFORMED_RAW_KEEP_BYTES;
  // Step back over UTF-8 continuation bytes (10xxxxxx) to the start of the split character.
  while (cut > MALFORMED_RAW_KEEP_BYTES - 4 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut);
}

export function overLimitMessage(file: string, what: string, size: number, limit: number): string {
  return (
    `${file} ${what} is ${size} bytes, over the limit of ${limit} bytes (max_line_bytes); ` +
    `only the first ${MALFORMED_RAW_KEEP_BYTES} bytes are kept in raw: ` +
    'raise max_line_bytes in agentic-etl.yaml or split the record'
  );
}

/** `encoding`: the file was UTF-16, transcoded to UTF-8 (where only an unpaired surrogate can be invalid). */
export function invalidUtf8Message(file: string, what: string, encoding?: 'utf16le' | 'utf16be'): string {
  if (encoding !== undefined) {
    return (
      `${file} ${what} is not valid UTF-16: it holds an unpaired surrogate, kept in raw ` +
      '(base64 of the text as UTF-8, the surrogate in its 3-byte WTF-8 form): re-export the file'
    );
  }
  return `${file} ${what} is not valid UTF-8 (raw holds its bytes as base64): re-export the file as UTF-8`;
}

export function tooDeepMessage(file: string, what: string): string {
  return (
    `${file} ${what} is nested more than ${MAX_JSON_DEPTH} levels deep: ` +
    'flatten the record or store the deep part as a string'
  );
}

/** True when the bytes hold only spaces, tabs and carriage returns. */
export function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

/**
 * Whether JSON text nests arrays/objects deeper than MAX_JSON_DEPTH. Text shorter than the
 * limit cannot, so callers skip the scan for ordinary records.
 */
export function exceedsJsonDepth(text: string): boolean {
  if (text.length <= MAX_JSON_DEPTH) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
