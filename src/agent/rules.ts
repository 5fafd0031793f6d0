/**
 * The rules brain: a deterministic, offline architect. Every sustained finding of an
 * incident maps to actions from the closed set by fixed rules (DESIGN.md, "Data
 * contract"), each with the numbers it rests on. It proposes nothing it cannot justify
 * from the evidence: when no fix is safe it halts and says why, and where a person could
 * still choose a lossy-looking option (anything → string) it adds that as a proposal the
 * policy holds for approval.
 */
import { formatType, type ColumnSpec, type ColumnType, type Contract, type TypeName } from '../contract/types.js';
import { valueFitsWidening, wideningKind } from '../contract/widening.js';
import { compileCoercer } from '../sensor/coerce.js';
import type { EnumViolationFinding, Finding, MissingRequiredFinding, TypeMismatchFinding, UnknownColumnFinding } from '../sensor/findings.js';
import { inferType } from '../sensor/infer-type.js';
import { canonicalNumeral, splitNumeral } from '../sensor/numerals.js';
import { renameDistance } from '../sensor/similar-names.js';
import { TEXT_FLOAT_NUMERAL } from '../sensor/values.js';
import { looseName } from '../util/names.js';
import { describeAction, type Action, type ActionKind, type Architect, type Plan, type PlanInput, type PlannedAction } from './actions.js';

/** Actions that change the contract, after which a replay can promote quarantined records. */
const SCHEMA_CHANGES: ReadonlySet<ActionKind> = new Set(['add_column', 'widen_type', 'rename_column', 'extend_enum', 'coerce']);
/** Widest decimal any warehouse we target holds. */
const MAX_DECIMAL_PRECISION = 38;
/** Longest halt reason the action schema accepts. */
const MAX_REASON = 2000;

/** The architect with brain `rules`: planRules behind the async Architect interface. */
export function rulesArchitect(): Architect {
  return { brain: 'rules', plan: (input) => Promise.resolve(planRules(input)) };
}

interface Context {
  contract: Contract;
  columns: Map<string, ColumnSpec>;
  stats: PlanInput['columnStats'];
  /** Renames chosen, by unknown key. */
  renames: Map<string, PlannedAction>;
  /** Why a key with `renameOf` is not renamed, by unknown key. */
  renameSkipped: Map<string, string>;
  missing: Map<string, MissingRequiredFinding>;
}

const round = (value: number): number => Math.round(value * 100) / 100;
const percent = (share: number): string => `${round(share * 100)}%`;

function planned(action: Action, confidence: number, rationale: string, evidence: Record<string, unknown>): PlannedAction {
  return { action, confidence: round(Math.min(1, Math.max(0, confidence))), rationale, evidence };
}

function halt(reason: string, confidence: number, rationale: string, evidence: Record<string, unknown>): PlannedAction {
  return planned({ kind: 'halt', reason }, confidence, rationale, evidence);
}

/** A finding's sample back as the value it was: samples of type mismatches are JSON text (shortened ones stay text). */
function parseSample(sample: unknown): unknown {
  if (typeof sample !== 'string') return sample;
  try {
    return JSON.parse(sample) as unknown;
  } catch {
    return sample;
  }
}

function nonNullTypes(observed: Partial<Record<string, number>>): string[] {
  return Object.entries(observed)
    .filter(([type, count]) => type !== 'null' && (count ?? 0) > 0)
    .map(([type]) => type);
}

function specEvidence(spec: ColumnSpec): Record<string, unknown> {
  const evidence: Record<string, unknown> = { contractType: formatType(spec.type), required: spec.required };
  if (spec.enum !== undefined) evidence.enum = spec.enum;
  if (spec.min !== undefined) evidence.min = spec.min;
  if (spec.max !== undefined) evidence.max = spec.max;
  if (spec.pattern !== undefined) evidence.pattern = spec.pattern;
  return evidence;
}

// ---------------------------------------------------------------------------------------
// Renames

/**
 * How alike the names are, as a probability that one replaced the other: a case or
 * separator change is almost surely a rename; a whole word added or dropped
 * (`device` → `device_type`) nearly so; typos and abbreviations are guesses.
 */
function nameScore(key: string, column: string): { score: number; distance: number | null; relation: string } {
  const distance = renameDistance(key, column) ?? null;
  if (distance === 0) return { score: 0.95, distance, relation: 'same name up to case and separators' };
  const words = (name: string): string[] => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[\s_\-.]+/).filter((w) => w !== '');
  const [a, b] = [words(key), words(column)];
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const joined = ` ${long.join(' ')} `;
  if (short.length > 0 && short.length < long.length && joined.includes(` ${short.join(' ')} `)) {
    return { score: 0.9, distance, relation: 'one name is the other with a word added' };
  }
  if (distance === 1) return { score: 0.75, distance, relation: 'one-letter typo' };
  if (distance === 2) return { score: 0.7, distance, relation: 'two-letter typo' };
  if (distance === 3) return { score: 0.7, distance, relation: 'abbreviation' };
  return { score: 0.5, distance, relation: 'names not alike by our measure' };
}

/** Whether the key's values fit the column: same type, a lossless widening into it, or every sample accepted. */
function typeFit(finding: UnknownColumnFinding, spec: ColumnSpec, contract: Contract): { factor: number; fit: string } | undefined {
  if (nonNullTypes(finding.observedTypes).length === 0) return { factor: 0.8, fit: 'only nulls observed' };
  const kind = wideningKind({ name: finding.inferredType }, spec.type);
  if (kind === 'same') return { factor: 1, fit: 'same type' };
  if (kind === 'lossless') return { factor: 0.95, fit: `lossless widening ${finding.inferredType} → ${formatType(spec.type)}` };
  const coerce = compileCoercer(spec.type, contract.evolution.coercion);
  if (finding.samples.length > 0 && finding.samples.every((sample) => coerce(sample, false).ok)) {
    return { factor: 0.85, fit: `every sample fits ${formatType(spec.type)}` };
  }
  return undefined;
}

/** The rename proposal for a key with `renameOf`, or why there is none. */
function renameProposal(finding: UnknownColumnFinding, ctx: Context): PlannedAction | string {
  const column = finding.renameOf as string;
  const spec = ctx.columns.get(column);
  if (spec === undefined) return `renameOf names \`${column}\`, which is not a contract column`;
  if (ctx.contract.evolution.rename === 'off') return 'contract evolution.rename = off';
  const fit = typeFit(finding, spec, ctx.contract);
  if (fit === undefined) return `its values (${finding.inferredType}) do not fit \`${column}\` (${formatType(spec.type)})`;
  const name = nameScore(finding.column, column);
  const missing = ctx.missing.get(column);
  const evidence: Record<string, unknown> = {
    from: finding.column,
    to: column,
    keyRecords: finding.count,
    keyShare: round(finding.share),
    // The sensor sets renameOf only when at least 90% of the key's records lack the column.
    keyRecordsLackingColumnShareAtLeast: 0.9,
    nameRelation: name.relation,
    nameDistance: name.distance,
    nameScore: name.score,
    inferredType: finding.inferredType,
    contractType: formatType(spec.type),
    typeFit: fit.fit,
    observedTypes: finding.observedTypes,
    samples: finding.samples,
  };
  if (missing !== undefined) evidence.columnMissingRequired = { count: missing.count, share: round(missing.share) };
  const rationale =
    `Key \`${finding.column}\` appears in ${finding.count} records that lack \`${column}\` ` +
    `(${name.relation}, ${fit.fit}), so it is probably \`${column}\` renamed.`;
  return planned({ kind: 'rename_column', from: finding.column, to: column }, name.score * fit.factor, rationale, evidence);
}

/** Chooses at most one rename per contract column: the most confident, then the most frequent key. */
function chooseRenames(findings: readonly Finding[], ctx: Context): void {
  const best = new Map<string, { planned: PlannedAction; count: number; key: string }>();
  for (const finding of findings) {
    if (finding.kind !== 'unknown_column' || finding.renameOf === undefined) continue;
    const proposal = renameProposal(finding, ctx);
    if (typeof proposal === 'string') {
      ctx.renameSkipped.set(finding.column, proposal);
      continue;
    }
    const current = best.get(finding.renameOf);
    const better =
      current === undefined ||
      proposal.confidence > current.planned.confidence ||
      (proposal.confidence === current.planned.confidence && finding.count > current.count);
    if (better) {
      if (current !== undefined) ctx.renameSkipped.set(current.key, `\`${finding.column}\` is the likelier rename of \`${finding.renameOf}\``);
      best.set(finding.renameOf, { planned: proposal, count: finding.count, key: finding.column });
    } else {
      ctx.renameSkipped.set(finding.column, `\`${current.key}\` is the likelier rename of \`${finding.renameOf}\``);
    }
  }
  for (const { planned: proposal, key } of best.values()) ctx.renames.set(key, proposal);
}

// ---------------------------------------------------------------------------------------
// Unknown keys

function planUnknownColumn(finding: UnknownColumnFinding, ctx: Context): PlannedAction[] {
  const rename = ctx.renames.get(finding.column);
  if (rename !== undefined) return [rename];
  const key = finding.column;
  const evidence: Record<string, unknown> = {
    column: key,
    count: finding.count,
    share: round(finding.share),
    inferredType: finding.inferredType,
    observedTypes: finding.observedTypes,
    samples: finding.samples,
  };
  const skipped = ctx.renameSkipped.get(key);
  if (finding.renameOf !== undefined) Object.assign(evidence, { renameOf: finding.renameOf, renameNotProposed: skipped });
  // A name equal to a column's up to case or separators is never a silent new column (DESIGN.md).
  const twin = [...ctx.columns.keys()].find((column) => looseName(column) === looseName(key));
  if (twin !== undefined) {
    return [halt(`key \`${key}\` differs from column \`${twin}\` only by case or separators, and records carry both`, 0.9,
      `Key \`${key}\` looks like column \`${twin}\` but appears beside it, so neither a new column nor a rename is safe.`, { ...evidence, similarColumn: twin })];
  }
  const mode = ctx.contract.evolution.new_column;
  switch (mode) {
    case 'evolve': {
      const types = nonNullTypes(finding.observedTypes);
      const mixed = finding.inferredType === 'string' && types.length > 1;
      const confidence = types.length === 0 ? 0.5 : mixed ? 0.6 : 0.9;
      let why = `every observed value is ${finding.inferredType}`;
      if (types.length === 0) why = 'only nulls were seen, so string is a guess';
      else if (mixed) why = `its values are mixed (${types.join(', ')}), so only string holds them all`;
      return [planned({ kind: 'add_column', column: key, type: { name: finding.inferredType } }, confidence,
        `New key \`${key}\` appears in ${finding.count} records (${percent(finding.share)}) and ${why}.`, evidence)];
    }
    case 'quarantine':
      return [planned({ kind: 'quarantine', column: key, reason: 'contract evolution.new_column = quarantine' }, 0.9,
        `The contract keeps records with new keys such as \`${key}\` in quarantine.`, evidence)];
    case 'ignore':
      return [planned({ kind: 'no_op', reason: `contract evolution.new_column = ignore: \`${key}\` stays in bronze only` }, 0.9,
        `The contract ignores new keys, so \`${key}\` needs no change.`, evidence)];
    case 'fail':
      return [halt(`new key \`${key}\` and contract evolution.new_column = fail`, 0.9,
        `The contract forbids new keys and ${finding.count} records carry \`${key}\`.`, evidence)];
  }
}

// ---------------------------------------------------------------------------------------
// Type changes

/** A widening that keeps every value; one that would be needed but loses some; or none at all. */
type Target =
  | { kind: 'widen'; to: ColumnType; confidence: number; why: string }
  | { kind: 'unsafe'; why: string }
  | { kind: 'incompatible'; why: string };

/** Whether a numeric sample is the same number as a double: not an integer beyond ±2^53, not a numeral a double rounds. */
function exactAsDouble(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
  if (typeof value === 'string') return canonicalNumeral(value) === canonicalNumeral(String(Number(value)));
  return false;
}

/** The numeral text of a numeric sample, for digit counting. */
function numeralOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && TEXT_FLOAT_NUMERAL.test(value)) return value;
  return undefined;
}

/** The narrowest decimal(p,s) at least as wide as `from` that holds every sample, or why none does. */
function widerDecimal(from: ColumnType, values: readonly unknown[]): ColumnType | string {
  let integer = (from.precision ?? 18) - (from.scale ?? 0);
  let scale = from.scale ?? 0;
  for (const value of values) {
    const text = numeralOf(value);
    if (text === undefined) return `sample ${JSON.stringify(value)} is not a numeral`;
    const { digits, exponent } = splitNumeral(text);
    integer = Math.max(integer, digits.length + exponent);
    scale = Math.max(scale, -exponent);
  }
  if (integer + scale > MAX_DECIMAL_PRECISION) return `the samples need decimal(${integer + scale},${scale}), beyond precision ${MAX_DECIMAL_PRECISION}`;
  return { name: 'decimal', precision: integer + scale, scale };
}

function widenTarget(spec: ColumnSpec, values: readonly unknown[], ctx: Context): Target {
  const from = spec.type;
  // CSV-style reading: a numeral is a number here, since widening plus typing would read it as one.
  const inferred: TypeName = inferType(values, true).name;
  const numeric = inferred === 'integer' || inferred === 'double';
  if (from.name === 'integer' && numeric) {
    const inexact = values.filter((value) => !exactAsDouble(value));
    if (inexact.length > 0) return { kind: 'unsafe', why: `sample(s) ${JSON.stringify(inexact)} are not exact as doubles` };
    const stats = ctx.stats[spec.name];
    const to: ColumnType = { name: 'double' };
    for (const bound of [stats?.min, stats?.max]) {
      if (bound === null || bound === undefined) continue;
      if (!Number.isFinite(bound) || !valueFitsWidening(BigInt(Math.trunc(bound)), from, to)) {
        return { kind: 'unsafe', why: `stored value ${bound} is beyond ±2^53, where a double loses digits` };
      }
    }
    return { kind: 'widen', to, confidence: 0.9, why: 'fractional numbers arrive and every stored value is within ±2^53' };
  }
  if (from.name === 'decimal' && numeric) {
    const to = widerDecimal(from, values);
    if (typeof to === 'string') return { kind: 'unsafe', why: to };
    if (wideningKind(from, to) !== 'lossless') return { kind: 'unsafe', why: `${formatType(from)} → ${formatType(to)} is not a lossless widening` };
    return { kind: 'widen', to, confidence: 0.85, why: `the samples need ${formatType(to)}` };
  }
  if (from.name === 'date' && inferred === 'timestamp') {
    return { kind: 'widen', to: { name: 'timestamp' }, confidence: 0.9, why: 'timestamps arrive where dates were' };
  }
  return { kind: 'incompatible', why: `values of type ${inferred} do not fit ${formatType(from)} by any lossless widening` };
}

/** The person's option for an incompatible change: the column as string, when that takes every sample. */
function stringOption(spec: ColumnSpec, values: readonly unknown[], ctx: Context, evidence: Record<string, unknown>): PlannedAction[] {
  const to: ColumnType = { name: 'string' };
  if (wideningKind(spec.type, to) !== 'needs_approval') return [];
  const coerce = compileCoercer(to, ctx.contract.evolution.coercion);
  if (values.length === 0 || !values.every((value) => coerce(value, false).ok)) return [];
  return [planned({ kind: 'widen_type', column: spec.name, from: spec.type, to }, 0.3,
    `If a person accepts it, \`${spec.name}\` as string holds both the stored ${formatType(spec.type)} values and the new ones.`,
    { ...evidence, note: 'the column loses its type: numeric comparisons, min/max and sums no longer apply' })];
}

/** Whether every value converts losslessly into `type` by a (logged) coercion. */
function allCoercible(type: ColumnType, values: readonly unknown[]): boolean {
  const coerce = compileCoercer(type, 'lossless');
  return values.length > 0 && values.every((value) => {
    const result = coerce(value, false);
    return result.ok && result.coerced;
  });
}

function planTypeMismatch(finding: TypeMismatchFinding, ctx: Context): PlannedAction[] {
  const spec = ctx.columns.get(finding.column);
  const values = finding.samples.map(parseSample);
  const evidence: Record<string, unknown> = {
    column: finding.column,
    count: finding.count,
    share: round(finding.share),
    observedTypes: finding.observedTypes,
    samples: finding.samples,
    ...(spec === undefined ? { expected: finding.expected } : specEvidence(spec)),
  };
  if (spec === undefined) return [halt(`\`${finding.column}\` is not a contract column`, 0.5, `A type finding names a column the contract lacks.`, evidence)];
  const stats = ctx.stats[spec.name];
  if (stats !== undefined) evidence.columnStats = stats;
  const typeText = formatType(spec.type);
  // Values the column would take if coercion were on: the fix is coercion, not a new type.
  if (ctx.contract.evolution.coercion === 'off' && allCoercible(spec.type, values)) {
    return [planned({ kind: 'coerce', column: spec.name, to: spec.type.name }, 0.85,
      `Every sample of \`${spec.name}\` converts losslessly to ${typeText}, and coercion is off.`, evidence)];
  }
  const mode = ctx.contract.evolution.type_change;
  switch (mode) {
    case 'quarantine':
      return [planned({ kind: 'quarantine', column: spec.name, reason: 'contract evolution.type_change = quarantine' }, 0.9,
        `The contract keeps records whose \`${spec.name}\` is not ${typeText} in quarantine.`, evidence)];
    case 'fail':
      return [halt(`\`${spec.name}\` receives values that are not ${typeText} and contract evolution.type_change = fail`, 0.9,
        `The contract forbids type changes and ${finding.count} records (${percent(finding.share)}) do not fit ${typeText}.`, evidence)];
    case 'widen':
      break;
  }
  const target = widenTarget(spec, values, ctx);
  switch (target.kind) {
    case 'widen':
      return [planned({ kind: 'widen_type', column: spec.name, from: spec.type, to: target.to }, target.confidence,
        `\`${spec.name}\` widens ${typeText} → ${formatType(target.to)} without losing a value: ${target.why}.`, { ...evidence, to: formatType(target.to) })];
    case 'unsafe':
      return [halt(`\`${spec.name}\` would need a wider type, but ${target.why}`, 0.9,
        `No lossless widening of \`${spec.name}\` holds every value: ${target.why}.`, { ...evidence, why: target.why })];
    case 'incompatible':
      return [
        halt(`\`${spec.name}\` (${typeText}) receives incompatible values such as ${finding.samples[0] ?? '?'}`, 0.9,
          `${finding.count} records (${percent(finding.share)}) hold values in \`${spec.name}\` that no lossless change makes ${typeText}, so a person must decide.`,
          { ...evidence, why: target.why }),
        ...stringOption(spec, values, ctx, evidence),
      ];
  }
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

const NO_FIX: Record<'missing_required' | 'null_required' | 'range_violation' | 'pattern_violation' | 'malformed', string> = {
  missing_required: 'is required but missing',
  null_required: 'is required but null',
  range_violation: 'is outside its range',
  pattern_violation: 'does not match its pattern',
  malformed: 'cannot be parsed',
};

function planNoFix(finding: Extract<Finding, { kind: keyof typeof NO_FIX }>, ctx: Context): PlannedAction[] {
  const subject = finding.column === null ? 'The record' : `\`${finding.column}\``;
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
