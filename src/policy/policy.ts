/**
 * The guardrail: per planned action, apply automatically, wait for a person, or deny.
 * Pure. Three layers, strictest wins where they meet:
 * 1. hard rules (hard-rules.ts): deny, whatever the config or the contract says;
 * 2. the contract's evolution rules: what its author allows for this table;
 * 3. `policy:` in agentic-etl.yaml, else the safe defaults (DEFAULT_POLICY).
 * Besides, `max_table_columns` (agentic-etl.yaml) bounds how wide add_column may make a table.
 */
import type { Action, ActionKind, Plan } from '../agent/actions.js';
import type { Contract } from '../contract/types.js';
import { wideningKind } from '../contract/widening.js';
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from '../sensor/limits.js';
import { hardDenial } from './hard-rules.js';
import type { Decision, PolicyConfig, PolicyVerdict } from './types.js';

/**
 * Additive changes apply themselves; renames and enum extensions change what existing
 * data means, so a person approves them; resume closes a circuit a person opened on purpose.
 */
export const DEFAULT_POLICY: Readonly<Record<ActionKind, PolicyVerdict>> = {
  add_column: 'auto',
  widen_type: 'auto',
  coerce: 'auto',
  rename_column: 'approve',
  extend_enum: 'approve',
  quarantine: 'auto',
  replay: 'auto',
  halt: 'auto',
  resume: 'approve',
  no_op: 'auto',
};

const STRICTNESS: Record<PolicyVerdict, number> = { auto: 0, approve: 1, deny: 2 };

interface Ruling {
  verdict: PolicyVerdict;
  reason: string;
}

/** The stricter of two rulings; on a tie the first (the more specific rule) speaks. */
function stricter(a: Ruling, b: Ruling): Ruling {
  return STRICTNESS[b.verdict] > STRICTNESS[a.verdict] ? b : a;
}

/** The contract's evolution rule that denies `action` outright, if any. */
function contractDenial(action: Action, contract: Contract): string | undefined {
  const evolution = contract.evolution;
  if (action.kind === 'add_column' && evolution.new_column !== 'evolve') return `contract evolution.new_column = ${evolution.new_column}`;
  if (action.kind === 'widen_type' && evolution.type_change !== 'widen') return `contract evolution.type_change = ${evolution.type_change}`;
  if (action.kind === 'rename_column' && evolution.rename === 'off') return 'contract evolution.rename = off';
  return undefined;
}

/** The configured (or default) verdict, with the contract's and the to-string floors applied. */
function configured(action: Action, config: PolicyConfig, contract: Contract): Ruling {
  const kind = action.kind;
  const set = config[kind];
  const base: Ruling = set === undefined
    ? { verdict: DEFAULT_POLICY[kind], reason: `policy.${kind} = ${DEFAULT_POLICY[kind]} (default)` }
    : { verdict: set, reason: `policy.${kind} = ${set} (config)` };
  switch (action.kind) {
    case 'rename_column': {
      const mode = contract.evolution.rename;
      // The contract's author said how renames of this table go; the config may only be stricter.
      if (mode === 'auto') return set === undefined ? { verdict: 'auto', reason: 'contract evolution.rename = auto' } : base;
      return stricter(base, { verdict: 'approve', reason: `contract evolution.rename = ${mode}` });
    }
    case 'widen_type':
      // Anything → string keeps every value but loses its type: only ever with a person's approval.
      if (wideningKind(action.from, action.to) !== 'needs_approval') return base;
      if (set === undefined) return { verdict: 'approve', reason: 'policy.widen_type = approve (default for a change to string)' };
      return stricter(base, { verdict: 'approve', reason: `a change to string always needs approval (${base.reason} does not lift it)` });
    default:
      return base;
  }
}

/** One decision per planned action, in plan order. */
export function decide(plan: Plan, config: PolicyConfig, contract: Contract, limits: Pick<RecordLimits, 'maxTableColumns'> = DEFAULT_RECORD_LIMITS): Decision[] {
  // Names a plan adds are judged against each other too: `Foo` and `foo` from one batch
  // would merge on an engine that folds case, so only the first may be added.
  const adding = new Map<string, string>();
  let added = 0;
  return plan.actions.map((planned) => {
    const hard = hardDenial(planned.action, contract) ?? sameBatchCollision(planned.action, adding);
    if (hard !== undefined) return { planned, verdict: 'deny', reason: hard };
    const bound = contractDenial(planned.action, contract) ?? widthDenial(planned.action, contract, added, limits.maxTableColumns);
    if (bound !== undefined) return { planned, verdict: 'deny', reason: bound };
    if (planned.action.kind === 'add_column') added += 1;
    const ruling = configured(planned.action, config, contract);
    return { planned, verdict: ruling.verdict, reason: ruling.reason };
  });
}

/**
 * add_column past max_table_columns: a record used as a map (a key per user) would otherwise
 * widen the table by a column per key until the warehouse runs out of memory or columns.
 */
function widthDenial(action: Action, contract: Contract, added: number, maxColumns: number): string | undefined {
  if (action.kind !== 'add_column') return undefined;
  const width = contract.columns.length + added;
  if (width < maxColumns) return undefined;
  return (
    `max_table_columns: \`${contract.table}\` ${added === 0 ? 'has' : 'would have'} ${width} columns, the most agentic-etl.yaml allows (max_table_columns: ${maxColumns}); ` +
    'raise max_table_columns, or set evolution.new_column: ignore to keep new keys in bronze only'
  );
}

function sameBatchCollision(action: Plan['actions'][number]['action'], adding: Map<string, string>): string | undefined {
  if (action.kind !== 'add_column') return undefined;
  const folded = action.column.trim().toLowerCase();
  const first = adding.get(folded);
  if (first !== undefined) return `hard rule: add_column of \`${action.column}\` collides with \`${first}\`, added by the same plan (names differing only by case never merge)`;
  adding.set(folded, action.column);
  return undefined;
}
