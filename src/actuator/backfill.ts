/**
 * Backfill: records that landed while a field was ignored (`new_column: ignore`, or before
 * the column was added) kept the field only in bronze. `agentic-etl backfill --table T
 * --column C` fills the silver column from each record's raw text, typed by the column's
 * coercer, in one transaction. Only NULLs are filled, so running it again changes nothing.
 */
import type { CoercionMode, ColumnSpec } from '../contract/types.js';
import { parseJsonExact } from '../readers/exact-json.js';
import { exactJsonText } from '../readers/number-literal.js';
import { compileCoercer } from '../sensor/coerce.js';
import type { Coercion } from '../sensor/types.js';
import { jsonTypeOf } from '../sensor/values.js';
import { AetlError } from '../util/errors.js';
import { bronzeTableName } from '../warehouse/tables.js';
import type { Row, TableDef, Warehouse } from '../warehouse/warehouse.js';
import { createStage, dropStage, stageName } from './_stage.js';
import { keysOf, lookUp } from './_record-keys.js';

export interface BackfillOptions {
  /** The contract table (silver); raw records come from `bronze_<table>`. */
  table: string;
  /** The column to fill, as the contract now has it; `aliases`, when the spec has them, are looked up too. */
  column: ColumnSpec;
  /** The contract's `evolution.coercion`. Default 'lossless'. */
  coercion?: CoercionMode;
  /** Rows typed per page. Default 5,000. */
  pageSize?: number;
  onProgress?: (examined: number) => void;
}

export interface BackfillResult {
  /** Silver rows whose column was NULL. */
  examined: number;
  /** Rows given a value. */
  filled: number;
  /** Rows whose raw record is not a JSON object (a CSV line, undecodable bytes) or has no bronze row: left NULL. */
  unparsable: number;
  /** Rows whose record holds the field with a value the column's type cannot take: left NULL. */
  untyped: number;
  /** Rows whose record lacks the field or holds null in it: nothing to fill. */
  absent: number;
  /** One sentence for people: what was filled and what was left, and why. */
  message: string;
}

export const DEFAULT_BACKFILL_PAGE_SIZE = 5000;

interface CandidateRow extends Row {
  n: bigint | number;
  id: string;
  coercions: string | null;
  raw: string | null;
  encoding: string | null;
}

function valuesTable(table: string, column: ColumnSpec): TableDef {
  return {
    name: stageName('backfill_values', table),
    columns: [
      { name: '_record_id', type: { name: 'string' }, nullable: false },
      { name: 'value', type: column.type },
      { name: 'coercions', type: { name: 'json' } },
    ],
  };
}

/** The record's JSON object, or undefined when the raw text is not one. */
function parseObject(raw: string | null, encoding: string | null): Record<string, unknown> | undefined {
  if (raw === null || encoding !== 'utf8') return undefined;
  // A CSV line fails here (or parses to a scalar): without its header its fields have no names.
  // Parsed as the reader parsed it, so numbers a double cannot carry keep their digits.
  let value: unknown;
  try {
    value = parseJsonExact(raw);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export async function backfillColumn(warehouse: Warehouse, options: BackfillOptions): Promise<BackfillResult> {
  const { dialect } = warehouse;
  const { quoteIdent: q, placeholder: p } = dialect;
  const { table, column } = options;
  // Only what the warehouse can store: a date it refuses stays unfilled (counted untyped).
  const coerce = compileCoercer(column.type, options.coercion ?? 'lossless', dialect.capabilities.temporalRanges);
  const names = keysOf(column);
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_BACKFILL_PAGE_SIZE));
  const candidates = stageName('backfill', table);
  const values = valuesTable(table, column);
  const result = { examined: 0, filled: 0, unparsable: 0, untyped: 0, absent: 0 };

  return warehouse.transaction(async (tx) => {
    const described = await tx.describeTable(table);
    const physical = dialect.physicalName ?? ((s: string) => s);
    const fold = dialect.capabilities.caseSensitiveIdentifiers === false ? (s: string) => physical(s).toLowerCase() : physical;
    if (described === undefined || !described.some((c) => fold(c.name) === fold(column.name))) {
      throw new AetlError('not_found', `table ${table} has no column ${column.name} to backfill`, {
        hint: `add the column to the contract (and let agentic-etl add it to ${table}) before backfilling it`,
      });
    }
    await dropStage(tx, dialect, candidates);
    await dropStage(tx, dialect, values.name);
    // The rows to fill, numbered once: pages are then ranges of `n`, and bronze is joined
    // once rather than once per page.
    await tx.run(
      `CREATE TABLE ${q(candidates)} AS SELECT row_number() OVER () AS n, ` +
        `s.${q('_record_id')} AS id, s.${q('_coercions')} AS coercions, b.${q('_raw')} AS raw, b.${q('_raw_encoding')} AS encoding ` +
        `FROM ${q(table)} s LEFT JOIN ${q(bronzeTableName(table))} b ON b.${q('_record_id')} = s.${q('_record_id')} ` +
        `WHERE s.${q(column.name)} IS NULL`,
    );
    await createStage(tx, dialect, values);

    for (let from = 0; ; from += pageSize) {
      const rows = await tx.query<CandidateRow>(
        `SELECT n, id, coercions, raw, encoding FROM ${q(candidates)} WHERE n > ${p(1)} AND n <= ${p(2)} ORDER BY n`,
        [BigInt(from), BigInt(from + pageSize)],
      );
      if (rows.length === 0) break;
      const writer = await tx.bulkWriter(values.name, values.columns);
      for (const row of rows) {
        result.examined += 1;
        const record = parseObject(row.raw, row.encoding);
        if (record === undefined) {
          result.unparsable += 1;
          continue;
        }
        const raw = lookUp(record, names);
        if (raw === null || raw === undefined) {
          result.absent += 1;
          continue;
        }
        const typed = coerce(raw, false);
        if (!typed.ok) {
          result.untyped += 1;
          continue;
        }
        // A coercion is always logged with the original value, as ingestion logs it.
        let coercions: string | null = null;
        if (typed.coerced) {
          // Read and written exactly: earlier originals may be numbers a double cannot carry.
          const logged = row.coercions === null ? [] : (parseJsonExact(row.coercions) as Coercion[]);
          logged.push({ column: column.name, from: jsonTypeOf(raw), to: column.type.name, original: raw });
          coercions = exactJsonText(logged) ?? null;
        }
        writer.append([row.id, typed.value, coercions]);
        result.filled += 1;
      }
      await writer.close();
      options.onProgress?.(result.examined);
      if (rows.length < pageSize) break;
    }

    await tx.run(
      `UPDATE ${q(table)} SET ${q(column.name)} = v.${q('value')}, ${q('_coercions')} = COALESCE(v.${q('coercions')}, ${q(table)}.${q('_coercions')}) ` +
        `FROM ${q(values.name)} v WHERE ${q(table)}.${q('_record_id')} = v.${q('_record_id')}`,
    );
    await dropStage(tx, dialect, values.name);
    await dropStage(tx, dialect, candidates);
    return { ...result, message: describe(table, column.name, result) };
  });
}

function describe(table: string, column: string, r: Omit<BackfillResult, 'message'>): string {
  const parts = [`filled ${r.filled} of ${r.examined} row(s) of ${table} where ${column} was NULL`];
  if (r.absent > 0) parts.push(`${r.absent} record(s) do not hold the field`);
  if (r.untyped > 0) parts.push(`${r.untyped} hold a value that is not a valid ${column} and stay NULL`);
  if (r.unparsable > 0) {
    parts.push(`${r.unparsable} raw record(s) are not JSON objects and stay NULL (CSV lines cannot be read without their file's header; undecodable bytes cannot be read at all)`);
  }
  return `${parts.join('; ')}.`;
}
