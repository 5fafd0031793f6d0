/**
 * The real TLC CSV heads as ReadRecords, built with csv-parse so that the inference tests
 * do not depend on the CSV reader: header names as written (untrimmed), `textual` values,
 * '' for an empty field, a short (truncated) row lacking its trailing keys, extra trailing
 * empty fields dropped and extra fields with data malformed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ReadRecord } from '../../src/readers/reader.js';

import { TLC_DIR } from '../helpers/realdata.js';

export { TLC_DIR };

export function tlcRecords(file: string): ReadRecord[] {
  const rows = parse(readFileSync(path.join(TLC_DIR, file), 'utf8'), {
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    raw: true,
  }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  const [header, ...body] = rows;
  if (header === undefined) return [];
  const names = header.record;
  return body.map(({ record: fields, info, raw }): ReadRecord => {
    const base = { line: info.lines, offset: 0, raw: raw.replace(/\r?\n$/, ''), rawEncoding: 'utf8' as const };
    if (fields.slice(names.length).some((field) => field !== '')) return { ...base, malformed: `row has ${fields.length} fields, header has ${names.length}` };
    const value: Record<string, unknown> = {};
    fields.slice(0, names.length).forEach((field, index) => {
      value[names[index] ?? ''] = field;
    });
    return { ...base, value, textual: true };
  });
}
