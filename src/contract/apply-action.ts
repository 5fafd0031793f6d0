/**
 * What an action does to the contract, as a pure function: the actuator records the
 * result as a new contract version (and runs the DDL the change needs). Only additive
 * changes exist here — a column, a wider type, an alias, enum values, coercion — and a
 * change that does not fit the current contract (a stale plan) is refused, never bent
 * to fit. The input is never mutated.
 */
import { describeAction, type Action } from '../agent/actions.js';
import { didYouMean } from '../config/suggest.js';
import { AetlError } from '../util/errors.js';
import { checkContract } from './check-contract.js';
import { NUMERIC_TYPES } from './schema.js';
import { formatType, type ColumnSpec, type ColumnType, type Contract } from './types.js';
import { wideningKind } from './widening.js';

export interface AppliedChange {
  /** The contract after the action: the input itself when nothing changed. */
  contract: Contract;
  /** False when the action changes no contract (quarantine, replay, …) or was already in effect. */
  changed: boolean;
}

function refuse(contract: Contract, label: string, why: string, hint: string): never {
  throw new AetlError('contract_invalid', `Cannot apply ${label} to contract \`${contract.table}\`: ${why}.`, { hint });
}

/** The column named exactly `name` (after trimming), or a refusal that suggests the nearest one. */
function columnIndex(contract: Contract, name: string, label: string): number {
  const wanted = name.trim();
  const index = contract.columns.findIndex((column) => column.name === wanted);
  if (index < 0) {
    const names = contract.columns.map((column) => column.name);
    refuse(contract, label, `it has no column \`${wanted}\`${didYouMean(wanted, names)}`, 'plan against the current contract version');
  }
  return index;
}

/** Who already uses `name`, case ignored: a column by that name, or the column it is an alias of. */
export function nameOwner(contract: Contract, name: string): { column: string; asAlias: boolean } | undefined {
  const lower = name.trim().toLowerCase();
  for (const column of contract.columns) {
    if (column.name.toLowerCase() === lower) return { column: column.name, asAlias: false };
  }
  for (const column of contract.columns) {
    if ((column.aliases ?? []).some((alias) => alias.toLowerCase() === lower)) return { column: column.name, asAlias: true };
  }
  return undefined;
}

/**
 * The column with a new type. Bounds only exist on numeric types, so a widening to
 * string leaves them out (a string column accepts every value the bounds allowed).
 */
export function withType(spec: ColumnSpec, type: ColumnType): ColumnSpec {
  const out: ColumnSpec = { ...spec, type: { ...type } };
  if (!NUMERIC_TYPES.includes(type.name)) {
    delete out.min;
    delete out.max;
  }
  return out;
}

function replaceColumn(contract: Contract, index: number, spec: ColumnSpec): Contract {
  const columns = contract.columns.slice();
  columns[index] = spec;
  return { ...contract, columns };
}

function unchanged(contract: Contract): AppliedChange {
  return { contract, changed: false };
}

/**
 * Applies one action to a contract. Schema-changing kinds (add_column, widen_type,
 * rename_column, extend_enum, coerce) return a new, checked contract; the others leave it
 * as is. Throws AetlError `contract_invalid` when the action does not fit the contract.
 */
export function applyAction(contract: Contract, action: Action): AppliedChange {
  const label = `\`${describeAction(action)}\``;
  switch (action.kind) {
    case 'add_column': {
      const name = action.column.trim();
      const owner = nameOwner(contract, name);
      if (owner !== undefined) {
        const what = owner.asAlias ? `an alias of column \`${owner.column}\`` : `column \`${owner.column}\``;
        refuse(contract, label, `\`${name}\` is already ${what} (case is ignored)`, 'map the key with rename_column, or widen the existing column');
      }
      const column: ColumnSpec = { name, type: { ...action.type }, required: false };
      return { contract: checkContract({ ...contract, columns: [...contract.columns, column] }, label), changed: true };
    }
    case 'widen_type': {
      const index = columnIndex(contract, action.column, label);
      const spec = contract.columns[index] as ColumnSpec;
      const current = formatType(spec.type);
      if (formatType(action.from) !== current) {
        refuse(contract, label, `column \`${spec.name}\` is ${current}, not ${formatType(action.from)}`, 'plan against the current contract version');
      }
      const kind = wideningKind(spec.type, action.to);
      if (kind === 'same') return unchanged(contract);
      if (kind === 'narrowing') {
        refuse(contract, label, `${current} → ${formatType(action.to)} could change or lose values`, 'only lossless widenings are applied; quarantine the records instead');
      }
      return { contract: checkContract(replaceColumn(contract, index, withType(spec, action.to)), label), changed: true };
    }
    case 'rename_column': {
      const index = columnIndex(contract, action.to, label);
      const spec = contract.columns[index] as ColumnSpec;
      const from = action.from.trim();
      // Already mapped this very way: applying it twice is the same as once.
      if ((spec.aliases ?? []).includes(from)) return unchanged(contract);
      const owner = nameOwner(contract, from);
      if (owner !== undefined) {
        const what = owner.asAlias ? `an alias of column \`${owner.column}\`` : `column \`${owner.column}\``;
        refuse(contract, label, `\`${from}\` is already ${what} (case is ignored)`, 'a source field maps onto one column only');
      }
      const renamed: ColumnSpec = { ...spec, aliases: [...(spec.aliases ?? []), from] };
      return { contract: checkContract(replaceColumn(contract, index, renamed), label), changed: true };
    }
    case 'extend_enum': {
      const index = columnIndex(contract, action.column, label);
      const spec = contract.columns[index] as ColumnSpec;
      // No enum means any value is allowed already.
      if (spec.enum === undefined) return unchanged(contract);
      const values = [...spec.enum];
      for (const value of action.values) if (!values.includes(value)) values.push(value);
      if (values.length === spec.enum.length) return unchanged(contract);
      return { contract: checkContract(replaceColumn(contract, index, { ...spec, enum: values }), label), changed: true };
    }
    case 'coerce': {
      const index = columnIndex(contract, action.column, label);
      const spec = contract.columns[index] as ColumnSpec;
      if (spec.type.name !== action.to) {
        refuse(contract, label, `column \`${spec.name}\` is ${formatType(spec.type)}, not ${action.to}`, 'plan against the current contract version');
      }
      if ((spec.coercion ?? contract.evolution.coercion) === 'lossless') return unchanged(contract);
      return { contract: checkContract(replaceColumn(contract, index, { ...spec, coercion: 'lossless' }), label), changed: true };
    }
    case 'quarantine':
    case 'replay':
    case 'halt':
    case 'resume':
    case 'no_op':
      return unchanged(contract);
    default: {
      const unhandled: never = action;
      return unhandled;
    }
  }
}
