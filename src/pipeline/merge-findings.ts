/**
 * One incident's findings as batches join it: per finding key the counts add up, and an
 * unknown key's inferred type covers the values of every batch (the type one inference
 * over all of them would give, as `init` would), its observed types summed and samples
 * kept distinct. Other fields are the latest batch's. Pure.
 */
import { findingKey } from '../controller/finding-key.js';
import type { Finding, UnknownColumnFinding } from '../sensor/findings.js';
import { unifyInferred } from '../sensor/infer-type.js';

/** Samples kept on a merged finding (as on one batch's). */
const SAMPLES = 5;

function mergeUnknown(before: UnknownColumnFinding, latest: UnknownColumnFinding): UnknownColumnFinding {
  const observedTypes = { ...before.observedTypes };
  for (const [type, count] of Object.entries(latest.observedTypes) as [keyof typeof observedTypes, number][]) observedTypes[type] = (observedTypes[type] ?? 0) + count;
  // Only-null batches say nothing about the type: their inferred `string` is a guess.
  const known = (finding: UnknownColumnFinding) => Object.entries(finding.observedTypes).some(([type, count]) => type !== 'null' && count > 0);
  const inferredType = !known(before) ? latest.inferredType : !known(latest) ? before.inferredType : unifyInferred(before.inferredType, latest.inferredType);
  const samples: unknown[] = [];
  for (const sample of [...before.samples, ...latest.samples]) {
    if (samples.length < SAMPLES && !samples.some((kept) => JSON.stringify(kept) === JSON.stringify(sample))) samples.push(sample);
  }
  return { ...latest, count: before.count + latest.count, inferredType, observedTypes, samples };
}

export function mergeFindings(previous: readonly Finding[], latest: readonly Finding[]): Finding[] {
  const byKey = new Map(previous.map((finding) => [findingKey(finding), finding]));
  for (const finding of latest) {
    const key = findingKey(finding);
    const before = byKey.get(key);
    if (before === undefined) byKey.set(key, finding);
    else if (before.kind === 'unknown_column' && finding.kind === 'unknown_column') byKey.set(key, mergeUnknown(before, finding));
    else byKey.set(key, { ...finding, count: before.count + finding.count });
  }
  return [...byKey.values()];
}
