/** The rules for unknown keys: renames (a column that went missing under another name) and new columns. */
import { formatType, type ColumnSpec, type Contract } from '../contract/types.js';
import { wideningKind } from '../contract/widening.js';
import { compileCoercer } from '../sensor/coerce.js';
import type { Finding, UnknownColumnFinding } from '../sensor/findings.js';


import { renameDistance } from '../sensor/similar-names.js';
import { looseName } from '../util/names.js';
import type { PlannedAction } from './actions.js';
import { halt, nonNullTypes, percent, planned, round, type Context } from './rules-common.js';


/**
 * How alike the names are, as a probability that one replaced the other: a case or
 * separator change is almost surely a rename; a whole word added or dropped
 * (`device` → `device_type`) nearly so; typos and abbreviations are guesses.
 */
export function nameScore(key: string, column: string): { score: number; distance: number | null; relation: string } {
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
export function typeFit(finding: UnknownColumnFinding, spec: ColumnSpec, contract: Contract): { factor: number; fit: string } | undefined {
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
export function renameProposal(finding: UnknownColumnFinding, ctx: Context): PlannedAction | string {
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
export function chooseRenames(findings: readonly Finding[], ctx: Context): void {
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


export function planUnknownColumn(finding: UnknownColumnFinding, ctx: Context): PlannedAction[] {
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

