/**
 * One pass over sample records for contract inference: per column (keys trimmed, spellings
 * equal ignoring case merged) the type inference, how many records filled it, and whether
 * its values were distinct — kept only while useful, so memory stays bounded by the sample.
 */
import { NumberLiteral } from '../readers/number-literal.js';
import type { ReadRecord } from '../readers/reader.js';
import { TypeInference } from '../sensor/infer-type.js';
import { SILVER_SYSTEM_COLUMNS } from '../warehouse/tables.js';

/** A string column with at most this many distinct values is offered as an enum. */
export const ENUM_MAX_DISTINCT = 10;

const SYSTEM_NAMES = new Set(SILVER_SYSTEM_COLUMNS.map((column) => column.name.toLowerCase()));

export interface ColumnStats {
  name: string;
  /** Every spelling seen for this column (as in the file, untrimmed). */
  spellings: Set<string>;
  inference: TypeInference;
  /** Records holding a non-null value. */
  filled: number;
  /** The last record (by sample index) counted in `filled`, so two spellings in one record count once. */
  lastRecord: number;
  /** Distinct non-null values while still useful (for uniqueness or enum candidates); undefined once not. */
  distinct: Set<string> | undefined;
  /** No non-null value repeated (and none was an object or array). */
  unique: boolean;
}

/** The distinct values still tracked, as text, sorted. */
export function distinctValues(stats: ColumnStats): string[] {
  return [...new Set([...(stats.distinct ?? [])].map((key) => key.slice(1)))].sort();
}

function isNull(value: unknown, textual: boolean): boolean {
  return value === null || value === undefined || (textual && value === '');
}

/** A value's identity for distinct counting; undefined for values that cannot be keys (objects). */
function distinctKey(value: unknown): string | undefined {
  // One tag character, then the value as text: the text is recoverable with slice(1).
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return `n${value}`;
    case 'bigint':
      return `i${value}`;
    case 'boolean':
      return `b${value}`;
    default:
      // A JSON number no double carries, such as a 19-digit id: by its digits.
      return value instanceof NumberLiteral ? `n${value.text}` : undefined;
  }
}

function observe(stats: ColumnStats, value: unknown, textual: boolean, index: number): void {
  stats.inference.observe(value, textual);
  if (isNull(value, textual)) return;
  if (stats.lastRecord !== index) {
    stats.filled += 1;
    stats.lastRecord = index;
  }
  if (stats.distinct === undefined) return;
  const key = distinctKey(value);
  if (key === undefined) {
    stats.unique = false;
    stats.distinct = undefined;
    return;
  }
  if (stats.distinct.has(key)) stats.unique = false;
  else stats.distinct.add(key);
  // Uniqueness is lost and too many values for an enum: stop paying for the set.
  if (!stats.unique && stats.distinct.size > ENUM_MAX_DISTINCT) stats.distinct = undefined;
}

export interface ColumnSample {
  /** Columns in order of first appearance. */
  columns: ColumnStats[];
  /** Keys that cannot be columns: empty after trimming, a system column's name, or `__proto__`. */
  skippedKeys: Set<string>;
  sampled: number;
  malformed: number;
}

/** Reads up to `limit` well-formed records (malformed ones are counted and skipped). */
export async function sampleColumns(records: Iterable<ReadRecord> | AsyncIterable<ReadRecord>, limit: number): Promise<ColumnSample> {
  const columns: ColumnStats[] = [];
  const byRawKey = new Map<string, ColumnStats | null>();
  const byLowerName = new Map<string, ColumnStats>();
  const skippedKeys = new Set<string>();
  let sampled = 0;
  let malformed = 0;

  const columnFor = (rawKey: string): ColumnStats | null => {
    const cached = byRawKey.get(rawKey);
    if (cached !== undefined) return cached;
    const name = rawKey.trim();
    const lower = name.toLowerCase();
    let stats: ColumnStats | null = null;
    // `__proto__` cannot be a contract column (the loader refuses it: JavaScript reserves the name).
    if (name === '' || SYSTEM_NAMES.has(lower) || name === '__proto__') {
      skippedKeys.add(rawKey);
    } else {
      // Names equal ignoring case collide in case-insensitive engines: one column, two spellings.
      stats = byLowerName.get(lower) ?? null;
      if (stats === null) {
        stats = { name, spellings: new Set(), inference: new TypeInference(), filled: 0, lastRecord: -1, distinct: new Set(), unique: true };
        byLowerName.set(lower, stats);
        columns.push(stats);
      }
      stats.spellings.add(rawKey);
    }
    byRawKey.set(rawKey, stats);
    return stats;
  };

  for await (const record of records) {
    const value = record.value;
    if (record.malformed !== undefined || value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      malformed += 1;
      if (malformed >= limit && sampled === 0) break; // nothing but garbage: stop reading
      continue;
    }
    const textual = record.textual === true;
    for (const key in value) {
      const stats = columnFor(key);
      if (stats !== null) observe(stats, value[key], textual, sampled);
    }
    sampled += 1;
    if (sampled >= limit) break;
  }

  return { columns, skippedKeys, sampled, malformed };
}
