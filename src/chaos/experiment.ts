/**
 * A healing experiment: the chaos monkey writes files over time into a landing folder
 * while `watch` ingests and heals them in the same process; a simulated person then
 * approves what waits for approval, and the outcome is scored against the ground truth.
 * Shared by the demo, the heal benchmark and the end-to-end tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { audit } from '../ledger/audit.js';
import { listIncidents, type Incident } from '../ledger/incidents.js';
import { recordOutcomes } from '../ledger/outcomes.js';
import type { HealEvent } from '../pipeline/heal-events.js';
import { approveIncident } from '../pipeline/heal-person.js';
import { holdsCircuit, pendingDecisions } from '../pipeline/heal-status.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import type { FileOutcome } from '../pipeline/run-once.js';
import { watchLoop } from '../pipeline/watch-loop.js';
import { CHAOS_CONTRACT_YAML } from './contract.js';
import { readManifest } from './manifest.js';
import { scoreAgainstManifest, type Scorecard } from './scorecard.js';
import type { DriftSpec } from './drift.js';
import { writeChaos } from './write.js';

export interface ExperimentOptions {
  dir: string;
  files: number;
  records: number;
  poisonRate: number;
  seed: number | string;
  drift: DriftSpec[];
  /** Pause between files written by the chaos monkey. */
  intervalMs: number;
  /** Extra lines for agentic-etl.yaml (e.g. a `policy:` section). */
  configExtra?: string;
  /** Whether a simulated person approves every incident waiting for a decision at the end. */
  approveAll: boolean;
  onHeal?: (event: HealEvent) => void;
  onFile?: (outcome: FileOutcome) => void;
  /** Called when the simulated person approves an incident. */
  onApprove?: (incident: Incident) => void;
}

export interface ExperimentResult {
  scorecard: Scorecard;
  incidents: Incident[];
  /** Per auto-healed incident: ms from its first drifted file landing to its records in silver. */
  timeToHealMs: Array<{ incident: string; ms: number }>;
  /** Applied actions the policy did not allow for who applied them (must be 0). */
  unsafeActions: number;
  auditOk: boolean;
  /** Each incident's status when the files stopped, before any simulated approval. */
  statusBeforeApproval: Record<string, Incident['status']>;
}

/** Applied actions without the right to be: an agent applying what needed approval, anyone applying a denial. */
export function countUnsafe(incidents: readonly Incident[]): number {
  let unsafe = 0;
  for (const incident of incidents) {
    for (const applied of incident.applied) {
      const decision = incident.decisions?.find((d) => JSON.stringify(d.planned.action) === JSON.stringify(applied.action));
      if (applied.action.kind === 'resume' || applied.action.kind === 'replay') continue;
      if (decision === undefined || decision.verdict === 'deny') unsafe += 1;
      else if (decision.verdict === 'approve' && applied.by !== 'user') unsafe += 1;
    }
  }
  return unsafe;
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const landing = join(options.dir, 'landing');
  await mkdir(landing, { recursive: true });
  await writeFile(join(options.dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);
  await writeFile(
    join(options.dir, 'agentic-etl.yaml'),
    `pipeline: experiment\nsource: ./landing\nformat: ndjson\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\n${options.configExtra ?? ''}`,
  );
  const pipeline = await openPipeline(join(options.dir, 'agentic-etl.yaml'));
  try {
    const landedAt = new Map<string, number>();
    const detectedIn = new Map<string, string>();
    const healedAt = new Map<string, number>();
    let processed = 0;
    // Time to heal counts the agent's healing only, not a person's approval afterwards.
    let approving = false;
    const stop = new AbortController();
    const watching = watchLoop(
      pipeline,
      {
        onFileDone: (outcome) => {
          processed += 1;
          options.onFile?.(outcome);
        },
        onHeal: (event) => {
          if (event.kind === 'detected') detectedIn.set(event.incident.id, event.file);
          if (!approving && event.kind === 'status' && event.status === 'healed' && !healedAt.has(event.incident.id)) healedAt.set(event.incident.id, Date.now());
          options.onHeal?.(event);
        },
      },
      stop.signal,
    );
    await writeChaos({
      out: landing,
      files: options.files,
      records: options.records,
      poisonRate: options.poisonRate,
      seed: options.seed,
      drift: options.drift,
      intervalMs: options.intervalMs,
      onFile: (file) => landedAt.set(file.file, Date.now()),
    });
    // Wait until watch has taken every file (bounded: a missed file fails the experiment, it does not hang).
    const deadline = Date.now() + 30_000 + options.files * 2_000;
    while (processed < options.files && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await watching;

    const statusBeforeApproval = Object.fromEntries(
      (await listIncidents(pipeline.warehouse, { table: pipeline.contract.table })).map((incident) => [incident.id, incident.status]),
    );
    if (options.approveAll) {
      approving = true;
      for (const incident of await listIncidents(pipeline.warehouse, { table: pipeline.contract.table, active: true })) {
        if (pendingDecisions(incident).length === 0 && !holdsCircuit(incident)) continue;
        options.onApprove?.(incident);
        await approveIncident(pipeline, incident.id, options.onHeal ?? (() => undefined));
      }
    }

    const incidents = await listIncidents(pipeline.warehouse, { table: pipeline.contract.table });
    const timeToHealMs: ExperimentResult['timeToHealMs'] = [];
    for (const [id, at] of healedAt) {
      const file = detectedIn.get(id);
      const landed = file === undefined ? undefined : landedAt.get(file);
      if (landed !== undefined) timeToHealMs.push({ incident: id, ms: at - landed });
    }
    const scorecard = scoreAgainstManifest(await readManifest(landing), await recordOutcomes(pipeline.warehouse, pipeline.contract.table));
    const report = await audit(pipeline.warehouse);
    return { scorecard, incidents, timeToHealMs, unsafeActions: countUnsafe(incidents), auditOk: report.ok, statusBeforeApproval };
  } finally {
    await pipeline.close();
  }
}
