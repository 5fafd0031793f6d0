/**
 * One file, exactly once: its records are read, validated and routed — every raw record
 * to bronze, valid ones to silver, the rest to quarantine with reasons — and committed in
 * ONE transaction together with the ledger row and the file's event. A crash anywhere
 * before the commit leaves nothing behind, so the file is simply processed again.
 */
import { AetlError } from '../util/errors.js';
import { crashPoint } from '../util/crash-point.js';
import { nowMicros } from '../util/time.js';
import { appendEvents, toJsonText } from '../ledger/event-log.js';
import { completeFile, recordIdOf, type Claim } from '../ledger/file-ledger.js';
import { exactJsonText } from '../readers/number-literal.js';
import { detectFormat, readRecords } from '../readers/open-records.js';
import { initialControl, observeBatch } from '../controller/controller.js';
import type { ControlStep } from '../controller/types.js';
import { loadControl, saveControl } from '../ledger/controller-store.js';
import { findingsFromProfile } from '../sensor/findings.js';
import { nestedTypeChanges } from '../sensor/nested-findings.js';
import { DEFAULT_RECORD_LIMITS, limitRecord } from '../sensor/limits.js';
import { createProfiler } from '../sensor/profile.js';
import type { BatchProfile, Reason } from '../sensor/types.js';
import type { SourceObject } from '../sources/source.js';
import { bronzeTable, quarantineTable, silverTable } from '../warehouse/tables.js';
import type { PipelineContext } from './pipeline-context.js';

export interface FileResult {
  key: string;
  fileId: string;
  records: number;
  silver: number;
  quarantined: number;
  /** Valid records held in quarantine because the table is halted (circuit open); counted in `quarantined`. */
  held: number;
  coerced: number;
  malformed: number;
  profile: BatchProfile;
  /** The controller's judgement of this batch (drift vs noise, health transitions). */
  control: ControlStep;
}

/** Called every few thousand records so a progress bar can move within a large file. */
export type RecordProgress = (recordsSoFar: number) => void;

const PROGRESS_EVERY = 4096;

export async function ingestFile(
  context: PipelineContext,
  object: SourceObject,
  claim: Claim,
  onProgress?: RecordProgress,
): Promise<FileResult> {
  const { warehouse, contract: version } = context;
  const contract = version.contract;
  const fileId = claim.fileId;
  const { format, gzip } = detectFormat(object.key, context.format);
  const refuseNewColumns = contract.evolution.new_column === 'fail';
  const bronzeDef = bronzeTable(contract.table);
  const silverDef = silverTable(contract);
  const quarantineDef = quarantineTable(contract.table);

  return warehouse.transaction(async (tx) => {
    const control = (await loadControl(tx, warehouse.dialect, contract.table)) ?? initialControl(contract.table);
    // Circuit open (halted): records keep landing in bronze and quarantine, none in silver.
    const circuitOpen = control.state === 'halted';
    const input = await context.source.open(object);
    const bronze = await tx.bulkWriter(bronzeDef.name, bronzeDef.columns);
    const silver = await tx.bulkWriter(silverDef.name, silverDef.columns);
    const quarantine = await tx.bulkWriter(quarantineDef.name, quarantineDef.columns);
    const profiler = createProfiler(contract);
    const ingestedAt = nowMicros();
    const contractVersion = BigInt(version.version);
    let records = 0;
    let silverCount = 0;
    let quarantined = 0;
    let held = 0;

    const limits = context.limits ?? DEFAULT_RECORD_LIMITS;
    for await (const read of readRecords(input, { file: object.key, maxLineBytes: context.maxLineBytes, format, gzip })) {
      // Over max_record_keys: malformed, its parsed value dropped, so it costs its raw text only.
      const record = limitRecord(read, limits, object.key);
      const recordId = recordIdOf(fileId, record.line);
      // Raw text with a NUL character is kept as base64, like bytes that are not UTF-8:
      // PostgreSQL text cannot hold U+0000, and bronze must take every record.
      if (record.rawEncoding === 'utf8' && record.raw.includes('\u0000')) {
        record.raw = Buffer.from(record.raw, 'utf8').toString('base64');
        record.rawEncoding = 'base64';
      }
      const line = BigInt(record.line);
      bronze.append([recordId, fileId, object.key, line, BigInt(record.offset), record.raw, record.rawEncoding, ingestedAt]);
      const verdict = context.validate(record);
      profiler.observe(record, verdict);
      if (verdict.status === 'valid' && !circuitOpen) {
        const coercions = verdict.coercions.length === 0 ? null : (exactJsonText(verdict.coercions) ?? null);
        silver.append([...verdict.values, recordId, fileId, object.key, line, contractVersion, coercions, ingestedAt]);
        silverCount += 1;
      } else {
        if (verdict.status === 'valid') held += 1;
        const reasons = verdict.status === 'valid' ? [circuitOpenReason(contract.table)] : verdict.reasons;
        if (refuseNewColumns) refuseUnknownColumn(object.key, record.line, reasons);
        quarantine.append([
          recordId, fileId, object.key, line, record.raw, record.rawEncoding,
          record.value === undefined ? null : (exactJsonText(record.value) ?? null), record.textual === true,
          toJsonText(reasons), contractVersion, 'open', null, ingestedAt, null,
        ]);
        quarantined += 1;
      }
      records += 1;
      crashPoint('ingest:record');
      if (records % PROGRESS_EVERY === 0) {
        // Writers that stream to a server (PostgreSQL's COPY) hold rows until sent: bounded here.
        await bronze.ready?.();
        await silver.ready?.();
        await quarantine.ready?.();
        onProgress?.(records);
      }
    }
    await bronze.close();
    await silver.close();
    await quarantine.close();
    crashPoint('ingest:written');

    const profile = profiler.finish();
    // Re-read, locked, at the end: other workers' files may have moved the state meanwhile.
    const latest = (await loadControl(tx, warehouse.dialect, contract.table, { forUpdate: true })) ?? control;
    // Inside json columns the baseline is what earlier batches showed (sensor/nested-findings.ts).
    const nested = nestedTypeChanges(profile, contract, latest.nested);
    const findings = [...findingsFromProfile(profile, contract), ...nested.findings];
    // `source`: the file's drift stays pending in the controller's state until an incident takes it (pipeline/heal.ts).
    const source = { key: object.key, fileId, contractVersion: version.version };
    const step = observeBatch(latest, { records, quarantined, findings, source }, context.controller, contract.evolution.drift_threshold);
    await saveControl(tx, warehouse.dialect, Object.keys(nested.baseline).length > 0 ? { ...step.next, nested: nested.baseline } : step.next);
    await completeFile(tx, warehouse.dialect, claim, {
      table: contract.table, records, silver: silverCount, quarantined, contractVersion: version.version, processedAtMicros: ingestedAt,
    });
    const result: FileResult = {
      key: object.key, fileId, records, silver: silverCount, quarantined, held,
      coerced: profile.coerced, malformed: profile.malformed, profile, control: step,
    };
    await appendEvents(tx, [
      { kind: 'file_processed', table: contract.table, fileId, payload: { ...result, control: undefined, version: object.version } },
      {
        kind: 'findings',
        table: contract.table,
        fileId,
        payload: { rate: step.rate, ewma: step.next.ewma, state: step.next.state, drift: step.drift, noise: step.noise },
      },
      ...step.transitions.map((transition) => ({ kind: 'controller_transition' as const, table: contract.table, fileId, payload: transition })),
    ]);
    crashPoint('ingest:commit');
    return result;
  });
}

function circuitOpenReason(table: string): Reason {
  return {
    column: null,
    kind: 'circuit_open',
    expected: 'the table to be resumed',
    actual: 'halted',
    message: `Table \`${table}\` is halted (circuit open): this record is held in quarantine until a person decides; see \`agentic-etl incidents --open\`, then approve or reject.`,
  };
}

/** `new_column: fail`: the file is refused whole (rolled back) rather than quarantined. */
function refuseUnknownColumn(file: string, line: number, reasons: readonly Reason[]): void {
  const unknown = reasons.find((reason) => reason.kind === 'unknown_column');
  if (unknown === undefined) return;
  throw new AetlError('new_column_refused', `${file}:${line}: column \`${unknown.column}\` is not in the contract and evolution.new_column is \`fail\``, {
    hint: 'add the column to the contract, or set evolution.new_column to evolve, quarantine or ignore',
  });
}
