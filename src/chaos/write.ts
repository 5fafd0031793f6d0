/**
 * Puts a chaos stream in a landing zone — a folder or `s3://bucket/prefix` (see output.ts):
 * one NDJSON file at a time, each appearing whole so a watcher never sees half a file; the
 * manifest lines of a file are written before the file appears. Optionally paced
 * (`intervalMs`) for demos that heal while data lands.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3ConnectionOptions } from '../sources/s3-client.js';
import { AetlError } from '../util/errors.js';
import { dict } from '../util/dict.js';
import { chaosFileName, chaosLines, resolveChaosOptions, type ChaosLine, type ChaosOptions, type ResolvedChaosOptions } from './generate.js';
import { isDriftKind, type Expectation } from './labels.js';
import type { ManifestEntry } from './manifest.js';
import { chaosWriteFailed } from './output-local.js';
import { chaosOutput, isS3Location, type ChaosOutput } from './output.js';

export interface WriteChaosOptions {
  /** The landing folder (created when missing), or `s3://bucket/prefix`. */
  out: string;
  /** How to reach S3 when `out` is s3://… Default: the AWS SDK's environment (AWS_ENDPOINT_URL_S3, AWS_REGION). */
  s3?: S3ConnectionOptions;
  /** Pause between two files, in milliseconds. Default 0. */
  intervalMs?: number;
  /** Stops between files (also during the pause); the summary then says `complete: false`. */
  signal?: AbortSignal;
  /** Called after each file is in place. */
  onFile?: (file: ChaosFileSummary) => void;
  /** Replace the files of an earlier run in `out` instead of refusing. Default false. */
  overwrite?: boolean;
}

export interface ChaosFileSummary {
  /** File name relative to `out`. */
  file: string;
  index: number;
  records: number;
  /** Records with a sporadic fault. */
  poisoned: number;
  /** Records showing at least one drift. */
  drifted: number;
  /** Whether the file's last line is cut (and the file has no final newline). */
  truncated: boolean;
}

export interface ChaosSummary {
  options: ResolvedChaosOptions;
  /** False when the run was aborted before the last file. */
  complete: boolean;
  files: ChaosFileSummary[];
  totals: { files: number; records: number; poisoned: number; drifted: number; clean: number };
  /** Records per label (a record with several labels counts once under each). */
  byLabel: Record<string, number>;
  byExpect: Record<Expectation, number>;
}

/** The part of a chaos file name after the prefix (see chaosFileName). */
const CHAOS_NUMBER = /^\d{5,}\.ndjson$/;

/** Flush the line buffer to disk at about this many characters. */
const CHUNK_CHARS = 1 << 20;

/** Waits `ms`; false when the signal aborted first. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Writes the chaos files, the manifest and the summary into `options.out`. */
export async function writeChaos(options: ChaosOptions & WriteChaosOptions): Promise<ChaosSummary> {
  const resolved = resolveChaosOptions(options);
  const { out, intervalMs = 0, signal } = options;
  const prefix = resolved.filePrefix;
  const output = await chaosOutput(out, options.s3);

  const summary: ChaosSummary = {
    options: resolved,
    complete: false,
    files: [],
    totals: { files: 0, records: 0, poisoned: 0, drifted: 0, clean: 0 },
    byLabel: dict(),
    byExpect: { silver: 0, coerced: 0, quarantine: 0 },
  };
  const lines = chaosLines(resolved);
  try {
    // Only names this generator writes: other objects in the landing zone are never touched.
    await output.prepare((name) => name.startsWith(prefix) && CHAOS_NUMBER.test(name.slice(prefix.length)), options.overwrite ?? false);
    for (let index = 1; index <= resolved.files; index++) {
      if (index > 1 && !(await pause(intervalMs, signal))) break;
      if (signal?.aborted) break;
      const file = await writeOneFile(output, chaosFileName(prefix, index), resolved.records, lines, summary);
      summary.files.push(file);
      summary.totals.files += 1;
      options.onFile?.(file);
    }
    summary.complete = summary.totals.files === resolved.files;
    await output.finish(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await output.close();
  }
  return summary;
}

function count(summary: ChaosSummary, file: ChaosFileSummary, entry: ManifestEntry): void {
  summary.totals.records += 1;
  summary.byExpect[entry.expect] += 1;
  let poisoned = false;
  let drifted = false;
  for (const label of entry.faults) {
    summary.byLabel[label] = (summary.byLabel[label] ?? 0) + 1;
    if (isDriftKind(label)) drifted = true;
    else poisoned = true;
    if (label === 'truncated_last_line') file.truncated = true;
  }
  if (poisoned) {
    file.poisoned += 1;
    summary.totals.poisoned += 1;
  }
  if (drifted) {
    file.drifted += 1;
    summary.totals.drifted += 1;
  }
  if (!poisoned && !drifted) summary.totals.clean += 1;
}

async function writeOneFile(output: ChaosOutput, name: string, records: number, lines: Iterator<ChaosLine>, summary: ChaosSummary): Promise<ChaosFileSummary> {
  const index = summary.files.length + 1;
  const file: ChaosFileSummary = { file: name, index, records: 0, poisoned: 0, drifted: 0, truncated: false };
  const handle = await output.openFile(name);
  let data = '';
  let entries = '';
  try {
    for (let i = 0; i < records; i++) {
      const next = lines.next();
      if (next.done) throw new AetlError('internal', `The chaos stream ended early, in ${name}.`);
      const { text, terminated, entry } = next.value;
      data += terminated ? `${text}\n` : text;
      entries += `${JSON.stringify(entry)}\n`;
      file.records += 1;
      count(summary, file, entry);
      if (data.length >= CHUNK_CHARS) {
        await handle.write(data);
        data = '';
      }
      if (entries.length >= CHUNK_CHARS) {
        await output.appendManifest(entries);
        entries = '';
      }
    }
    await handle.write(data);
    await output.appendManifest(entries);
    await handle.commit();
  } catch (error) {
    await handle.abort().catch(() => undefined);
    throw chaosWriteFailed(isS3Location(output.location) ? `${output.location.replace(/\/?$/, '/')}${name}` : join(output.location, name), error);
  }
  return file;
}
