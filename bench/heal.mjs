#!/usr/bin/env node
// Healing benchmark: seeded chaos runs with a sustained drift episode each (and one with
// all of them) plus sporadic poison pills, ingested by `watch` as the files land. Prints
// the scorecard per scenario and overall; a simulated person approves what waits for one.
//
//   npm run bench:heal                  # every scenario, seeds 1 and 2
//   npm run bench:heal -- --seeds 1     # quicker
//   npm run bench:heal -- --real        # the real-drift corpus only (also: npm run bench:real)
//   npm run bench:heal -- --no-real     # the chaos scenarios only
//
// After the chaos scenarios it runs the real-drift yardstick (bench/_real-drift.mjs): real
// files whose publishers renamed and changed fields, scored against hand-written ground truth.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runExperiment } from '../dist/chaos/experiment.js';
import { benchRealDrift } from './_real-drift.mjs';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2' }, files: { type: 'string', default: '8' }, records: { type: 'string', default: '500' }, real: { type: 'boolean', default: false }, 'no-real': { type: 'boolean', default: false } } });
const seeds = values.seeds.split(',').map(Number);

/** Each drift kind and what a correct outcome is before any person acts. */
const SCENARIOS = [
  { name: 'new column', drift: [{ kind: 'new_column', fromFile: 3 }], expect: ['healed'] },
  { name: 'int → float', drift: [{ kind: 'int_to_float', fromFile: 3 }], expect: ['healed'] },
  { name: 'rename', drift: [{ kind: 'rename', fromFile: 3 }], expect: ['awaiting_approval'] },
  { name: 'new enum value', drift: [{ kind: 'new_enum_value', fromFile: 3 }], expect: ['awaiting_approval'] },
  { name: 'incompatible type', drift: [{ kind: 'incompatible_type', fromFile: 3 }], expect: ['halted'] },
  {
    name: 'all five',
    drift: [
      { kind: 'new_column', fromFile: 2 }, { kind: 'int_to_float', fromFile: 3 }, { kind: 'rename', fromFile: 4 },
      { kind: 'new_enum_value', fromFile: 5 }, { kind: 'incompatible_type', fromFile: 7 },
    ],
    expect: ['healed', 'healed', 'awaiting_approval', 'awaiting_approval', 'halted'],
  },
];

const percentile = (xs, p) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]);
const pct = (x) => (x === null || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

if (values.real) {
  await benchRealDrift();
  process.exit(0);
}

const rows = [];
const heals = [];
const total = { records: 0, lost: 0, duplicated: 0, unsafe: 0, faults: 0, caught: 0, validQuarantined: 0, drifts: 0, handled: 0, audits: 0 };
for (const scenario of SCENARIOS) {
  for (const seed of seeds) {
    const dir = await mkdtemp(join(tmpdir(), 'aetl-heal-'));
    const r = await runExperiment({
      dir, files: Number(values.files), records: Number(values.records), poisonRate: 0.01, seed, drift: scenario.drift, intervalMs: 250, approveAll: true,
    });
    await rm(dir, { recursive: true, force: true });
    const statuses = Object.values(r.statusBeforeApproval).sort();
    const handled = [...scenario.expect].sort().join() === statuses.join() ? scenario.expect.length : 0;
    const card = r.scorecard;
    rows.push({
      scenario: scenario.name, seed, records: card.records, silver: card.silver, quarantined: card.quarantined, lost: card.lost, duplicated: card.duplicated,
      unsafe: r.unsafeActions, detected: `${card.faults.caught}/${card.faults.records}`, validQ: card.validQuarantined,
      precision: pct(card.detection.precision), recall: pct(card.detection.recall),
      incidents: statuses.join(' '), drift: `${handled}/${scenario.expect.length}`,
      heal_ms: r.timeToHealMs.map((t) => t.ms).join(' ') || '-', audit: r.auditOk ? 'ok' : 'FAIL',
    });
    heals.push(...r.timeToHealMs.map((t) => t.ms));
    total.records += card.records; total.lost += card.lost; total.duplicated += card.duplicated; total.unsafe += r.unsafeActions;
    total.faults += card.faults.records; total.caught += card.faults.caught; total.validQuarantined += card.validQuarantined;
    total.drifts += scenario.expect.length; total.handled += handled; total.audits += r.auditOk ? 0 : 1;
  }
}
console.table(rows);
console.log(
  `overall: ${total.records} records | lost ${total.lost} | duplicated ${total.duplicated} | unsafe actions ${total.unsafe} | ` +
    `faults detected ${total.caught}/${total.faults} (${pct(total.caught / total.faults)}) | valid quarantined ${total.validQuarantined} | ` +
    `sustained drifts healed or correctly escalated ${total.handled}/${total.drifts} | audits failed ${total.audits} | ` +
    `time to heal p50 ${percentile(heals, 50)} ms, p95 ${percentile(heals, 95)} ms (n=${heals.length})`,
);
if (!values['no-real']) await benchRealDrift();
