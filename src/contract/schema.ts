/**
 * The contract's YAML form (DESIGN.md, "Data contract") as a zod schema whose output is the
 * Contract model. Structural problems come from zod; the rules a data engineer would check
 * by eye (decimal bounds, enum only on strings, names that collide in case-insensitive
 * engines, primary key columns that exist) are refinements with messages that name the key.
 */
import { z } from 'zod';
import { didYouMean } from '../config/suggest.js';
import { showValue } from '../config/yaml-errors.js';
import { SILVER_SYSTEM_COLUMNS } from '../warehouse/tables.js';
import { compilePattern, PATTERN_SYNTAX_HINT } from './pattern.js';
import { DEFAULT_EVOLUTION, TYPE_NAMES, type ColumnSpec, type ColumnType, type Contract, type TypeName } from './types.js';

/** Type spellings as listed in messages. */
export const TYPE_SPELLINGS = ['string', 'integer', 'double', 'decimal(p,s)', 'boolean', 'date', 'timestamp', 'json'] as const;
export const MAX_DECIMAL_PRECISION = 38;
export const NUMERIC_TYPES: readonly TypeName[] = ['integer', 'double', 'decimal'];

/** Names people reach for from other systems, mapped to ours for "did you mean". */
const TYPE_ALIASES: Record<string, string> = {
  int: 'integer', int32: 'integer', int64: 'integer', bigint: 'integer', long: 'integer', smallint: 'integer',
  float: 'double', float64: 'double', real: 'double', number: 'double',
  numeric: 'decimal(p,s)', money: 'decimal(p,s)',
  bool: 'boolean',
  str: 'string', text: 'string', varchar: 'string', char: 'string',
  datetime: 'timestamp', timestamptz: 'timestamp', time: 'timestamp',
  object: 'json', map: 'json', array: 'json', struct: 'json', variant: 'json',
};

/**
 * Column names JavaScript reserves: zod's record (and any plain object) would drop or
 * misread `__proto__`, so no contract may have that column. As a source field it can still
 * be mapped onto a column with `aliases: [__proto__]`.
 */
export function isReservedColumnName(name: string): boolean {
  return name.trim() === '__proto__';
}

const DECIMAL = /^decimal\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/;

/** Parses a type spelling (`integer`, `decimal(10,2)`; case-insensitive) or says what is wrong. */
export function parseColumnType(spelling: string): { type: ColumnType } | { error: string } {
  const text = spelling.trim().toLowerCase();
  const decimal = DECIMAL.exec(text);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = decimal[2] === undefined ? 0 : Number(decimal[2]);
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
      return { error: `has decimal precision ${precision}; it must be between 1 and ${MAX_DECIMAL_PRECISION}` };
    }
    if (scale > precision) return { error: `has decimal scale ${scale} greater than its precision ${precision}; use decimal(p,s) with s <= p` };
    return { type: { name: 'decimal', precision, scale } };
  }
  if (text === 'decimal' || text.startsWith('decimal(')) {
    return { error: `is ${showValue(spelling)}; write decimal with its precision and scale, e.g. decimal(18,2)` };
  }
  if ((TYPE_NAMES as readonly string[]).includes(text)) return { type: { name: text as TypeName } };
  const alias = TYPE_ALIASES[text];
  const suggestion = alias === undefined ? didYouMean(text, TYPE_SPELLINGS) : ` — did you mean \`${alias}\`?`;
  return { error: `is an unknown type ${showValue(spelling)}${suggestion} (types: ${TYPE_SPELLINGS.join(', ')})` };
}

/** A scalar written in YAML as a number or boolean still names a string value. */
const text = z.preprocess((value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value), z.string());

/**
 * `{type: decimal(10,2)}` is valid-looking YAML that the flow-mapping comma splits into
 * `type: "decimal(10"` and a key `"2)"`; rejoin it, since the intent is unambiguous.
 */
function rejoinSplitDecimal(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const spec = value as Record<string, unknown>;
  if (typeof spec.type !== 'string' || !/^decimal\s*\(\s*\d+\s*$/i.test(spec.type)) return value;
  const tail = Object.keys(spec).find((key) => /^\s*\d+\s*\)$/.test(key) && spec[key] === null);
  if (tail === undefined) return value;
  const { [tail]: _tail, ...rest } = spec;
  return { ...rest, type: `${spec.type},${tail}` };
}

/** Aliases trimmed; empty ones and repeats (ignoring case) are problems. */
function checkedAliases(aliases: readonly string[], problem: (message: string, input: unknown) => void): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const alias of aliases) {
    const name = alias.trim();
    if (name === '') {
      problem('lists an empty alias; each alias is a source field name', alias);
      continue;
    }
    if (seen.has(name.toLowerCase())) {
      problem(`lists ${showValue(name)} twice (case is ignored); list each alias once`, alias);
      continue;
    }
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return out;
}

const columnSpecSchema = z.preprocess(
  rejoinSplitDecimal,
  z.strictObject({
    type: z.string(),
    required: z.boolean().default(false),
    enum: z.array(text).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    pattern: z.string().optional(),
    aliases: z.array(text).optional(),
    coercion: z.enum(['lossless', 'off']).optional(),
    description: z.string().optional(),
  })
  .transform((spec, ctx): Omit<ColumnSpec, 'name'> => {
    const problem = (key: string, message: string, input?: unknown) => ctx.issues.push({ code: 'custom', path: [key], message, input });
    const parsed = parseColumnType(spec.type);
    if ('error' in parsed) {
      problem('type', parsed.error, spec.type);
      return { type: { name: 'string' }, required: spec.required };
    }
    const type = parsed.type;
    const spelled = type.name === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.name;
    if (spec.enum !== undefined) {
      if (type.name !== 'string') problem('enum', `is only allowed with type string (this column is ${spelled}); bound numbers with min/max`);
      const seen = new Set<string>();
      for (const value of spec.enum) {
        if (seen.has(value)) problem('enum', `lists ${showValue(value)} twice; list each allowed value once`);
        seen.add(value);
      }
    }
    const numeric = NUMERIC_TYPES.includes(type.name);
    for (const key of ['min', 'max'] as const) {
      if (spec[key] !== undefined && !numeric) problem(key, `is only allowed with numeric types (integer, double, decimal); this column is ${spelled}`);
    }
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
      problem('min', `(${spec.min}) is greater than max (${spec.max}); swap them or fix one`);
    }
    if (spec.pattern !== undefined) {
      if (type.name !== 'string') problem('pattern', `is only allowed with type string; this column is ${spelled}`);
      const compiled = compilePattern(spec.pattern);
      if ('error' in compiled) problem('pattern', `is not a valid RE2 pattern: ${compiled.error}; ${PATTERN_SYNTAX_HINT}`, spec.pattern);
    }
    const aliases = spec.aliases === undefined ? [] : checkedAliases(spec.aliases, (message, input) => problem('aliases', message, input));
    const column: Omit<ColumnSpec, 'name'> = { type, required: spec.required };
    if (spec.enum !== undefined) column.enum = spec.enum;
    if (spec.min !== undefined) column.min = spec.min;
    if (spec.max !== undefined) column.max = spec.max;
    if (spec.pattern !== undefined) column.pattern = spec.pattern;
    // `aliases: []` means none: left out, so that it equals (and hashes like) no list at all.
    if (aliases.length > 0) column.aliases = aliases;
    if (spec.coercion !== undefined) column.coercion = spec.coercion;
    if (spec.description !== undefined) column.description = spec.description;
    return column;
  }),
);

const COLUMN_KEYS = ['type', 'required', 'enum', 'min', 'max', 'pattern', 'aliases', 'coercion', 'description'] as const;

const evolutionSchema = z.preprocess(
  // `evolution:` with nothing under it reads as null: all defaults.
  (value) => value ?? undefined,
  z
  .strictObject({
    new_column: z.enum(['evolve', 'quarantine', 'ignore', 'fail']).default(DEFAULT_EVOLUTION.new_column),
    type_change: z.enum(['widen', 'quarantine', 'fail']).default(DEFAULT_EVOLUTION.type_change),
    coercion: z.enum(['lossless', 'off']).default(DEFAULT_EVOLUTION.coercion),
    rename: z.enum(['auto', 'approve', 'off']).default(DEFAULT_EVOLUTION.rename),
    drift_threshold: z.number().gt(0).max(1).default(DEFAULT_EVOLUTION.drift_threshold),
  })
  .default(() => ({ ...DEFAULT_EVOLUTION })),
);

const SYSTEM_COLUMN_NAMES = new Set(SILVER_SYSTEM_COLUMNS.map((column) => column.name.toLowerCase()));

/**
 * An alias must name one column only: not a column's own name and not another column's
 * alias, case ignored, or a record key could mean two columns.
 */
function checkAliasClashes(columns: readonly ColumnSpec[], byLowerName: ReadonlyMap<string, string>, problem: (path: PropertyKey[], message: string) => void): void {
  const owners = new Map<string, string>();
  for (const column of columns) {
    (column.aliases ?? []).forEach((alias, index) => {
      const lower = alias.toLowerCase();
      const asColumn = byLowerName.get(lower);
      const owner = owners.get(lower);
      if (asColumn !== undefined) {
        problem(['columns', column.name, 'aliases', index], `${showValue(alias)} is the name of column \`${asColumn}\` (case is ignored); an alias must be a name no column has`);
      } else if (owner !== undefined) {
        problem(['columns', column.name, 'aliases', index], `${showValue(alias)} is already an alias of column \`${owner}\` (case is ignored); map a source field onto one column only`);
      } else {
        owners.set(lower, column.name);
      }
    });
  }
}

export const contractSchema = z
  .strictObject({
    table: z.string().trim().min(1),
    // One key may be written as a plain string: `primary_key: event_id`.
    primary_key: z.preprocess((value) => (typeof value === 'string' ? [value] : (value ?? [])), z.array(z.string().trim().min(1))),
    columns: z
      .unknown()
      .superRefine((value, ctx) => {
        // zod's record drops this key without a word; a column must never vanish silently.
        if (value === null || typeof value !== 'object') return;
        for (const key of Object.keys(value).filter(isReservedColumnName)) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is a name JavaScript reserves for objects; rename the column' });
        }
      })
      .pipe(z.record(z.string(), columnSpecSchema)),
    evolution: evolutionSchema,
  })
  .transform((raw, ctx): Contract => {
    const problem = (path: PropertyKey[], message: string) => ctx.issues.push({ code: 'custom', path, message, input: undefined });
    if (raw.table.toLowerCase().startsWith('_aetl_')) problem(['table'], `${showValue(raw.table)} uses the prefix _aetl_, which is reserved for agentic-etl's own tables`);
    const columns: ColumnSpec[] = [];
    const byLowerName = new Map<string, string>();
    for (const [key, spec] of Object.entries(raw.columns)) {
      const name = key.trim();
      if (name === '') {
        problem(['columns', key], `is an empty column name; give the column a name`);
        continue;
      }
      const lower = name.toLowerCase();
      const clash = byLowerName.get(lower);
      if (clash !== undefined) {
        problem(['columns', key], `collides with \`${clash}\`: column names equal when case is ignored collide in case-insensitive engines; rename or remove one`);
      } else if (SYSTEM_COLUMN_NAMES.has(lower)) {
        problem(['columns', key], `is the name of a system column agentic-etl adds to every table; rename it`);
      }
      byLowerName.set(lower, name);
      columns.push({ name, ...spec });
    }
    checkAliasClashes(columns, byLowerName, problem);
    const names = columns.map((column) => column.name);
    raw.primary_key.forEach((key, index) => {
      if (!names.includes(key)) problem(['primary_key', index], `names \`${key}\`, which is not a column${didYouMean(key, names)}`);
      if (raw.primary_key.indexOf(key) !== index) problem(['primary_key', index], `lists \`${key}\` twice`);
    });
    return { table: raw.table, primary_key: raw.primary_key, columns, evolution: raw.evolution };
  });

/** Valid keys at a path, for "did you mean" on unknown keys. */
export function contractKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(contractSchema.in.shape);
  if (path[0] === 'evolution') return Object.keys(DEFAULT_EVOLUTION);
  return COLUMN_KEYS;
}
