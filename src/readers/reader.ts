/**
 * A reader turns one object's byte stream into records with provenance. Readers stream:
 * memory must not grow with the object's size. A part that cannot be parsed is yielded
 * as a record with `malformed` set — never thrown — so the file goes on and nothing is lost.
 */
import type { Readable } from 'node:stream';

export type Format = 'ndjson' | 'json' | 'csv';
export type FormatSetting = Format | 'auto';

export interface ReadRecord {
  /** 1-based line number (NDJSON, CSV) or element index (JSON array); unique within the file. */
  line: number;
  /**
   * Byte offset of the record's first byte in the (decompressed) stream; for a UTF-16 file,
   * in its text as UTF-8 (the BOM not counted), the bytes `raw` holds.
   */
  offset: number;
  /**
   * The record's raw text as it appeared in the file (without the line terminator). When the
   * bytes were not valid UTF-8, `raw` is their base64 and `rawEncoding` says so.
   */
  raw: string;
  rawEncoding: 'utf8' | 'base64';
  /**
   * The parsed record; absent when malformed. A JSON number a double cannot carry exactly
   * is a NumberLiteral holding its text (see exact-json.ts); every plain number is exact.
   */
  value?: Record<string, unknown>;
  /** CSV fields are text by nature: typing them is not coercion, and '' means null. */
  textual?: boolean;
  /**
   * CSV: empty fields after the header's last column that were dropped (`1,2,3,,`, a common
   * export bug): the row is accepted, and the batch profile counts them. Absent when none.
   */
  extraEmptyFields?: number;
  /** Why this part of the file could not be parsed, in words that name the fix. */
  malformed?: string;
}

export interface ReaderOptions {
  /** The object's key, used in messages. */
  file: string;
  /** Lines (NDJSON, CSV rows) longer than this many bytes become malformed records. */
  maxLineBytes: number;
  /**
   * Set when the file is UTF-16 and the input is its UTF-8 transcoding (see _utf16.ts): only
   * for messages, which then speak of UTF-16. Absent for UTF-8 files.
   */
  encoding?: 'utf16le' | 'utf16be';
}

export type Reader = (input: Readable, options: ReaderOptions) => AsyncIterable<ReadRecord>;

/** Default line limit: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** How much of an over-limit line is kept in `raw` (the rest stays in the source file). */
export const MALFORMED_RAW_KEEP_BYTES = 64 * 1024;
