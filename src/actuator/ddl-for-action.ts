/**
 * The schema statements an approved action needs on a contract's silver table. Only two
 * kinds touch the schema: add_column (a nullable column) and widen_type (a lossless type
 * change). Renames, enum extensions and coercion live in the contract alone — silver keeps
 * its column names and types — and the rest act on the loop, not the table.
 */
import { formatType, type Contract } from '../contract/types.js';
import { wideningKind } from '../contract/widening.js';
import type { Action } from '../agent/actions.js';
import { AetlError } from '../util/errors.js';
import { addColumnSql, alterColumnTypeSql } from '../warehouse/ddl.js';
import type { Dialect } from '../warehouse/warehouse.js';

/**
 * SQL for `action` on `contract.table`, in the order to run it (see applyDdl). Every
 * identifier goes through the dialect's quoting. A widening that is not lossless (nor a
 * change to string, which the policy gates behind approval) is refused: the actuator
 * never narrows, whatever the plan says.
 */
export function ddlForAction(dialect: Dialect, contract: Contract, action: Action): string[] {
  switch (action.kind) {
    case 'add_column':
      return [addColumnSql(dialect, contract.table, { name: action.column, type: action.type })];
    case 'widen_type':
      switch (wideningKind(action.from, action.to)) {
        case 'same':
          return [];
        case 'lossless':
        case 'needs_approval':
          return [alterColumnTypeSql(dialect, contract.table, action.column, action.to)];
        case 'narrowing':
          throw new AetlError(
            'internal',
            `widen_type on column \`${action.column}\` of \`${contract.table}\` from ${formatType(action.from)} to ${formatType(action.to)} would narrow it`,
            { hint: 'only lossless widenings are applied (contract/widening.ts); quarantine the records instead' },
          );
      }
      break;
    case 'rename_column':
    case 'extend_enum':
    case 'coerce':
    case 'quarantine':
    case 'replay':
    case 'halt':
    case 'resume':
    case 'no_op':
      return [];
  }
}
