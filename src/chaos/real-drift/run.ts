/**
 * Runs one real-drift sequence end to end, the way a user would: `init` infers a contract
 * from the first file, `run` ingests each file as it lands, and after each run a simulated
 * person approves every incident that waits for a decision (which replays its records).
 * Then scores the outcome against the sequence's ground truth.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderConfigYaml, renderContractYaml } from '../../config/template.js';
import { inferContract } from '../../contract/infer-contract.js';
import { audit } from '../../ledger/audit.js';
import { listIncidents, type Incident } from '../../ledger/incidents.js';
import { recordOutcomes } from '../../ledger/outcomes.js';
import { approveIncident } from '../../pipeline/heal-person.js';
import { holdsCircuit, pendingDecisions } from '../../pipeline/heal-status.js';
import { openPipeline } from '../../pipeline/open-pipeline.js';
import { runOnce } from '../../pipeline/run-once.js';
import { detectFormat, readRecords } from '../../readers/open-records.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../readers/reader.js';
import { countUnsafe } from '../experiment.js';
import type { DriftSequence } from './corpus.js';
import { landStep, recordLines } from './land.js';
import { scoreRealDrift, type AppliedRename, type RealDriftScore } from './score.js';

export interface RealDriftResult {
  score: RealDriftScore;
  /** Applied actions the policy did not allow for who applied them (must be 0). */
  unsafeActions: number;
  auditOk: boolean;
  incidents: Incident[];
  /** Incidents the simulated person approved. */
  approvals: number;
}

export interface RealDriftOptions {
  /** An empty folder to work in (the caller removes it). */
  dir: string;
  /** Whether the simulated person approves what waits (default true). */
  approveAll?: boolean;
}

export async function runRealDrift(sequence: DriftSequence, options: RealDriftOptions): Promise<RealDriftResult> {
  const [first] = sequence.steps;
  if (first === undefined) throw new Error(`real-drift sequence ${sequence.name} has no steps`);
  const sample = join(options.dir, 'sample');
  const landing = join(options.dir, 'landing');
  await mkdir(sample, { recursive: true });
  await mkdir(landing, { recursive: true });

  // `agentic-etl init --from sample`: the contract is inferred from the first version only.
  const samplePath = await landStep(first, sample);
  const inferred = await inferContract(
    readRecords(createReadStream(samplePath), { file: first.file, maxLineBytes: DEFAULT_MAX_LINE_BYTES, ...detectFormat(first.file, 'auto') }),
    { table: sequence.table },
  );
  await writeFile(join(options.dir, `${sequence.table}.contract.yaml`), renderContractYaml(inferred));
  const config = join(options.dir, 'agentic-etl.yaml');
  await writeFile(
    config,
    renderConfigYaml({ pipeline: sequence.name, source: './landing', format: 'auto', warehouse: 'duckdb:./warehouse.duckdb', contractPath: `./${sequence.table}.contract.yaml` }),
  );

  const pipeline = await openPipeline(config);
  try {
    const landed = new Map<string, number[]>();
    let approvals = 0;
    for (const step of sequence.steps) {
      const path = await landStep(step, landing);
      landed.set(step.file, recordLines(step.file, await readFile(path, 'utf8')));
      await runOnce(pipeline);
      if (options.approveAll === false) continue;
      for (const incident of await listIncidents(pipeline.warehouse, { table: sequence.table, active: true })) {
        if (pendingDecisions(incident).length === 0 && !holdsCircuit(incident)) continue;
        await approveIncident(pipeline, incident.id, () => undefined);
        approvals += 1;
      }
    }
    const incidents = await listIncidents(pipeline.warehouse, { table: sequence.table });
    const renames = incidents.flatMap((incident) =>
      incident.applied.flatMap(({ action }): AppliedRename[] => (action.kind === 'rename_column' ? [{ from: action.from, to: action.to }] : [])),
    );
    const score = scoreRealDrift(sequence, landed, await recordOutcomes(pipeline.warehouse, sequence.table), renames);
    const report = await audit(pipeline.warehouse);
    return { score, unsafeActions: countUnsafe(incidents), auditOk: report.ok, incidents, approvals };
  } finally {
    await pipeline.close();
  }
}
