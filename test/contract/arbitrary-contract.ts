/** fast-check arbitraries for valid contracts, shared by the serialize and diff tests. */
import fc from 'fast-check';
import type { CoercionMode, ColumnSpec, ColumnType, Contract, EvolutionRules } from '../../src/contract/types.js';
import { SILVER_SYSTEM_COLUMNS } from '../../src/warehouse/tables.js';

const SYSTEM = new Set(SILVER_SYSTEM_COLUMNS.map((column) => column.name.toLowerCase()));

/** Column names as real files have them: identifiers, spaces, dots, YAML-significant words and signs. */
const columnName = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/),
    fc.constantFrom('Pickup DateTime', 'a.b', '2020', 'null', 'true', 'yes', '#tag', 'key: value', '- item', 'ümlaut', '"quoted"', "it's", '[x]', '{y}', 'x,y'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  )
  // `__proto__` is refused by the loader (zod's record would drop it without a word).
  .filter((name) => name.trim() === name && name !== '' && name !== '__proto__' && !SYSTEM.has(name.toLowerCase()));

const scalarText = fc.string({ unit: 'grapheme', maxLength: 20 });

const columnType: fc.Arbitrary<ColumnType> = fc.oneof(
  fc.constantFrom<ColumnType>(
    { name: 'string' },
    { name: 'integer' },
    { name: 'double' },
    { name: 'boolean' },
    { name: 'date' },
    { name: 'timestamp' },
    { name: 'json' },
  ),
  fc.integer({ min: 1, max: 38 }).chain((precision) => fc.integer({ min: 0, max: precision }).map((scale): ColumnType => ({ name: 'decimal', precision, scale }))),
);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function spec(name: string): fc.Arbitrary<ColumnSpec> {
  return fc
    .record({
      type: columnType,
      required: fc.boolean(),
      enum: fc.option(fc.uniqueArray(scalarText, { minLength: 1, maxLength: 5 }), { nil: undefined }),
      bounds: fc.option(fc.tuple(fc.option(finite, { nil: undefined }), fc.option(finite, { nil: undefined })), { nil: undefined }),
      pattern: fc.option(scalarText.map((text) => `^${escapeRegExp(text)}$`), { nil: undefined }),
      coercion: fc.option(fc.constantFrom<CoercionMode>('lossless', 'off'), { nil: undefined }),
      description: fc.option(scalarText, { nil: undefined }),
    })
    .map(({ type, required, enum: values, bounds, pattern, coercion, description }) => {
      const column: ColumnSpec = { name, type, required };
      if (type.name === 'string' && values !== undefined) column.enum = values;
      if (type.name === 'string' && pattern !== undefined) column.pattern = pattern;
      if ((type.name === 'integer' || type.name === 'double' || type.name === 'decimal') && bounds !== undefined) {
        const [a, b] = bounds;
        const [min, max] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
        if (min !== undefined) column.min = min;
        if (max !== undefined) column.max = max;
      }
      if (coercion !== undefined) column.coercion = coercion;
      if (description !== undefined) column.description = description;
      return column;
    });
}

const evolution: fc.Arbitrary<EvolutionRules> = fc.record({
  new_column: fc.constantFrom('evolve', 'quarantine', 'ignore', 'fail'),
  type_change: fc.constantFrom('widen', 'quarantine', 'fail'),
  coercion: fc.constantFrom('lossless', 'off'),
  rename: fc.constantFrom('auto', 'approve', 'off'),
  drift_threshold: fc.double({ min: 0, max: 1, noNaN: true, minExcluded: true }),
});

export const arbitraryContract: fc.Arbitrary<Contract> = fc
  .record({
    table: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
    names: fc.uniqueArray(columnName, { maxLength: 8, selector: (name) => name.toLowerCase() }),
    // Aliases are names too: unique with the column names, case ignored.
    extra: fc.uniqueArray(columnName, { maxLength: 4, selector: (name) => name.toLowerCase() }),
    evolution,
  })
  .chain(({ table, names, extra, evolution: rules }) => {
    const taken = new Set(names.map((name) => name.toLowerCase()));
    const aliases = names.length === 0 ? [] : extra.filter((name) => !taken.has(name.toLowerCase()));
    return fc.record({
      columns: fc.tuple(...names.map(spec)),
      primary_key: fc.subarray(names),
      owners: fc.tuple(...aliases.map(() => fc.nat({ max: Math.max(0, names.length - 1) }))),
    }).map(({ columns, primary_key, owners }): Contract => {
      owners.forEach((owner, index) => {
        const column = columns[owner] as ColumnSpec;
        column.aliases = [...(column.aliases ?? []), aliases[index] as string];
      });
      return { table, primary_key, columns, evolution: rules };
    });
  });
