/**
 * A first contract from sample records, for `agentic-etl init --from DIR`: one column per
 * key with the narrowest type that holds every sampled value, `required` when never
 * missing or null, and notes on what a person should decide (primary key, enums, keys
 * that look like the same field spelled two ways).
 */
import type { ReadRecord } from '../readers/reader.js';
import { AetlError } from '../util/errors.js';
import { dict } from '../util/dict.js';
import { DEFAULT_EVOLUTION, type ColumnSpec, type Contract } from './types.js';
import { distinctValues, ENUM_MAX_DISTINCT, sampleColumns } from './_column-sample.js';
import { similarNameNotes } from './similar-names.js';

export interface InferContractOptions {
  /** The contract's table name. */
  table: string;
  /** Well-formed records to examine before stopping; default 10,000. */
  sampleLimit?: number;
}

export interface InferredContract {
  contract: Contract;
  /** What to review, one sentence each: key spellings, primary key, enum candidates, guesses. */
  notes: string[];
  /** Well-formed records examined. */
  sampled: number;
  /** Malformed records skipped (counted, not examined). */
  malformed: number;
  /** Columns never missing or null whose values were all distinct, identifier-like names first. */
  pkCandidates: string[];
  /** Low-cardinality string columns and their sampled values: possible enums. */
  enumCandidates: Record<string, string[]>;
  /** Notes about single columns, by column name (rendered as comments above the column). */
  columnNotes: Record<string, string[]>;
}

export const DEFAULT_SAMPLE_LIMIT = 10_000;

/** 0 for `id`, 1 for identifier-like names (`user_id`, `user-id`, `userId`, `PULocationID`, `uuid`), else 2. */
function identifierRank(name: string): number {
  if (/^(?:id|uuid|guid)$/i.test(name)) return 0;
  if (/[_\-\s.](?:id|uuid)$/i.test(name) || /[a-z0-9](?:Id|ID)$/.test(name) || /uuid$/i.test(name)) return 1;
  return 2;
}

function skippedKeyNote(key: string): string {
  const name = key.trim();
  if (name === '') return 'A key with an empty name was left out of the contract (its values stay in bronze); name it in the source to make it a column.';
  if (name === '__proto__') {
    return 'The key `__proto__` was left out (its values stay in bronze): JavaScript reserves the name, so it cannot be a column; rename it in the source, or map it onto a column with `aliases: [__proto__]`.';
  }
  return `The key \`${key}\` is a system column name; it was left out (its values stay in bronze).`;
}

/** Infers a contract from records (a reader's output, possibly several files chained). */
export async function inferContract(
  records: Iterable<ReadRecord> | AsyncIterable<ReadRecord>,
  options: InferContractOptions,
): Promise<InferredContract> {
  const table = options.table.trim();
  if (table === '') throw new AetlError('usage', 'the table name for the inferred contract is empty', { hint: 'pass a table name, e.g. --table events' });
  const { columns, skippedKeys, sampled, malformed } = await sampleColumns(records, options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT);

  const notes: string[] = [`Sampled ${sampled} record${sampled === 1 ? '' : 's'}${malformed > 0 ? `; skipped ${malformed} malformed` : ''}.`];
  const columnNotes = dict<string[]>();
  const noteColumn = (name: string, note: string) => {
    (columnNotes[name] ??= []).push(note);
    notes.push(note);
  };

  for (const key of skippedKeys) notes.push(skippedKeyNote(key));
  const merged: string[] = [];
  for (const stats of columns) {
    for (const spelling of stats.spellings) {
      if (spelling !== stats.name && spelling.trim() === stats.name) noteColumn(stats.name, `The key ${JSON.stringify(spelling)} has surrounding spaces; the column is \`${stats.name}\` (names are matched after trimming).`);
    }
    const variants = [...new Set([...stats.spellings].map((spelling) => spelling.trim()))].filter((spelling) => spelling !== stats.name);
    if (variants.length > 0) {
      (columnNotes[stats.name] ??= []).push(`Also seen as ${variants.map((v) => `\`${v}\``).join(', ')} (differs only by case; merged into this column).`);
      merged.push(`\`${stats.name}\` = ${variants.map((v) => `\`${v}\``).join(' = ')}`);
    }
  }
  if (merged.length > 0) {
    notes.push(
      `Warning: ${merged.length} key${merged.length === 1 ? '' : 's'} appeared with spellings that differ only by case and were merged, one column each (case-insensitive engines cannot hold both; ingest treats the other spelling as a rename candidate): ${merged.join(', ')}.`,
    );
  }
  notes.push(...similarNameNotes(columns.map((stats) => stats.name)));

  const specs: ColumnSpec[] = columns.map((stats) => {
    const type = stats.inference.result();
    if (stats.inference.observed === 0) noteColumn(stats.name, `\`${stats.name}\` was empty in every sampled record: its type ${type.name} is a guess.`);
    return { name: stats.name, type, required: sampled > 0 && stats.filled === sampled };
  });

  const pkCandidates = columns
    .map((stats, index) => ({ stats, index, type: specs[index]?.type.name }))
    .filter(({ stats, type }) => sampled >= 2 && stats.unique && stats.filled === sampled && (type === 'string' || type === 'integer'))
    .sort((a, b) => identifierRank(a.stats.name) - identifierRank(b.stats.name) || a.index - b.index)
    .map(({ stats }) => stats.name);
  const primary = pkCandidates[0];
  const primaryKey = primary !== undefined && identifierRank(primary) < 2 ? [primary] : [];
  if (pkCandidates.length > 0) {
    notes.push(
      primaryKey.length > 0
        ? `Primary key set to \`${primary}\` (never missing, all values distinct in the sample)${pkCandidates.length > 1 ? `; other candidates: ${pkCandidates.slice(1).join(', ')}` : ''}. Check that it identifies a record.`
        : `Columns never missing and all distinct in the sample: ${pkCandidates.join(', ')}. None looks like an identifier, so no primary key was set; set primary_key if one is.`,
    );
  } else if (sampled >= 2) {
    notes.push('No column was distinct in every sampled record: no primary key was set.');
  }

  const enumCandidates = dict<string[]>();
  columns.forEach((stats, index) => {
    const distinct = stats.distinct;
    if (specs[index]?.type.name !== 'string' || stats.unique || distinct === undefined || distinct.size === 0) return;
    if (distinct.size > ENUM_MAX_DISTINCT || stats.filled < 2 * distinct.size) return;
    const values = distinctValues(stats);
    enumCandidates[stats.name] = values;
    noteColumn(stats.name, `Enum candidate: \`${stats.name}\` held only ${values.map((v) => JSON.stringify(v)).join(', ')} in ${stats.filled} records; if those are all allowed values, add enum: [${values.join(', ')}].`);
  });

  const contract: Contract = { table, primary_key: primaryKey, columns: specs, evolution: { ...DEFAULT_EVOLUTION } };
  return { contract, notes, sampled, malformed, pkCandidates, enumCandidates, columnNotes };
}
