/**
 * What the sensor says about records and batches. Plain, serializable data: verdicts route
 * one record, the batch profile summarizes a file, findings feed the controller.
 */
import type { TypeName } from '../contract/types.js';

/** A value as the warehouse receives it, typed by its contract column (see the convention below). */
export type TypedValue = string | number | bigint | boolean | null;

/**
 * How each contract type is carried in a TypedValue:
 * - string, json (JSON text), decimal (canonical decimal text), date ('YYYY-MM-DD'): string
 * - integer: bigint (64-bit signed)
 * - double: number
 * - boolean: boolean
 * - timestamp: bigint microseconds since the Unix epoch, UTC (naive timestamps are read as UTC)
 * - missing / null: null
 */

/** The JS type each contract type's TypedValue has: the convention above, as data for drivers. */
export const TYPED_VALUE_JS_TYPE: Readonly<Record<TypeName, 'string' | 'bigint' | 'number' | 'boolean'>> = {
  string: 'string',
  json: 'string',
  decimal: 'string',
  date: 'string',
  integer: 'bigint',
  timestamp: 'bigint',
  double: 'number',
  boolean: 'boolean',
};

/** The JSON type of a raw value, with whole numbers told apart from fractional ones. */
export type JsonType = 'string' | 'integer' | 'double' | 'boolean' | 'null' | 'object' | 'array';

/** Why a record is not valid: a closed vocabulary. */
export type ReasonKind =
  | 'malformed'
  | 'missing_required'
  | 'null_required'
  | 'type_mismatch'
  | 'enum_violation'
  | 'below_min'
  | 'above_max'
  | 'pattern_mismatch'
  | 'unknown_column'
  /** The table's circuit is open (halted): valid or not, no record reaches silver until resume. */
  | 'circuit_open';

export interface Reason {
  /** The contract column (or the unknown key); null for whole-record problems such as malformed input. */
  column: string | null;
  kind: ReasonKind;
  /** What the contract expects, e.g. 'integer', 'one of click, view, purchase', '>= 0'. */
  expected: string;
  /** What the record holds, shortened for display (at most ~200 characters). */
  actual: string;
  /** One readable sentence naming the column, the problem and the fix. */
  message: string;
}

/** A lossless change of representation made while typing a value; the original is kept. */
export interface Coercion {
  column: string;
  from: JsonType;
  to: TypeName;
  original: unknown;
}

export type Verdict =
  | {
      status: 'valid';
      /** One value per contract column, in contract order. */
      values: TypedValue[];
      coercions: Coercion[];
      /** Keys the record had that the contract does not, kept only in bronze (new_column: ignore). */
      ignored: string[];
    }
  | { status: 'invalid'; reasons: Reason[] };

export interface KeyProfile {
  /** How many records held the key, by the JSON type of its value. */
  types: Partial<Record<JsonType, number>>;
  /** Up to a few distinct sample values (shortened), for evidence. */
  samples: unknown[];
}

export interface UnknownKeyProfile extends KeyProfile {
  count: number;
  /** The narrowest contract type that holds every observed non-null value. */
  inferredType: TypeName;
}

/** A file's summary: the evidence the controller and the architect work from. */
export interface BatchProfile {
  records: number;
  valid: number;
  /** Valid records that needed at least one coercion. */
  coerced: number;
  invalid: number;
  malformed: number;
  /** Observed JSON types per key, for every key seen (contract columns and unknown keys). */
  keys: Record<string, KeyProfile>;
  /** Keys the contract does not know. */
  unknownKeys: Record<string, UnknownKeyProfile>;
  /** Records that lacked each contract column (absent, not null). */
  missing: Record<string, number>;
  /** Violation counts by column, then by reason kind ('_record' for whole-record reasons). */
  violations: Record<string, Partial<Record<ReasonKind, number>>>;
  /** Coercion counts by column. */
  coercions: Record<string, number>;
  /** Sample values behind the counts, for the architect (filled by the sensor's profiler). */
  evidence?: BatchEvidence;
  /**
   * Keys beyond the profiler's cap on distinct keys (sensor/profile.ts, MAX_TRACKED_KEYS): not
   * in `keys`, `unknownKeys` or `violations`, only counted — `keys` occurrences, in `records` records.
   */
  untracked?: { keys: number; records: number };
  /**
   * CSV rows accepted with empty fields after the header's last column (`1,2,3,,`, a common
   * export bug): `records` rows, `fields` dropped fields in all. Absent when there were none.
   */
  extraEmptyFields?: { records: number; fields: number };
  /**
   * The shape inside each `json` column (sensor/nested-profile.ts): per path, the JSON types
   * found there. Absent when no json column held an object or array.
   */
  nested?: Record<string, NestedProfile>;
}

/** One json column's paths in a batch (bounded: see sensor/nested-profile.ts). */
export interface NestedProfile {
  /** By path (`repository.id`, `commits[].sha`): records holding the path, by JSON type, and samples per type. */
  paths: Record<string, { types: Partial<Record<JsonType, number>>; samples: Partial<Record<JsonType, unknown[]>> }>;
  /** Path occurrences not profiled (beyond the caps). */
  untracked: number;
}

/** The values behind a profile's counts: bounded samples, never every value. */
export interface BatchEvidence {
  /**
   * Distinct offending values by column (or unknown key, '_record' for whole-record reasons),
   * then reason kind: `Reason.actual` → how many records held it. For enum violations the
   * text is the value after typing (what the enum is compared with). At most 20 distinct per pair.
   */
  offending: Record<string, Partial<Record<ReasonKind, Record<string, number>>>>;
  /** Up to 5 distinct original values per coerced column. */
  coerced: Record<string, unknown[]>;
  /**
   * Per unknown key: how many of the records holding it lacked each contract column
   * (absent or null). A column missing wherever a similar new key appears is a rename candidate.
   */
  missingWith: Record<string, Record<string, number>>;
}
