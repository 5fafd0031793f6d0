/**
 * `agentic-etl demo`: the healing loop on the embedded default, in one command. The chaos
 * monkey writes drifting files over time while `watch` ingests and heals them; a simulated
 * person approves what the policy holds for a human; the scorecard checks everything
 * against the ground truth. No network, no server; well under a minute.
 */
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import { describeAction } from '../agent/actions.js';
import { runExperiment } from '../chaos/experiment.js';
import { pendingDecisions } from '../pipeline/heal-status.js';
import { AetlError } from '../util/errors.js';
import { percent, say } from './_output.js';
import { healLine } from './_heal-lines.js';
import { renderScorecard } from './scorecard.js';

const MARKER = '.agentic-etl-demo';

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** Starts from an empty folder, but only ever deletes a folder an earlier demo made. */
async function freshDemoDir(dir: string): Promise<void> {
  if (await exists(dir)) {
    if (!(await exists(join(dir, MARKER)))) {
      throw new AetlError('usage', `${dir} exists and was not made by the demo`, { hint: 'pass --dir with a new folder name' });
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'made by agentic-etl demo; safe to delete\n');
}

const time = () => pc.dim(new Date().toISOString().slice(11, 23));

export default async function demo(options: { dir: string }): Promise<number> {
  const dir = resolve(options.dir);
  await freshDemoDir(dir);
  say(pc.bold('agentic-etl demo: files land over time in demo/landing while `watch` ingests and heals them'));
  say(pc.dim('drift from file 2: a new column · 4: integers become floats · 6: `device` renamed · 8: a new enum value · 10: user_id becomes a UUID'));
  const result = await runExperiment({
    dir,
    files: 10,
    records: 400,
    poisonRate: 0.02,
    seed: 2026,
    drift: [
      { kind: 'new_column', fromFile: 2 },
      { kind: 'int_to_float', fromFile: 4 },
      { kind: 'rename', fromFile: 6 },
      { kind: 'new_enum_value', fromFile: 8 },
      { kind: 'incompatible_type', fromFile: 10 },
    ],
    intervalMs: 400,
    approveAll: true,
    onFile: (o) => {
      if (o.status === 'done') say(`${time()} ${pc.bold('▸')} ${o.key}: ${o.result.records} records → ${o.result.silver} silver, ${o.result.quarantined} quarantined`);
      else if (o.status === 'failed') say(`${time()} ${pc.red(`✗ ${o.key}: ${o.error.message}`)}`);
    },
    onHeal: (event) => say(`${time()}   ${healLine(event)}`),
    onApprove: (incident) =>
      say(`${time()} ${pc.magenta('☺ a person approves')} ${incident.id}: ${[...pendingDecisions(incident).map((d) => describeAction(d.planned.action)), ...(incident.status === 'halted' ? ['resume'] : [])].join('; ')}`),
  });

  say(`\n${pc.bold(pc.cyan('── Scorecard against the chaos manifest'))}`);
  renderScorecard(result.scorecard);
  const healed = result.incidents.filter((i) => i.status === 'healed');
  say(`incidents ${result.incidents.length} (${healed.length} healed) | replayed ${result.incidents.reduce((n, i) => n + i.replayed, 0)} | unsafe actions applied ${result.unsafeActions}`);
  for (const t of result.timeToHealMs) say(`time to heal ${t.incident}: ${t.ms} ms (drifted file landing → its records in silver)`);
  say(result.auditOk ? pc.green('audit ok: every record in exactly one of silver or quarantine, raw bytes in bronze') : pc.red('audit FAILED'));
  say(`quarantine now holds ${result.scorecard.quarantined} record(s) (${percent(result.scorecard.quarantined / Math.max(1, result.scorecard.records))}): the poison pills, each with its reasons.`);
  say(`\nExplore: cd ${dir} && npx agentic-etl incidents | incidents show ID | contract history | quarantine list | audit`);
  const ok = result.auditOk && result.scorecard.lost === 0 && result.scorecard.duplicated === 0 && result.unsafeActions === 0;
  return ok ? 0 : 1;
}
