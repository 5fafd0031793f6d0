/**
 * Whether a schema action is already in effect in a contract: the column exists with that
 * type, the alias is there, the enum holds the values, coercion is on. The healing loop asks
 * before applying, so a change that committed before a crash — or that another incident,
 * another worker or the user's own edit made — is never applied (nor its DDL run) twice.
 */
import type { Action } from '../agent/actions.js';
import { applyAction } from './apply-action.js';
import { formatType, type Contract } from './types.js';

export function inEffect(contract: Contract, action: Action): boolean {
  switch (action.kind) {
    case 'add_column': {
      const spec = contract.columns.find((column) => column.name === action.column.trim());
      return spec !== undefined && formatType(spec.type) === formatType(action.type);
    }
    case 'widen_type': {
      const spec = contract.columns.find((column) => column.name === action.column);
      return spec !== undefined && formatType(spec.type) === formatType(action.to);
    }
    case 'rename_column':
    case 'extend_enum':
    case 'coerce':
      try {
        return !applyAction(contract, action).changed;
      } catch {
        // It does not fit the contract at all: not in effect (applying it will say why).
        return false;
      }
    case 'quarantine':
    case 'replay':
    case 'halt':
    case 'resume':
    case 'no_op':
      return false;
  }
}
