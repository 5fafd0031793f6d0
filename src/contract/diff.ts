/**
 * What changed between two contract versions, as a closed vocabulary of changes: stored
 * with each version in `_aetl_contracts` and shown in the dashboard's contract history.
 * Columns are matched by exact name; a rename therefore shows as a removal and an addition.
 */
import { formatType, type CoercionMode, type ColumnSpec, type Contract, type EvolutionRules } from './types.js';

export interface Bounds {
  min?: number;
  max?: number;
}

export type ContractChange =
  | { kind: 'column_added'; column: string; spec: ColumnSpec }
  | { kind: 'column_removed'; column: string; spec: ColumnSpec }
  /** Types as spelled in YAML, e.g. `integer` → `double`, `decimal(10,2)` → `decimal(12,2)`. */
  | { kind: 'type_changed'; column: string; from: string; to: string }
  | { kind: 'required_changed'; column: string; from: boolean; to: boolean }
  /** `from`/`to` absent means "no enum" (any value); added/removed compare the two lists. */
  | { kind: 'enum_changed'; column: string; from?: string[]; to?: string[]; added: string[]; removed: string[] }
  | { kind: 'bounds_changed'; column: string; from: Bounds; to: Bounds }
  | { kind: 'pattern_changed'; column: string; from?: string; to?: string }
  /** Source field names mapped onto the column (a rename mapping) gained or lost; order means nothing. */
  | { kind: 'aliases_changed'; column: string; added: string[]; removed: string[] }
  /** The column's own coercion mode; absent means it follows `evolution.coercion`. */
  | { kind: 'coercion_changed'; column: string; from?: CoercionMode; to?: CoercionMode }
  | { kind: 'description_changed'; column: string; from?: string; to?: string }
  | { kind: 'primary_key_changed'; from: string[]; to: string[] }
  | { kind: 'evolution_changed'; key: keyof EvolutionRules; from: string | number; to: string | number };

export type ContractChangeKind = ContractChange['kind'];

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function sortedCopy(values: readonly string[] | undefined): string[] | undefined {
  return values === undefined ? undefined : [...values].sort();
}

function bounds(spec: ColumnSpec): Bounds {
  const out: Bounds = {};
  if (spec.min !== undefined) out.min = spec.min;
  if (spec.max !== undefined) out.max = spec.max;
  return out;
}

function columnChanges(a: ColumnSpec, b: ColumnSpec): ContractChange[] {
  const column = a.name;
  const changes: ContractChange[] = [];
  const fromType = formatType(a.type);
  const toType = formatType(b.type);
  if (fromType !== toType) changes.push({ kind: 'type_changed', column, from: fromType, to: toType });
  if (a.required !== b.required) changes.push({ kind: 'required_changed', column, from: a.required, to: b.required });
  // Enum order carries no meaning: only a different set of values is a change.
  if (!sameList(sortedCopy(a.enum), sortedCopy(b.enum))) {
    const before = new Set(a.enum ?? []);
    const after = new Set(b.enum ?? []);
    const change: ContractChange = {
      kind: 'enum_changed',
      column,
      added: [...after].filter((value) => !before.has(value)),
      removed: [...before].filter((value) => !after.has(value)),
    };
    if (a.enum !== undefined) change.from = [...a.enum];
    if (b.enum !== undefined) change.to = [...b.enum];
    changes.push(change);
  }
  if (a.min !== b.min || a.max !== b.max) changes.push({ kind: 'bounds_changed', column, from: bounds(a), to: bounds(b) });
  if (a.pattern !== b.pattern) changes.push(optional({ kind: 'pattern_changed', column }, a.pattern, b.pattern));
  const aliasesBefore = new Set(a.aliases ?? []);
  const aliasesAfter = new Set(b.aliases ?? []);
  const aliasesAdded = [...aliasesAfter].filter((alias) => !aliasesBefore.has(alias));
  const aliasesRemoved = [...aliasesBefore].filter((alias) => !aliasesAfter.has(alias));
  if (aliasesAdded.length > 0 || aliasesRemoved.length > 0) changes.push({ kind: 'aliases_changed', column, added: aliasesAdded, removed: aliasesRemoved });
  if (a.coercion !== b.coercion) changes.push(optional({ kind: 'coercion_changed', column }, a.coercion, b.coercion));
  if (a.description !== b.description) changes.push(optional({ kind: 'description_changed', column }, a.description, b.description));
  return changes;
}

/** A from/to change with absent sides left out, so the JSON has no undefined. */
function optional<T extends { kind: 'pattern_changed' | 'description_changed' | 'coercion_changed'; column: string }, V extends string>(
  base: T,
  from: V | undefined,
  to: V | undefined,
): T & { from?: V; to?: V } {
  const change: T & { from?: V; to?: V } = { ...base };
  if (from !== undefined) change.from = from;
  if (to !== undefined) change.to = to;
  return change;
}

/** The changes that turn contract `a` into `b`: columns in b's order, then removals, then table-level changes. */
export function diffContracts(a: Contract, b: Contract): ContractChange[] {
  const changes: ContractChange[] = [];
  const before = new Map(a.columns.map((column) => [column.name, column]));
  const after = new Set(b.columns.map((column) => column.name));
  for (const column of b.columns) {
    const old = before.get(column.name);
    if (old === undefined) changes.push({ kind: 'column_added', column: column.name, spec: column });
    else changes.push(...columnChanges(old, column));
  }
  for (const column of a.columns) {
    if (!after.has(column.name)) changes.push({ kind: 'column_removed', column: column.name, spec: column });
  }
  if (!sameList(a.primary_key, b.primary_key)) changes.push({ kind: 'primary_key_changed', from: [...a.primary_key], to: [...b.primary_key] });
  for (const key of Object.keys(b.evolution) as (keyof EvolutionRules)[]) {
    if (a.evolution[key] !== b.evolution[key]) changes.push({ kind: 'evolution_changed', key, from: a.evolution[key], to: b.evolution[key] });
  }
  return changes;
}

function list(values: readonly string[] | undefined): string {
  return values === undefined ? 'any value' : `[${values.join(', ')}]`;
}

function range(b: Bounds): string {
  if (b.min === undefined && b.max === undefined) return 'unbounded';
  return `${b.min ?? '-∞'}..${b.max ?? '∞'}`;
}

/** One readable line per change, for the CLI and the dashboard. */
export function describeChange(change: ContractChange): string {
  switch (change.kind) {
    case 'column_added':
      return `added column ${change.column} (${formatType(change.spec.type)}${change.spec.required ? ', required' : ''})`;
    case 'column_removed':
      return `removed column ${change.column}`;
    case 'type_changed':
      return `${change.column}: type ${change.from} → ${change.to}`;
    case 'required_changed':
      return `${change.column}: ${change.to ? 'now required' : 'no longer required'}`;
    case 'enum_changed':
      if (change.from === undefined || change.to === undefined) return `${change.column}: enum ${list(change.from)} → ${list(change.to)}`;
      return `${change.column}: enum${change.added.length > 0 ? ` +${change.added.join(', +')}` : ''}${change.removed.length > 0 ? ` -${change.removed.join(', -')}` : ''}`;
    case 'bounds_changed':
      return `${change.column}: bounds ${range(change.from)} → ${range(change.to)}`;
    case 'pattern_changed':
      return `${change.column}: pattern ${change.from ?? 'none'} → ${change.to ?? 'none'}`;
    case 'aliases_changed':
      return `${change.column}: aliases${change.added.length > 0 ? ` +${change.added.join(', +')}` : ''}${change.removed.length > 0 ? ` -${change.removed.join(', -')}` : ''}`;
    case 'coercion_changed':
      return `${change.column}: coercion ${change.from ?? 'as evolution.coercion'} → ${change.to ?? 'as evolution.coercion'}`;
    case 'description_changed':
      return `${change.column}: description changed`;
    case 'primary_key_changed':
      return `primary key [${change.from.join(', ')}] → [${change.to.join(', ')}]`;
    case 'evolution_changed':
      return `evolution.${change.key}: ${change.from} → ${change.to}`;
    default: {
      const unhandled: never = change;
      return String(unhandled);
    }
  }
}
