/**
 * Layering the agent's changes on an edited contract file. The user's file is the base
 * layer; the agent's versions add to it (columns, wider types, aliases, enum values,
 * coercion). When the user edits the file, the agent's additions since the previous file
 * are re-applied on top of the new one, like a rebase: the user's edit wins wherever the
 * two touch the same thing, and every such conflict is reported — an agent change is
 * never dropped in silence.
 */
import { describeChange, diffContracts, type ContractChange } from './diff.js';
import { checkContract } from './check-contract.js';
import { nameOwner, withType } from './apply-action.js';
import { formatType, type ColumnSpec, type Contract } from './types.js';

export interface RebaseResult {
  /** The new user contract with every non-conflicting agent change re-applied. */
  contract: Contract;
  /** One sentence per agent change that was not re-applied, and why. */
  conflicts: string[];
}

/** The working copy: columns replaced, never edited in place, so no input is mutated. */
interface Draft {
  contract: Contract;
  conflicts: string[];
}

function columnOf(contract: Contract, name: string): ColumnSpec | undefined {
  return contract.columns.find((column) => column.name === name);
}

function replace(draft: Draft, spec: ColumnSpec): void {
  draft.contract = { ...draft.contract, columns: draft.contract.columns.map((column) => (column.name === spec.name ? spec : column)) };
}

/** Adds aliases to a column of the draft; one that another column or alias already uses is a conflict. */
function addAliases(draft: Draft, column: string, aliases: readonly string[]): void {
  for (const alias of aliases) {
    const spec = columnOf(draft.contract, column) as ColumnSpec;
    if ((spec.aliases ?? []).includes(alias)) continue;
    const owner = nameOwner(draft.contract, alias);
    if (owner !== undefined) {
      const what = owner.asAlias ? `an alias of \`${owner.column}\`` : `column \`${owner.column}\``;
      draft.conflicts.push(`the agent mapped \`${alias}\` onto \`${column}\`, but your contract has \`${alias}\` as ${what}; kept yours`);
      continue;
    }
    replace(draft, { ...spec, aliases: [...(spec.aliases ?? []), alias] });
  }
}

/** The agent added a column: add it, unless the user's contract already has the name. */
function reapplyColumnAdded(draft: Draft, added: ColumnSpec): void {
  const owner = nameOwner(draft.contract, added.name);
  const mine = columnOf(draft.contract, added.name);
  if (owner !== undefined && mine === undefined) {
    const what = owner.asAlias ? `an alias of \`${owner.column}\`` : `column \`${owner.column}\``;
    draft.conflicts.push(`the agent added column \`${added.name}\` (${formatType(added.type)}), but your contract has that name as ${what}; kept yours`);
    return;
  }
  if (mine === undefined) {
    // Aliases follow one by one, each checked against the user's names.
    const { aliases: _aliases, ...column } = added;
    draft.contract = { ...draft.contract, columns: [...draft.contract.columns, column] };
  } else if (formatType(mine.type) !== formatType(added.type)) {
    draft.conflicts.push(`the agent added column \`${added.name}\` as ${formatType(added.type)}, but your contract has it as ${formatType(mine.type)}; kept yours`);
    return;
  } else if (mine.coercion === undefined && added.coercion !== undefined) {
    // The user adopted the column: it keeps what the agent learned about it since.
    replace(draft, { ...mine, coercion: added.coercion });
  }
  addAliases(draft, added.name, added.aliases ?? []);
}

/** Everything about one column the agent changed, merged attribute by attribute. */
function reapplyColumnChange(draft: Draft, change: ContractChange & { column: string }, base: ColumnSpec, agent: ColumnSpec): void {
  const mine = columnOf(draft.contract, change.column);
  if (mine === undefined) {
    draft.conflicts.push(`the agent changed column \`${change.column}\` (${describeChange(change)}), but your contract no longer has it; kept yours`);
    return;
  }
  switch (change.kind) {
    case 'type_changed': {
      const yours = formatType(mine.type);
      if (yours === change.to) return;
      if (yours !== change.from) {
        draft.conflicts.push(`the agent widened \`${change.column}\` from ${change.from} to ${change.to}, but you changed it to ${yours}; kept yours`);
        return;
      }
      replace(draft, withType(mine, agent.type));
      return;
    }
    case 'aliases_changed':
      addAliases(draft, change.column, change.added);
      if (change.removed.length > 0) notAgentChange(draft, change);
      return;
    case 'enum_changed':
      if (change.from === undefined || change.to === undefined || change.removed.length > 0) {
        notAgentChange(draft, change);
        return;
      }
      // Without an enum the user's column allows every value already.
      if (mine.enum !== undefined) {
        const values = [...mine.enum];
        for (const value of change.added) if (!values.includes(value)) values.push(value);
        replace(draft, { ...mine, enum: values });
      }
      return;
    case 'coercion_changed':
      if (mine.coercion === agent.coercion) return;
      if (mine.coercion !== base.coercion) {
        draft.conflicts.push(`the agent set coercion of \`${change.column}\` to ${agent.coercion ?? 'the contract default'}, but you set it to ${mine.coercion ?? 'the contract default'}; kept yours`);
        return;
      }
      replace(draft, agent.coercion === undefined ? withoutCoercion(mine) : { ...mine, coercion: agent.coercion });
      return;
    case 'bounds_changed':
      // A widening to a non-numeric type drops the bounds with it: part of type_changed.
      if (formatType(agent.type) !== formatType(base.type) && agent.min === undefined && agent.max === undefined) return;
      notAgentChange(draft, change);
      return;
    default:
      notAgentChange(draft, change);
  }
}

function withoutCoercion(spec: ColumnSpec): ColumnSpec {
  const out = { ...spec };
  delete out.coercion;
  return out;
}

/** A difference no agent action makes (a removal, a stricter rule): reported, not re-applied. */
function notAgentChange(draft: Draft, change: ContractChange): void {
  draft.conflicts.push(`${describeChange(change)} is not a change the agent makes; not re-applied`);
}

/**
 * Re-applies the agent's changes since `lastUser` (the previous contract file), as they
 * show in `latestAgent` (the latest version), on top of `newUser` (the edited file).
 * Pure; the result is checked like a contract file and throws AetlError
 * `contract_invalid` only if the merge itself is invalid.
 */
export function rebaseAgentChanges(lastUser: Contract, latestAgent: Contract, newUser: Contract): RebaseResult {
  const draft: Draft = { contract: newUser, conflicts: [] };
  for (const change of diffContracts(lastUser, latestAgent)) {
    switch (change.kind) {
      case 'column_added':
        reapplyColumnAdded(draft, change.spec);
        break;
      case 'column_removed':
      case 'primary_key_changed':
      case 'evolution_changed':
        notAgentChange(draft, change);
        break;
      default:
        reapplyColumnChange(draft, change, columnOf(lastUser, change.column) as ColumnSpec, columnOf(latestAgent, change.column) as ColumnSpec);
    }
  }
  if (draft.contract === newUser) return { contract: newUser, conflicts: draft.conflicts };
  return { contract: checkContract(draft.contract, 'Re-applying the agent’s changes'), conflicts: draft.conflicts };
}
