/**
 * Data for the shared warehouse suite: a contract with every type, rows with every
 * TypedValue kind (extremes and nulls included), and what a warehouse must read back.
 */
import { DEFAULT_EVOLUTION, type ColumnType, type Contract } from '../../src/contract/types.js';
import type { TypedValue } from '../../src/sensor/types.js';
import { INT64_MAX, INT64_MIN } from '../../src/sensor/values.js';
import { isoFromMicros } from '../../src/warehouse/iso-time.js';
import type { SqlValue, TableDef } from '../../src/warehouse/warehouse.js';

export const T = {
  string: { name: 'string' },
  integer: { name: 'integer' },
  double: { name: 'double' },
  decimal: { name: 'decimal', precision: 12, scale: 3 },
  boolean: { name: 'boolean' },
  date: { name: 'date' },
  timestamp: { name: 'timestamp' },
  json: { name: 'json' },
} satisfies Record<string, ColumnType>;

/** One contract column per type, named after it. */
export function everyTypeContract(table: string): Contract {
  return {
    table,
    primary_key: [],
    columns: Object.entries(T).map(([name, type]) => ({ name: `c_${name}`, type, required: false })),
    evolution: DEFAULT_EVOLUTION,
  };
}

/** The small table whose DDL each dialect spells out literally (ExpectedDdl). */
export const SMALL_TABLE: TableDef = {
  name: 'small',
  columns: [
    { name: 'id', type: T.string, nullable: false, unique: true },
    { name: 'n', type: T.integer },
    { name: 'price', type: { name: 'decimal', precision: 10, scale: 2 } },
    { name: 'seen_at', type: T.timestamp, nullable: false },
  ],
  uniqueTogether: ['price', 'seen_at'],
};

/** Contract-column values in T's order, then expected read-back values. */
export const EVERY_TYPE_ROWS: { values: TypedValue[]; expected: SqlValue[] }[] = [
  {
    values: ['plain', 42n, 1.5, '12.250', true, '2024-02-29', 1_709_164_800_123_456n, '{"a":[1,2,{"b":null}]}'],
    expected: ['plain', 42n, 1.5, '12.250', true, '2024-02-29', '2024-02-29T00:00:00.123456Z', '{"a":[1,2,{"b":null}]}'],
  },
  {
    values: ['it\'s "quoted"\n\ttabbed ☃ 𝄞', INT64_MAX, -0.000123, '-999999999.999', false, '1969-12-31', -1n, '[]'],
    expected: ['it\'s "quoted"\n\ttabbed ☃ 𝄞', INT64_MAX, -0.000123, '-999999999.999', false, '1969-12-31', '1969-12-31T23:59:59.999999Z', '[]'],
  },
  {
    values: ['', INT64_MIN, 1e300, '0.000', true, '0001-01-01', 0n, '"text"'],
    expected: ['', INT64_MIN, 1e300, '0.000', true, '0001-01-01', '1970-01-01T00:00:00.000Z', '"text"'],
  },
  {
    values: [null, null, null, null, null, null, null, null],
    expected: [null, null, null, null, null, null, null, null],
  },
];

/** Silver system columns' values for row `i` (see SILVER_SYSTEM_COLUMNS). */
export function systemValues(i: number, ingestedAt: bigint): TypedValue[] {
  return [`rec-${i}`, 'file-1', 'landing/a.ndjson', BigInt(i + 1), 1n, null, ingestedAt];
}

export const INGESTED_AT = 1_700_000_000_000_000n;
export const INGESTED_AT_ISO = isoFromMicros(INGESTED_AT);
