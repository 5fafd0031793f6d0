/**
 * CSV header names and the mapping of a row onto them. Names are trimmed (`Trip_type `
 * is `Trip_type`), an empty name becomes `column_<n>`, and a repeated name gets a suffix
 * (`x`, `x__dup2`, `x__dup3`) so two columns never merge silently. A row must have a
 * field for every column (see csvValue).
 *
 * A header that cannot be read refuses the whole file (`csv_header_invalid`): made a
 * malformed record, it would leave the next row to be taken as the header — a row then in
 * neither silver nor quarantine, and every other row keyed by that row's values.
 */
import { AetlError } from '../util/errors.js';

export interface CsvHeader {
  names: string[];
  /** A name is `__proto__`: plain assignment would set the prototype instead of a key. */
  hasProtoKey: boolean;
}

export function csvHeader(fields: string[]): CsvHeader {
  const seen = new Set<string>();
  const names = fields.map((field, i) => {
    const base = field.trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}__dup${n}`;
    seen.add(name);
    return name;
  });
  return { names, hasProtoKey: seen.has('__proto__') };
}

/** How a row fits the header: its record, or why it cannot be one (csv.ts words the message). */
export type CsvRowFit =
  | {
      kind: 'record';
      value: Record<string, unknown>;
      /** Empty fields after the last column that were dropped (real TLC exports end rows with `,,`). */
      extraEmpty: number;
    }
  /** More fields than the header, and one beyond it holds data: which column would it be? */
  | { kind: 'long'; fields: number }
  /** Fewer fields than the header: a truncated row, never read as NULLs for the missing columns. */
  | { kind: 'short'; fields: number };

/**
 * The record for a row, or why it is malformed. Extra trailing fields that are all empty
 * are dropped and counted; extra fields with data, or too few fields, make the row
 * malformed. An empty field is null.
 */
export function csvValue(header: CsvHeader, row: string[]): CsvRowFit {
  const { names } = header;
  if (row.length > names.length) {
    for (let i = names.length; i < row.length; i++) {
      if (row[i] !== '') return { kind: 'long', fields: row.length };
    }
  } else if (row.length < names.length) {
    return { kind: 'short', fields: row.length };
  }
  const count = names.length;
  const value: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const field = row[i];
    const cell = field === '' || field === undefined ? null : field;
    if (header.hasProtoKey) Object.defineProperty(value, names[i] as string, { value: cell, enumerable: true, writable: true, configurable: true });
    else value[names[i] as string] = cell;
  }
  return { kind: 'record', value, extraEmpty: row.length - count };
}

/** Why a header cannot be read, and what to do about it. */
export type HeaderProblem =
  | { kind: 'not_utf8' }
  | { kind: 'over_limit'; size: number; limit: number }
  | { kind: 'nul' }
  | { kind: 'unparsable'; reason: string };

/** The error that refuses a file for its header (`line`: where the header starts). */
export function headerRefused(file: string, line: number, problem: HeaderProblem): AetlError {
  const [what, hint] = describe(problem);
  return new AetlError('csv_header_invalid', `${file} line ${line}: the CSV header ${what}; the file was not loaded and stays where it is`, { hint });
}

function describe(problem: HeaderProblem): [string, string] {
  const again = 'and upload it again';
  switch (problem.kind) {
    case 'not_utf8':
      return [
        'is not valid UTF-8 (Latin-1 or Windows-1252, perhaps), so no row could be matched to its columns',
        `re-export the file as UTF-8 (or UTF-16 with a byte-order mark) ${again}`,
      ];
    case 'over_limit':
      return [
        `is ${problem.size} bytes, over the limit of ${problem.limit} bytes (max_line_bytes)`,
        'raise max_line_bytes in agentic-etl.yaml (or check that the file is CSV with a header row) and run again',
      ];
    case 'nul':
      return ['holds NUL characters', `the file looks like UTF-16 without a byte-order mark: re-export it as UTF-8 (or UTF-16 with a BOM) ${again}`];
    case 'unparsable':
      return [`cannot be read: ${problem.reason}`, `close the quote in the header (or re-export the file) ${again}`];
    default:
      return assertNever(problem);
  }
}

function assertNever(value: never): never {
  throw new AetlError('internal', `unknown header problem ${JSON.stringify(value)}`);
}
