// The real-drift yardstick for bench/heal.mjs: every sequence of the corpus (real files with
// hand-written ground truth), a simulated person approving what waits, then per sequence
// complete rows in silver, truncated rows wrongly in silver, rename precision and recall.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_DRIFT_SEQUENCES, runRealDrift } from '../dist/chaos/real-drift/index.js';

const pct = (x) => (x === null || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** Targets of issue 8: every complete row in silver, no truncated one, precision ≥ 0.9, recall ≥ 0.75. */
export async function benchRealDrift(sequences = REAL_DRIFT_SEQUENCES) {
  const rows = [];
  const misses = [];
  const skipped = [];
  const t = { records: 0, complete: 0, completeInSilver: 0, truncated: 0, truncatedInSilver: 0, quarantined: 0, lost: 0, duplicated: 0, applied: 0, correct: 0, truth: 0, unsafe: 0, audits: 0 };
  for (const sequence of sequences) {
    const dir = await mkdtemp(join(tmpdir(), 'aetl-real-'));
    try {
      let r;
      try {
        r = await runRealDrift(sequence, { dir });
      } catch (error) {
        // Its data is not here (a worktree whose node_modules lacks the pinned aliases): say so, never pass quietly.
        if (error?.code !== 'not_found' && !/npm package/.test(error?.message ?? '')) throw error;
        skipped.push(`${sequence.name}: SKIPPED, ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
        continue;
      }
      const s = r.score;
      rows.push({
        sequence: s.sequence, files: sequence.steps.length, records: s.records,
        'complete in silver': `${s.completeInSilver}/${s.complete}`, 'truncated in silver': `${s.truncatedInSilver}/${s.truncated}`,
        quarantined: s.quarantined, lost: s.lost, duplicated: s.duplicated,
        renames: `${s.renames.correct}/${s.renames.applied} of ${s.renames.truth}`, precision: pct(s.renames.precision), recall: pct(s.renames.recall),
        approvals: r.approvals, unsafe: r.unsafeActions, audit: r.auditOk ? 'ok' : 'FAIL',
      });
      if (s.renames.wrong.length > 0) misses.push(`${s.sequence}: wrong renames (source key→contract column) ${s.renames.wrong.join(', ')}`);
      if (s.renames.missed.length > 0) misses.push(`${s.sequence}: missed renames (source key→contract column) ${s.renames.missed.join(', ')}`);
      for (const k of ['records', 'complete', 'completeInSilver', 'truncated', 'truncatedInSilver', 'quarantined', 'lost', 'duplicated']) t[k] += s[k];
      t.applied += s.renames.applied; t.correct += s.renames.correct; t.truth += s.renames.truth;
      t.unsafe += r.unsafeActions; t.audits += r.auditOk ? 0 : 1;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.table(rows);
  for (const line of [...misses, ...skipped]) console.log(line);
  const precision = t.applied === 0 ? null : t.correct / t.applied;
  const recall = t.truth === 0 ? null : t.correct / t.truth;
  const met = t.completeInSilver === t.complete && t.truncatedInSilver === 0 && (precision ?? 0) >= 0.9 && (recall ?? 0) >= 0.75 && t.unsafe === 0 && skipped.length === 0;
  console.log(
    `real drift: ${t.records} records | complete rows in silver ${t.completeInSilver}/${t.complete} | truncated rows in silver ${t.truncatedInSilver}/${t.truncated} | ` +
      `left in quarantine ${t.quarantined} | lost ${t.lost} | duplicated ${t.duplicated} | renames ${t.correct} right of ${t.applied} applied, ${t.truth} true | ` +
      `precision ${pct(precision)} | recall ${pct(recall)} | unsafe actions ${t.unsafe} | audits failed ${t.audits} | targets ${met ? 'met' : 'NOT met'}${skipped.length > 0 ? ` (${skipped.length} sequence(s) skipped)` : ''}`,
  );
  return { ...t, precision, recall, met };
}
