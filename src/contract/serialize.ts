/**
 * The contract written back out: as the YAML form people edit (readable, commented, loads
 * back to the same Contract) and as canonical JSON, whose hash identifies a version —
 * whitespace or comment edits to the YAML do not change it.
 */
import { createHash } from 'node:crypto';
import { Document, isMap, isScalar, Scalar, type Pair, type YAMLMap } from 'yaml';
import { formatType, type ColumnSpec, type Contract, type EvolutionRules } from './types.js';
import { own } from '../util/dict.js';

/** Comments `contractToYaml` puts into the file. */
export interface ContractYamlComments {
  /** Lines added to the header comment (after the standard ones). */
  header?: string[];
  /** Lines shown above a column's entry, by column name. */
  columns?: Record<string, string[]>;
  /** Lines shown above `primary_key`. */
  primaryKey?: string[];
}

const EVOLUTION_CHOICES: Record<keyof EvolutionRules, string> = {
  new_column: 'evolve | quarantine | ignore | fail',
  type_change: 'widen | quarantine | fail',
  coercion: 'lossless | off',
  rename: 'auto | approve | off',
  drift_threshold: 'share of a window above which a deviation is drift, not noise',
};

/** The YAML form of one column spec (without its name), keys in a fixed order, defaults left out. */
export function columnYaml(column: ColumnSpec): Record<string, unknown> {
  const spec: Record<string, unknown> = { type: formatType(column.type) };
  if (column.required) spec.required = true;
  if (column.enum !== undefined) spec.enum = [...column.enum];
  if (column.min !== undefined) spec.min = column.min;
  if (column.max !== undefined) spec.max = column.max;
  if (column.pattern !== undefined) spec.pattern = column.pattern;
  if (column.aliases !== undefined && column.aliases.length > 0) spec.aliases = [...column.aliases];
  if (column.coercion !== undefined) spec.coercion = column.coercion;
  if (column.description !== undefined) spec.description = column.description;
  return spec;
}

function commentText(lines: readonly string[]): string {
  return lines.map((line) => ` ${line}`).join('\n');
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === key) as Pair | undefined;
}

/** Puts comment lines above a pair: the comment belongs to its key. */
function commentAbove(pair: Pair | undefined, lines: readonly string[] | undefined): void {
  if (pair === undefined || lines === undefined || lines.length === 0) return;
  const key = isScalar(pair.key) ? pair.key : new Scalar(pair.key);
  key.commentBefore = commentText(lines);
  pair.key = key;
}

/** The contract as the YAML form of DESIGN.md, with a header comment and optional notes. */
export function contractToYaml(contract: Contract, comments: ContractYamlComments = {}): string {
  const doc = new Document({
    table: contract.table,
    primary_key: [...contract.primary_key],
    // A Map keeps column order even for names like "2020" that objects would move first.
    columns: new Map(contract.columns.map((column) => [column.name, columnYaml(column)])),
    evolution: { ...contract.evolution },
  });
  doc.commentBefore = commentText([
    `Data contract for table \`${contract.table}\` (agentic-etl).`,
    'Types: string, integer, double, decimal(p,s), boolean, date, timestamp, json.',
    'A column: {type, required, enum, min, max, pattern, aliases, coercion, description}; only type is needed.',
    ...(comments.header ?? []),
  ]);
  const root = doc.contents as unknown as YAMLMap;
  const primaryKey = pairOf(root, 'primary_key');
  if (primaryKey !== undefined && isScalar(primaryKey.value) === false) (primaryKey.value as YAMLMap).flow = true;
  commentAbove(primaryKey, comments.primaryKey);
  const columns = pairOf(root, 'columns')?.value;
  if (isMap(columns)) {
    for (const pair of columns.items) {
      if (isMap(pair.value)) pair.value.flow = true;
      const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
      commentAbove(pair, own(comments.columns, name));
    }
  }
  const evolution = pairOf(root, 'evolution');
  commentAbove(evolution, ['What the agent may do when the data drifts, per kind of change.']);
  if (isMap(evolution?.value)) {
    for (const pair of evolution.value.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key) as keyof EvolutionRules;
      if (isScalar(pair.value)) pair.value.comment = ` ${EVOLUTION_CHOICES[key]}`;
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = canonical(item);
    }
    return out;
  }
  return value;
}

/** A column with its unordered lists sorted and an empty alias list left out. */
function canonicalColumn(column: ColumnSpec): ColumnSpec {
  if (column.enum === undefined && column.aliases === undefined) return column;
  const out: ColumnSpec = { ...column };
  if (column.enum !== undefined) out.enum = [...column.enum].sort();
  if (column.aliases !== undefined) {
    if (column.aliases.length > 0) out.aliases = [...column.aliases].sort();
    else delete out.aliases;
  }
  return out;
}

/**
 * Canonical JSON: keys sorted, absent options left out, enum values and aliases sorted
 * (their order means nothing), column order kept (it is the table's column order).
 */
export function contractToJson(contract: Contract): string {
  return JSON.stringify(canonical({ ...contract, columns: contract.columns.map(canonicalColumn) }));
}

/** sha256 (hex) of the canonical JSON: the identity of a contract version. */
export function contractHash(contract: Contract): string {
  return createHash('sha256').update(contractToJson(contract)).digest('hex');
}
