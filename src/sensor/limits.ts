/**
 * What one record may cost. A record with 20,000 keys (or a row of a 5,000-column CSV) cost
 * a reason per key — megabytes of quarantine row each — and its parsed copy, until DuckDB ran
 * out of memory and the whole run stopped (issue 7). A record over a limit is malformed like
 * an over-limit line: its raw text stays in bronze and quarantine, its parsed value is
 * dropped (nothing can replay it until the limit is raised), and its one reason is short.
 */
import type { ReadRecord } from '../readers/reader.js';

export interface RecordLimits {
  /** Keys one record may hold (`max_record_keys` in agentic-etl.yaml). */
  maxRecordKeys: number;
  /** Contract columns a table may have; an evolution that would pass it is denied (`max_table_columns`). */
  maxTableColumns: number;
}

export const DEFAULT_RECORD_LIMITS: Readonly<RecordLimits> = { maxRecordKeys: 1000, maxTableColumns: 500 };

/**
 * Longest key, in characters. A key is a column name to be: one of thousands of characters
 * is no name, and every reason, sample and finding about it would repeat it.
 */
export const MAX_KEY_LENGTH = 1024;

/** Why the record is over a limit, as a malformed message; undefined when it is not. */
function overLimit(value: Record<string, unknown>, limits: RecordLimits, where: string): string | undefined {
  let keys = 0;
  for (const key in value) {
    keys += 1;
    if (key.length > MAX_KEY_LENGTH) {
      return `${where} has a key of ${key.length} characters, over the limit of ${MAX_KEY_LENGTH}: a key names a column; send long text as a value`;
    }
  }
  if (keys <= limits.maxRecordKeys) return undefined;
  return `${where} has ${keys} keys, over the limit of ${limits.maxRecordKeys} (max_record_keys): split the record, nest the keys under one json column, or raise max_record_keys in agentic-etl.yaml`;
}

/**
 * The record, or a malformed copy of it when it holds more keys than `maxRecordKeys` or a
 * key longer than MAX_KEY_LENGTH. `file` names the object in the message.
 */
export function limitRecord(record: ReadRecord, limits: RecordLimits, file: string): ReadRecord {
  const value = record.value;
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value) || record.malformed !== undefined) return record;
  // JSON text spells every key, and any text has a character per key (CSV: a `,`), so a short
  // record needs no count. A CSV row's keys come from the header, which may be long: counted.
  if (record.textual !== true && record.raw.length < Math.min(limits.maxRecordKeys, MAX_KEY_LENGTH)) return record;
  const why = overLimit(value, limits, `${file} line ${record.line}`);
  if (why === undefined) return record;
  const limited: ReadRecord = { line: record.line, offset: record.offset, raw: record.raw, rawEncoding: record.rawEncoding, malformed: why };
  if (record.textual !== undefined) limited.textual = record.textual;
  return limited;
}
