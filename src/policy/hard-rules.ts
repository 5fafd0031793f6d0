/**
 * The guardrail's hard rules: denials no config and no contract can lift (DESIGN.md,
 * "The closed action set": never drop, never narrow, never free-form SQL). An action a
 * rule names here cannot be applied safely or would not mean what it says, whoever
 * proposed it — the rules brain, an LLM, or a person's edited plan.
 */
import { actionSchema, type Action } from '../agent/actions.js';
import { formatType, type ColumnSpec, type Contract } from '../contract/types.js';
import { isReservedColumnName } from '../contract/schema.js';
import { wideningKind } from '../contract/widening.js';
import { reservedNameDenial } from './reserved-names.js';

/** Identifiers an action names: they reach DDL (quoted) and the contract. */
function identifiersOf(action: Action): string[] {
  switch (action.kind) {
    case 'add_column':
    case 'widen_type':
    case 'coerce':
    case 'extend_enum':
      return [action.column];
    case 'rename_column':
      return [action.from, action.to];
    case 'quarantine':
      return action.column === null ? [] : [action.column];
    case 'replay':
    case 'halt':
    case 'resume':
    case 'no_op':
      return [];
  }
}

function column(contract: Contract, name: string): ColumnSpec | undefined {
  return contract.columns.find((spec) => spec.name === name);
}

/** Column names compare case-insensitively in SQL: `Device` and `device` are one column to DuckDB. */
function columnIgnoringCase(contract: Contract, name: string): ColumnSpec | undefined {
  const lower = name.toLowerCase();
  return contract.columns.find((spec) => spec.name.toLowerCase() === lower);
}

/** The hard rule `action` breaks against `contract`, as a decision reason, or undefined. */
export function hardDenial(action: Action, contract: Contract): string | undefined {
  // A plan that reached us without the schema (a cast, a hand-edited event) is checked again.
  const parsed = actionSchema.safeParse(action);
  if (!parsed.success) return `hard rule: only actions of the closed set are allowed (${parsed.error.issues[0]?.message ?? 'invalid'})`;
  if (identifiersOf(action).some((name) => name.trim() === '' || name.includes('\u0000'))) {
    return 'hard rule: identifiers must be non-empty and contain no NUL character';
  }
  // Its own rule, ahead of the per-kind ones: a system column's name is never a data column's.
  const reserved = action.kind === 'add_column' ? reservedNameDenial(action.column) : undefined;
  if (reserved !== undefined) return reserved;
  switch (action.kind) {
    case 'add_column': {
      if (isReservedColumnName(action.column)) {
        return `hard rule: \`${action.column.trim()}\` cannot be a column name (JavaScript reserves it); map the key onto a column with aliases: [${action.column.trim()}] (a rename), or set evolution.new_column: ignore`;
      }
      const existing = columnIgnoringCase(contract, action.column);
      return existing === undefined ? undefined : `hard rule: add_column of \`${action.column}\`, which exists as \`${existing.name}\``;
    }
    case 'widen_type': {
      const kind = wideningKind(action.from, action.to);
      if (kind === 'narrowing') return 'hard rule: narrowing is never allowed';
      if (kind === 'same') return 'hard rule: widen_type to the same type changes nothing';
      const spec = column(contract, action.column);
      if (spec === undefined) return `hard rule: widen_type of \`${action.column}\`, which is not a contract column`;
      const current = formatType(spec.type);
      if (current !== formatType(action.from)) {
        return `hard rule: widen_type from ${formatType(action.from)} does not match \`${action.column}\`'s current type ${current}`;
      }
      return undefined;
    }
    case 'coerce': {
      const spec = column(contract, action.column);
      if (spec === undefined) return `hard rule: coerce of \`${action.column}\`, which is not a contract column`;
      return spec.type.name === action.to ? undefined : `hard rule: coerce keeps a column's type (${formatType(spec.type)}), it never changes it to ${action.to}`;
    }
    case 'rename_column':
      if (column(contract, action.to) === undefined) return `hard rule: rename onto \`${action.to}\`, which is not a contract column`;
      if (column(contract, action.from) !== undefined) return `hard rule: rename from \`${action.from}\`, which is itself a contract column`;
      return undefined;
    case 'extend_enum': {
      const spec = column(contract, action.column);
      if (spec?.enum === undefined) return `hard rule: extend_enum on \`${action.column}\`, which is not an enum column`;
      return action.values.some((value) => value.includes('\u0000')) ? 'hard rule: enum values must contain no NUL character' : undefined;
    }
    case 'quarantine':
    case 'replay':
    case 'halt':
    case 'resume':
    case 'no_op':
      return undefined;
  }
}
