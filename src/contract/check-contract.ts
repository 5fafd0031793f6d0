/**
 * Checks a Contract built in code (by an action, a rebase) with the very rules a contract
 * file is checked with: the model is put back into its YAML shape and parsed by
 * contractSchema, so there is one definition of "valid" and no second copy to drift.
 */
import { AetlError } from '../util/errors.js';
import { contractSchema } from './schema.js';
import { columnYaml } from './serialize.js';
import type { Contract } from './types.js';

/**
 * The contract as contractSchema parses it, columns in their order. Throws AetlError
 * `contract_invalid` naming `what` (e.g. "add_column session_id") and every problem.
 */
export function checkContract(contract: Contract, what: string): Contract {
  const input = {
    table: contract.table,
    primary_key: [...contract.primary_key],
    // fromEntries defines own properties, so even a column named `__proto__` survives.
    columns: Object.fromEntries(contract.columns.map((column) => [column.name, columnYaml(column)])),
    evolution: { ...contract.evolution },
  };
  const result = contractSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.')} ${issue.message}`);
    throw new AetlError('contract_invalid', `${what} would make contract \`${contract.table}\` invalid: ${problems.join('; ')}.`, {
      hint: 'the change was not applied; fix the plan or the contract file so that the result is a valid contract',
    });
  }
  const order = new Map(contract.columns.map((column, index) => [column.name, index]));
  result.data.columns.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return result.data;
}
