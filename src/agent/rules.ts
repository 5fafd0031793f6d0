/**
 * The rules brain: a deterministic, offline architect. Every sustained finding of an
 * incident maps to actions from the closed set by fixed rules (DESIGN.md, "Data
 * contract"), each with the numbers it rests on. It proposes nothing it cannot justify
 * from the evidence: when no fix is safe it halts and says why, and where a person could
 * still choose a lossy-looking option (anything → string) it adds that as a proposal the
 * policy holds for approval.
 */
import type { EnumViolationFinding, Finding, MissingRequiredFinding } from '../sensor/findings.js';

import { describeAction, type ActionKind, type Architect, type Plan, type PlanInput, type PlannedAction } from './actions.js';
import { halt, percent, planned, round, specEvidence, type Context } from './rules-common.js';
import { chooseRenames, planUnknownColumn } from './rules-renames.js';
import { planTypeMismatch } from './rules-types.js';

/** Actions that change the contract, after which a replay can promote quarantined records. */
const SCHEMA_CHANGES: ReadonlySet<ActionKind> = new Set(['add_column', 'widen_type', 'rename_column', 'extend_enum', 'coerce']);
/** Longest halt reason the action schema accepts. */
const MAX_REASON = 2000;

/** The architect with brain `rules`: planRules behind the async Architect interface. */
export function rulesArchitect(): Architect {
  return { brain: 'rules', plan: (input) => Promise.resolve(planRules(input)) };
}
// ---------------------------------------------------------------------------------------
// Enums and everything without a safe fix

function planEnum(finding: EnumViolationFinding, ctx: Context): PlannedAction[] {
  // Only the values that persist are drift: a stray value (a poison pill in the same
  // batches) stays quarantined. A value persists when its own share of the records is
  // above half the drift threshold (the records behind the finding: count / share).
  const records = finding.share > 0 ? finding.count / finding.share : 0;
  const floor = (ctx.contract.evolution.drift_threshold / 2) * records;
  const persistent = finding.newValues.filter((entry) => entry.count > floor);
  const values = persistent.map((entry) => entry.value);
  const stray = finding.newValues.filter((entry) => entry.count <= floor).map((entry) => entry.value);
  const evidence = { column: finding.column, count: finding.count, share: round(finding.share), allowed: finding.allowed, newValues: finding.newValues, stray };
  if (values.length === 0 || ctx.columns.get(finding.column)?.enum === undefined) {
    return [halt(`\`${finding.column}\` violates its enum, but no new value can be named`, 0.5, `The enum finding of \`${finding.column}\` has no values to add.`, evidence)];
  }
  // A few new values are a vocabulary change; many look like free text, not an enum.
  const confidence = Math.max(0.3, 0.9 - 0.1 * (values.length - 1));
  return [planned({ kind: 'extend_enum', column: finding.column, values }, confidence,
    `${values.length} new value(s) of \`${finding.column}\` persist in ${finding.count} records (${percent(finding.share)}): ${values.slice(0, 5).join(', ')}.`, evidence)];
}

const NO_FIX: Record<'missing_required' | 'null_required' | 'range_violation' | 'pattern_violation' | 'malformed' | 'nested_type_change', string> = {
  missing_required: 'is required but missing',
  null_required: 'is required but null',
  range_violation: 'is outside its range',
  pattern_violation: 'does not match its pattern',
  malformed: 'cannot be parsed',
  // json holds anything, so no contract change applies: the consumers of the path must be asked.
  nested_type_change: 'changed type inside its json',
};

function planNoFix(finding: Extract<Finding, { kind: keyof typeof NO_FIX }>, ctx: Context): PlannedAction[] {
  const subject = finding.column === null ? 'The record' : finding.kind === 'nested_type_change' ? `\`${finding.column}.${finding.path}\` (${finding.from.join('/')} → ${finding.to})` : `\`${finding.column}\``;
  const spec = finding.column === null ? undefined : ctx.columns.get(finding.column);
  const { kind, ...rest } = finding;
  const evidence: Record<string, unknown> = { finding: kind, ...rest, share: round(finding.share), ...(spec === undefined ? {} : specEvidence(spec)) };
  return [halt(`${subject} ${NO_FIX[kind]} in ${finding.count} records (${percent(finding.share)})`, 0.9,
    `${subject} ${NO_FIX[kind]} in ${percent(finding.share)} of records and no action in the closed set fixes that, so a person must fix the producer or the contract.`, evidence)];
}

function planFinding(finding: Finding, ctx: Context): PlannedAction[] {
  switch (finding.kind) {
    case 'unknown_column':
      return planUnknownColumn(finding, ctx);
    case 'type_mismatch':
      return planTypeMismatch(finding, ctx);
    case 'enum_violation':
      return planEnum(finding, ctx);
    case 'missing_required': {
      // A planned rename onto this column explains the gap: the records carry it under the new key.
      const explained = [...ctx.renames.values()].some((p) => p.action.kind === 'rename_column' && p.action.to === finding.column);
      return explained ? [] : planNoFix(finding, ctx);
    }
    case 'null_required':
    case 'range_violation':
    case 'pattern_violation':
    case 'malformed':
    case 'nested_type_change':
      return planNoFix(finding, ctx);
    case 'coercion':
      // Coerced values are valid and logged: nothing to fix.
      return [];
  }
}

/** Several causes without a fix become one halt, so the circuit opens once with every reason. */
function mergeHalts(actions: PlannedAction[]): PlannedAction[] {
  const halts = actions.filter((p) => p.action.kind === 'halt');
  if (halts.length < 2) return actions;
  const reasons = halts.map((p) => (p.action.kind === 'halt' ? p.action.reason : ''));
  const merged = halt(reasons.join('; ').slice(0, MAX_REASON), Math.max(...halts.map((p) => p.confidence)),
    `${halts.length} problems have no safe fix: ${halts.map((p) => p.rationale).join(' ')}`, { causes: halts.map((p) => p.evidence) });
  const first = actions.indexOf(halts[0] as PlannedAction);
  return actions.flatMap((p, index) => (index === first ? [merged] : p.action.kind === 'halt' ? [] : [p]));
}

/** The plan for one incident's findings: pure and deterministic (same input, same plan). */
export function planRules(input: PlanInput): Plan {
  const ctx: Context = {
    contract: input.contract,
    columns: new Map(input.contract.columns.map((spec) => [spec.name, spec])),
    stats: input.columnStats,
    renames: new Map(),
    renameSkipped: new Map(),
    missing: new Map(input.findings.filter((f): f is MissingRequiredFinding => f.kind === 'missing_required').map((f) => [f.column, f])),
  };
  chooseRenames(input.findings, ctx);
  const seen = new Set<string>();
  const actions: PlannedAction[] = [];
  for (const finding of input.findings) {
    for (const proposal of planFinding(finding, ctx)) {
      // The same finding merged twice must not plan the same change twice.
      const key = JSON.stringify(proposal.action);
      if (seen.has(key)) continue;
      seen.add(key);
      actions.push(proposal);
    }
  }
  const changes = actions.filter((p) => SCHEMA_CHANGES.has(p.action.kind));
  const result = mergeHalts(actions);
  if (changes.length > 0) {
    result.push(planned({ kind: 'replay' }, 1, 'Replay the incident\'s quarantined records so that those the changes above make valid reach silver.',
      { after: changes.map((p) => describeAction(p.action)) }));
  }
  if (result.length === 0) {
    const reason = input.findings.length === 0 ? 'no sustained findings' : 'the findings need no change';
    result.push(planned({ kind: 'no_op', reason }, 1, `Nothing to change: ${reason}.`, { findings: input.findings.map((f) => `${f.kind}:${f.column ?? '*'}`) }));
  }
  return { brain: 'rules', actions: result };
}
