/**
 * Type inference: the narrowest contract type that holds every observed value. Used for
 * unknown keys in the batch profile and by `agentic-etl init`.
 */
import type { ColumnType, TypeName } from '../contract/types.js';
import { NumberLiteral } from '../readers/number-literal.js';
import { bigintOfNumeral, canonicalNumeral, isWholeNumeral } from './numerals.js';
import { INTEGER_NUMERAL, INT64_MAX, INT64_MIN, parseIsoDate, parseIsoTimestamp, TEXT_FLOAT_NUMERAL } from './values.js';

/** Observed kinds, ordered so that a wider kind can hold every narrower one on its path. */
type Kind = 'boolean' | 'integer' | 'double' | 'date' | 'timestamp' | 'string' | 'json';

function kindOf(value: unknown, textual: boolean): Kind | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isInteger(value) && Number.isSafeInteger(value) ? 'integer' : 'double';
  if (value instanceof NumberLiteral) return literalKind(value.text);
  if (typeof value === 'object') return 'json';
  const text = String(value);
  if (textual) {
    // CSV text: typing is ordinary parsing, so numerals and booleans count as such.
    if (text === '') return undefined;
    if (INTEGER_NUMERAL.test(text)) {
      const big = BigInt(text);
      return big >= INT64_MIN && big <= INT64_MAX ? 'integer' : 'string';
    }
    if (TEXT_FLOAT_NUMERAL.test(text)) return 'double'; // covers DECIMAL_NUMERAL and FLOAT_NUMERAL
    if (text === 'true' || text === 'false') return 'boolean';
  }
  if (parseIsoDate(text) !== undefined) return 'date';
  if (parseIsoTimestamp(text) !== undefined) return 'timestamp';
  return 'string';
}

/**
 * A JSON number no plain double carries (readers/exact-json.ts): a whole one is an integer
 * while int64 holds it, a double when the double is exact (`1e20`), else a string — 20-digit
 * ids are identifiers, every digit counts. A fraction is a double (the nearest double is how
 * long fractions are carried) unless it is beyond a double's range either way.
 */
function literalKind(text: string): Kind {
  const value = Number(text);
  if (isWholeNumeral(text)) {
    const whole = bigintOfNumeral(text);
    if (whole !== undefined && whole >= INT64_MIN && whole <= INT64_MAX) return 'integer';
    return Number.isFinite(value) && canonicalNumeral(String(value)) === canonicalNumeral(text) ? 'double' : 'string';
  }
  return Number.isFinite(value) && value !== 0 ? 'double' : 'string';
}

function unify(a: Kind, b: Kind): Kind {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('double')) return 'double';
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  if (pair.has('json')) return 'json';
  return 'string';
}

/** Accumulates observations of one column's values. */
export class TypeInference {
  private kind: Kind | undefined;
  private seen = 0;

  observe(value: unknown, textual = false): void {
    const kind = kindOf(value, textual);
    if (kind === undefined) return;
    this.seen += 1;
    this.kind = this.kind === undefined ? kind : unify(this.kind, kind);
  }

  /** How many non-null values were observed. */
  get observed(): number {
    return this.seen;
  }

  /** The inferred type; `string` when only nulls were seen. */
  result(): ColumnType {
    return { name: this.kind ?? 'string' };
  }
}

export function inferType(values: Iterable<unknown>, textual = false): ColumnType {
  const inference = new TypeInference();
  for (const value of values) inference.observe(value, textual);
  return inference.result();
}

const KINDS: ReadonlySet<string> = new Set<Kind>(['boolean', 'integer', 'double', 'date', 'timestamp', 'string', 'json']);

/**
 * The type inference gives for the values behind two inferred types together: what one
 * TypeInference over both batches would say (integer + double = double, date + timestamp =
 * timestamp, else string). For merging findings of several batches.
 */
export function unifyInferred(a: TypeName, b: TypeName): TypeName {
  if (!KINDS.has(a) || !KINDS.has(b)) return a === b ? a : 'string';
  return unify(a as Kind, b as Kind);
}
