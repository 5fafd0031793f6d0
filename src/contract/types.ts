/**
 * The data contract model: what a table's records must look like and what the agent may
 * change about it. Loaded from YAML (see contract/load.ts); plain data everywhere else.
 */

/** Logical column types, mapped to each warehouse's own names by its dialect. */
export type TypeName = 'string' | 'integer' | 'double' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'json';

export const TYPE_NAMES: readonly TypeName[] = ['string', 'integer', 'double', 'decimal', 'boolean', 'date', 'timestamp', 'json'];

export interface ColumnType {
  name: TypeName;
  /** Total digits, for `decimal` only. */
  precision?: number;
  /** Digits after the point, for `decimal` only. */
  scale?: number;
}

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** A record missing this column, or holding null in it, is invalid. */
  required: boolean;
  /** Allowed values (compared as strings after typing). */
  enum?: string[];
  /** Inclusive bounds for numeric columns. */
  min?: number;
  max?: number;
  /** A regular expression (RE2 syntax, contract/pattern.ts) a string value must match in full. */
  pattern?: string;
  /**
   * Source field names that map onto this column (a rename mapping): a record key equal to
   * one of them, after trimming, is this column. Unique across the contract, case-insensitively,
   * and never a column's name. Set by the `rename_column` action; absent means none.
   */
  aliases?: string[];
  /** This column's coercion mode, overriding `evolution.coercion`; set by the `coerce` action. */
  coercion?: CoercionMode;
  description?: string;
}

export type NewColumnMode = 'evolve' | 'quarantine' | 'ignore' | 'fail';
export type TypeChangeMode = 'widen' | 'quarantine' | 'fail';
export type CoercionMode = 'lossless' | 'off';
export type RenameMode = 'auto' | 'approve' | 'off';

export interface EvolutionRules {
  new_column: NewColumnMode;
  type_change: TypeChangeMode;
  coercion: CoercionMode;
  rename: RenameMode;
  /** Share of a window above which a deviation is drift, not noise. */
  drift_threshold: number;
}

export interface Contract {
  table: string;
  /** Columns whose values identify a record; silver keeps every record, `<table>_current` the latest per key. */
  primary_key: string[];
  columns: ColumnSpec[];
  evolution: EvolutionRules;
}

export const DEFAULT_EVOLUTION: EvolutionRules = {
  new_column: 'evolve',
  type_change: 'widen',
  coercion: 'lossless',
  rename: 'approve',
  drift_threshold: 0.05,
};

/** `decimal(10,2)`, `integer`, … — the spelling used in YAML and messages. */
export function formatType(type: ColumnType): string {
  return type.name === 'decimal' ? `decimal(${type.precision ?? 18},${type.scale ?? 0})` : type.name;
}
