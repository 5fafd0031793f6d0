/**
 * Drift or noise: is a deviation the producer's new normal (call the architect) or a few
 * poison pills (leave them in quarantine)? Judged per finding key over the remembered
 * batches, weighted by records, so one bad record among thousands never counts as drift
 * however often it recurs, while a change that hits a real share of a file is drift at once.
 */
import type { Finding } from '../sensor/findings.js';
import { findingKey, canDrift } from './finding-key.js';
import type { BatchMemory, ControllerConfig } from './types.js';

/**
 * Which rule made a finding drift:
 * - `window`: its share of all records in the window exceeds the threshold (sustained);
 * - `batch`: its share of this batch alone exceeds it (onset: the first file where the
 *   producer changed, before it weighs on the window);
 * - `persistence`: it was in each of the last `persistence` batches above half the threshold (slow, steady).
 */
export type DriftRule = 'batch' | 'window' | 'persistence';

export interface Judgement {
  finding: Finding;
  key: string;
  /** The first rule that holds (in the order above); undefined for noise. */
  rule: DriftRule | undefined;
  /** Its share of this batch. */
  batchShare: number;
  /** Its records over all records of the window (this batch included). */
  windowShare: number;
}

function shareIn(batch: BatchMemory, key: string): number {
  return batch.records === 0 ? 0 : (batch.counts[key] ?? 0) / batch.records;
}

function persists(recent: readonly BatchMemory[], key: string, config: ControllerConfig, driftThreshold: number): boolean {
  if (recent.length < config.persistence) return false;
  for (let i = recent.length - config.persistence; i < recent.length; i += 1) {
    const batch = recent[i];
    if (batch === undefined || !(shareIn(batch, key) > driftThreshold / 2)) return false;
  }
  return true;
}

/**
 * Judges each deviation of the newest batch. `recent` is the window with the newest batch
 * last (already appended); `deviations` are that batch's findings other than coercions.
 */
export function judgeFindings(
  deviations: readonly Finding[],
  recent: readonly BatchMemory[],
  config: ControllerConfig,
  driftThreshold: number,
): Judgement[] {
  const newest = recent[recent.length - 1];
  let windowRecords = 0;
  for (const batch of recent) windowRecords += batch.records;
  return deviations.map((finding) => {
    const key = findingKey(finding);
    let windowCount = 0;
    for (const batch of recent) windowCount += batch.counts[key] ?? 0;
    const windowShare = windowRecords === 0 ? 0 : windowCount / windowRecords;
    const batchShare = newest === undefined ? 0 : shareIn(newest, key);
    let rule: DriftRule | undefined;
    if (!canDrift(finding) || windowCount < config.min_evidence) rule = undefined;
    else if (windowShare > driftThreshold) rule = 'window';
    else if (batchShare > driftThreshold) rule = 'batch';
    else if (persists(recent, key, config, driftThreshold)) rule = 'persistence';
    return { finding, key, rule, batchShare, windowShare };
  });
}

/** `7.5%`, `2%`, `0.04%`: three significant digits at most. */
export function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

/** Why a finding is drift, for the transition's reason: `unknown_column:session_id in 100% of this batch`. */
export function describeDrift(judgement: Judgement, config: ControllerConfig, driftThreshold: number): string {
  const { key, rule } = judgement;
  switch (rule) {
    case 'batch':
      return `${key} in ${percent(judgement.batchShare)} of this batch`;
    case 'window':
      return `${key} in ${percent(judgement.windowShare)} of the window`;
    case 'persistence':
      return `${key} in each of the last ${config.persistence} batches (above ${percent(driftThreshold / 2)})`;
    case undefined:
      return `${key} is noise (${percent(judgement.windowShare)} of the window)`;
    default: {
      const unhandled: never = rule;
      return unhandled;
    }
  }
}
