/**
 * The chaos stream as pure data: for a seed and options, every line of every file with its
 * ground-truth manifest entry. The same options always give the same lines; nothing reads
 * the clock. write.ts puts the stream on disk.
 */
import { AetlError } from '../util/errors.js';
import { applyDrift, validateDrift, type DriftSpec } from './drift.js';
import { corruptLine, faultApplies, injectFault, RECORD_FAULT_KINDS } from './faults.js';
import { combineHealed, combineLabels, DRIFT_KINDS, type ChaosLabel, type DriftKind, type FaultKind } from './labels.js';
import type { ManifestEntry } from './manifest.js';
import { createRandom } from './random.js';
import { recordFactory } from './records.js';

export interface ChaosOptions {
  /** How many files to generate (≥ 1). */
  files: number;
  /** Records (lines) per file (≥ 1). */
  records: number;
  /** Share of records (0..1) that get one sporadic fault. */
  poisonRate: number;
  /** Everything generated is a function of the seed (42 and '42' are the same seed). */
  seed: number | string;
  /** Sustained drifts, each from a 1-based file on. Default none. */
  drift?: DriftSpec[];
  /** Timestamp of the stream's start (ISO-8601). Default 2026-01-01T00:00:00.000Z. */
  startTime?: string;
  /** File names are `<prefix>00001.ndjson`, … Default `events-`. */
  filePrefix?: string;
  /**
   * Share of files (0..1) whose last line is cut mid-record. Stratified: one file in every
   * block of round(1/rate) files, so short runs still get one. Default 0.2 when poisonRate > 0, else 0.
   */
  truncateRate?: number;
}

export type ResolvedChaosOptions = Required<ChaosOptions>;

export const DEFAULT_START_TIME = '2026-01-01T00:00:00.000Z';
export const DEFAULT_FILE_PREFIX = 'events-';

function usage(message: string, hint: string): AetlError {
  return new AetlError('usage', message, { hint });
}

/** Options with defaults filled in, checked; throws AetlError('usage') naming the bad option. */
export function resolveChaosOptions(options: ChaosOptions): ResolvedChaosOptions {
  const { files, records, poisonRate } = options;
  if (!Number.isInteger(files) || files < 1) throw usage(`Chaos files must be a whole number ≥ 1, got ${files}.`, 'Pass e.g. --files 10.');
  if (!Number.isInteger(records) || records < 1) throw usage(`Chaos records per file must be a whole number ≥ 1, got ${records}.`, 'Pass e.g. --records 1000.');
  if (!(poisonRate >= 0 && poisonRate <= 1)) throw usage(`Chaos poison rate must be between 0 and 1, got ${poisonRate}.`, 'Pass e.g. --poison-rate 0.02 for 2 %.');
  if (typeof options.seed === 'number' && !Number.isSafeInteger(options.seed)) {
    throw usage(`Chaos seed must be a whole number or a string, got ${options.seed}.`, 'Pass e.g. --seed 42.');
  }
  const truncateRate = options.truncateRate ?? (poisonRate > 0 ? 0.2 : 0);
  if (!(truncateRate >= 0 && truncateRate <= 1)) throw usage(`Chaos truncate rate must be between 0 and 1, got ${truncateRate}.`, 'Use e.g. 0.2 for one file in five.');
  const startTime = options.startTime ?? DEFAULT_START_TIME;
  const startMs = Date.parse(startTime);
  if (Number.isNaN(startMs)) throw usage(`Chaos start time '${startTime}' is not an ISO-8601 timestamp.`, `Use e.g. ${DEFAULT_START_TIME}.`);
  const filePrefix = options.filePrefix ?? DEFAULT_FILE_PREFIX;
  if (filePrefix === '' || /[/\\]|^\./.test(filePrefix)) {
    throw usage(`Chaos file prefix '${filePrefix}' must be a plain, visible file name part.`, `Use e.g. ${DEFAULT_FILE_PREFIX}.`);
  }
  const drift = [...(options.drift ?? [])];
  validateDrift(drift);
  return { files, records, poisonRate, seed: options.seed, drift, startTime: new Date(startMs).toISOString(), filePrefix, truncateRate };
}

/** `events-00001.ndjson` for index 1. */
export function chaosFileName(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(5, '0')}.ndjson`;
}

export interface ChaosLine {
  /** 1-based index of the file the line belongs to. */
  fileIndex: number;
  /** The line's text, without terminator. */
  text: string;
  /** False only for a truncated last line: the file ends without a newline. */
  terminated: boolean;
  entry: ManifestEntry;
}

/**
 * Every line of every file, file by file, in order. Lazy: memory does not grow with the
 * number of records.
 */
export function* chaosLines(options: ChaosOptions): Generator<ChaosLine> {
  const resolved = resolveChaosOptions(options);
  const random = createRandom(resolved.seed);
  const factory = recordFactory(random, Date.parse(resolved.startTime));
  const fromFile = new Map<DriftKind, number>(resolved.drift.map((d) => [d.kind, d.fromFile]));
  const block = resolved.truncateRate > 0 ? Math.max(1, Math.round(1 / resolved.truncateRate)) : 0;
  let truncatedFile = 0;

  for (let fileIndex = 1; fileIndex <= resolved.files; fileIndex++) {
    const file = chaosFileName(resolved.filePrefix, fileIndex);
    if (block > 0 && (fileIndex - 1) % block === 0) truncatedFile = fileIndex + random.int(0, block - 1);
    const active = DRIFT_KINDS.filter((kind) => (fromFile.get(kind) ?? Infinity) <= fileIndex);

    for (let line = 1; line <= resolved.records; line++) {
      const record = factory.next();
      const drifts: DriftKind[] = [];
      for (const kind of active) if (applyDrift(kind, record, random)) drifts.push(kind);

      let fault: FaultKind | undefined;
      if (line === resolved.records && fileIndex === truncatedFile) fault = 'truncated_last_line';
      else if (random.chance(resolved.poisonRate)) {
        const candidates = drifts.length === 0 ? RECORD_FAULT_KINDS : RECORD_FAULT_KINDS.filter((k) => faultApplies(k, drifts));
        fault = random.pick(candidates);
      }
      if (fault !== undefined) injectFault(fault, record, drifts, random);

      let text = JSON.stringify(record);
      let broken = false;
      if (fault === 'malformed_json' || fault === 'truncated_last_line') {
        text = corruptLine(fault, text, random);
        broken = true;
      }

      const labels: ChaosLabel[] = fault === undefined ? drifts : [fault, ...drifts];
      // Most records are clean: skip the label arithmetic for them.
      const outcome = labels.length === 0 ? { expect: 'silver' as const, reasons: [] } : combineLabels(labels);
      yield {
        fileIndex,
        text,
        terminated: fault !== 'truncated_last_line',
        entry: {
          file,
          line,
          event_id: broken ? null : (record.event_id as string),
          faults: labels,
          expect: outcome.expect,
          expect_healed: labels.length === 0 ? 'silver' : combineHealed(labels),
          reasons: outcome.reasons,
        },
      };
    }
  }
}
